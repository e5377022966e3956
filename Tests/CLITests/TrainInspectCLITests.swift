// `clearsub train inspect VIDEO --residual` (issue 4, the restoration-network check): on a small
// subtitled clip, a weights file whose restoration layers are all 0 reports a residual of 0, and one
// whose restoration network is freshly initialised (last layer not 0) reports a large one; the
// occlusion head is the bundled one in both, so α is the same.
import XCTest
import Foundation
import ClearLite
import ClearMedia

final class TrainInspectCLITests: XCTestCase {
    func testResidualReportSeesWhatTheRestorationAdds() throws {
        let s = try Scratch("inspect-residual")
        let subbed = try CLIHarness.subtitledClip(in: s)
        let restoration = LiteArchitecture.restoration.map(\.name)
        let zero = try LiteWeights(layers: LiteArchitecture.engineLayers, path: LiteEngine.bundledWeightsPath)
        try zero.reinitialise(restoration, zeroed: Set(restoration), seed: 1)
        try zero.save(to: s.path("zero.safetensors"))
        let fresh = try LiteWeights(layers: LiteArchitecture.engineLayers, path: LiteEngine.bundledWeightsPath)
        try fresh.reinitialise(restoration, zeroed: [], seed: 1)
        try fresh.save(to: s.path("fresh.safetensors"))

        func residual(_ weights: String) throws -> Double {
            let r = try CLIHarness.run(["train", "inspect", subbed, "--frames", "8", "--residual",
                                        "--weights", s.path(weights)])
            XCTAssertEqual(r.status, 0, r.stderr)
            let line = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("restoration residual inside α > 0") },
                                     "no α > 0 on the subtitled clip:\n\(r.stdout)")
            let number = try XCTUnwrap(line.split(separator: " ").compactMap { Double($0) }.first)
            return number
        }
        XCTAssertEqual(try residual("zero.safetensors"), 0)
        XCTAssertGreaterThan(try residual("fresh.safetensors"), 1)
    }
}

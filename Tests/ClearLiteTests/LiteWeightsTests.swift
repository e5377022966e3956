// Weights: the bundled file loads; a saved file round-trips; a missing or mis-shaped tensor fails
// with its full key (issue 4, design §1.1 "wrong weight shapes").
import XCTest
import ClearLite
import ClearTensor
import ClearWeights
import Foundation

final class LiteWeightsTests: XCTestCase {
    func tmp(_ name: String) -> String { NSTemporaryDirectory() + "lite-\(ProcessInfo.processInfo.processIdentifier)-\(name)" }

    func testBundledWeightsLoadAndRoundTrip() throws {
        let w = try LiteWeights(layers: LiteArchitecture.engineLayers, path: LiteEngine.bundledWeightsPath)
        XCTAssertGreaterThan(w.parameterCount, 100_000)
        let p = tmp("rt.safetensors")
        defer { try? FileManager.default.removeItem(atPath: p) }
        try w.save(to: p)
        let back = try LiteWeights(layers: LiteArchitecture.engineLayers, path: p)
        for (k, v) in w.parameters { XCTAssertEqual(back.parameters[k]!.value.floats(), v.value.floats(), k) }
        let size = try FileManager.default.attributesOfItem(atPath: LiteEngine.bundledWeightsPath)[.size] as! Int
        XCTAssertLessThanOrEqual(size, 20_000_000)
    }

    func testMisShapedAndMissingTensorsNameTheirKey() throws {
        let w = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 1)
        var tensors = try w.ordered.map { try SafetensorsWriter.tensor(key: $0.name, shape: $0.value.shape, values: $0.value.floats()) }
        let i = tensors.firstIndex { $0.key == "res.e3.weight" }!
        tensors[i] = try SafetensorsWriter.tensor(key: "res.e3.weight", shape: [32, 32, 3, 2], values: [Float](repeating: 0, count: 32 * 32 * 6))
        let bad = tmp("bad.safetensors")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try SafetensorsWriter.write(tensors, to: bad)
        XCTAssertThrowsError(try LiteEngine(weightsPath: bad)) { XCTAssertTrue("\($0)".contains("res.e3.weight"), "\($0)") }
        tensors.remove(at: i)
        try SafetensorsWriter.write(tensors, to: bad)
        XCTAssertThrowsError(try LiteEngine(weightsPath: bad)) { XCTAssertTrue("\($0)".contains("res.e3.weight"), "\($0)") }
        XCTAssertThrowsError(try LiteEngine(weightsPath: tmp("none.safetensors"))) { XCTAssertTrue("\($0)".contains("not found")) }
    }

    /// A hole network is optional: `LiteWeights.engine(path:)` loads it when the file holds it, and
    /// the engine runs it then; added to trained weights, it leaves their parameters as they were.
    func testHoleNetworkLoadsWhenTheFileHoldsIt() throws {
        let base = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 3)
        XCTAssertFalse(base.hasHoleNetwork)
        let both = LiteWeights(extending: base, with: LiteArchitecture.hole, seed: 4, zeroed: ["hole.out"])
        XCTAssertTrue(both.hasHoleNetwork)
        XCTAssertEqual(both.weight("res.e3").value.floats(), base.weight("res.e3").value.floats())
        XCTAssertEqual(both.weight("hole.out").value.shape, [1, 16, 3, 3])
        XCTAssertEqual(both.weight("hole.out").value.floats().map(abs).max(), 0)
        XCTAssertGreaterThan(both.weight("hole.e1").value.floats().map(abs).max() ?? 0, 0)
        let (p1, p2) = (tmp("nohole.safetensors"), tmp("hole.safetensors"))
        defer { for p in [p1, p2] { try? FileManager.default.removeItem(atPath: p) } }
        try base.save(to: p1)
        try both.save(to: p2)
        XCTAssertFalse(try LiteWeights.engine(path: p1).hasHoleNetwork)
        XCTAssertFalse(try LiteEngine(weightsPath: p1).holeNetwork)
        let loaded = try LiteWeights.engine(path: p2)
        XCTAssertTrue(loaded.hasHoleNetwork)
        XCTAssertEqual(loaded.weight("hole.e1").value.floats(), both.weight("hole.e1").value.floats())
        XCTAssertTrue(try LiteEngine(weightsPath: p2).holeNetwork)
        XCTAssertFalse(try LiteEngine.configured(environment: ["CLEARSUB_LITE_WEIGHTS": p2, "CLEARSUB_LITE_HOLE_NETWORK": "0"]).holeNetwork)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_WEIGHTS": p1, "CLEARSUB_LITE_HOLE_NETWORK": "1"])) {
            XCTAssertTrue("\($0)".contains("no hole network"), "\($0)")
        }
        // a mis-shaped hole tensor names its key
        var tensors = try both.ordered.map { try SafetensorsWriter.tensor(key: $0.name, shape: $0.value.shape, values: $0.value.floats()) }
        let i = tensors.firstIndex { $0.key == "hole.d2.weight" }!
        tensors[i] = try SafetensorsWriter.tensor(key: "hole.d2.weight", shape: [32, 96, 3, 2], values: [Float](repeating: 0, count: 32 * 96 * 6))
        try SafetensorsWriter.write(tensors, to: p2)
        XCTAssertThrowsError(try LiteEngine(weightsPath: p2)) { XCTAssertTrue("\($0)".contains("hole.d2.weight"), "\($0)") }
    }
}

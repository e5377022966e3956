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
}

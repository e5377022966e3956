// Fixture access and error measures for the DiT parity tests (fixtures: tools/make_wan_dit_fixtures.py).
import Foundation
import XCTest
import ClearTensor
import ClearWeights
@testable import ClearWan

enum DiTFixtures {
    static var dir: String { Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("dit").path }
    static func path(_ name: String) -> String { dir + "/" + name }

    nonisolated(unsafe) private static var cachedIO: WeightStore?
    nonisolated(unsafe) private static var cachedJSON: [String: Any]?
    private static let lock = NSLock()

    /// Inputs and reference outputs (io.safetensors).
    static func io() throws -> WeightStore {
        lock.lock(); defer { lock.unlock() }
        if let s = cachedIO { return s }
        let s = try WeightStore(path: path("io.safetensors"))
        cachedIO = s
        return s
    }

    static func tensor(_ key: String) throws -> Tensor {
        let w = try io().tensor(key)
        return try Tensor(shape: w.shape, values: w.toFloat32())
    }

    static func floats(_ key: String) throws -> [Float] { try io().tensor(key).toFloat32() }

    static func expected() throws -> [String: Any] {
        lock.lock(); defer { lock.unlock() }
        if let j = cachedJSON { return j }
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        let j = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        cachedJSON = j
        return j
    }

    /// The 1280×1280 `img_emb.proj.1.weight` the generator defines by formula instead of storing it.
    static func clipProjection(out: Int = 1280, in inF: Int = 1280) -> [Float] {
        var v = [Float](repeating: 0, count: out * inF)
        for o in 0..<out { for i in 0..<inF { v[o * inF + i] = Float(Double((o * 131 + i * 71) % 199 - 99) / 4950.0) } }
        return v
    }

    /// The tiny DiT's weights: the two shards through their index, plus the synthesised matrix.
    static func modelStore() throws -> WeightStore {
        let shards = try ShardedSafetensors.load(indexPath: path("model/diffusion_pytorch_model.safetensors.index.json"))
        let synth = try SafetensorsWriter.tensor(key: "img_emb.proj.1.weight", shape: [1280, 1280], values: clipProjection())
        return try WeightStore(tensors: shards + [synth], keyMap: .wanDiT, source: "tiny Fun-Control DiT fixture")
    }

    nonisolated(unsafe) private static var cachedModel: WanDiT?
    static func model() throws -> WanDiT {
        lock.lock(); defer { lock.unlock() }
        if let m = cachedModel { return m }
        let m = try WanDiT(store: modelStore())
        cachedModel = m
        return m
    }

    /// x = [latents | y] of the fixture.
    static func input() throws -> Tensor { try Ops.concat([tensor("latents"), tensor("y")], axis: 1) }
}

struct ParityError: CustomStringConvertible {
    let maxAbs: Double
    let scale: Double
    var relative: Double { maxAbs / max(scale, 1e-30) }
    var description: String { String(format: "max-abs %.3e, scale %.3e, relative %.3e", maxAbs, scale, relative) }
}

/// Max-abs error and the reference scale (max |ref|).
func parity(_ got: [Float], _ ref: [Float]) -> ParityError {
    precondition(got.count == ref.count, "\(got.count) values vs reference \(ref.count)")
    var m = 0.0, s = 0.0
    for i in 0..<got.count {
        m = max(m, got[i].isFinite ? abs(Double(got[i]) - Double(ref[i])) : .infinity)
        s = max(s, abs(Double(ref[i])))
    }
    return ParityError(maxAbs: m, scale: s)
}

/// Asserts shape and relative max error ≤ `tol`, and prints the measured error (for the report).
@discardableResult
func assertParity(_ got: Tensor, _ refKey: String, tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> ParityError {
    let ref = try DiTFixtures.io().tensor(refKey)
    XCTAssertEqual(got.shape, ref.shape, "\(what): shape", file: file, line: line)
    let e = parity(got.floats(), ref.toFloat32())
    print("parity \(what): \(e)")
    XCTAssertLessThanOrEqual(e.relative, tol, "\(what): \(e) > \(tol)", file: file, line: line)
    return e
}

// Real-size Wan VAE smoke run with random weights in the real layout (194 tensors, dim 96): one
// CLEAR decode tile (1 latent frame, 30×52 → 240×416) and one encode tile. Opt-in, because it takes
// minutes in a debug build: CLEARSUB_WAN_REALSIZE=1 [CLEARSUB_WAN_DTYPE=bf16] swift test -c release -Xswiftc -enable-testing
// --filter WanVAERealSize.
import ClearTensor
import ClearWeights
import Foundation
import XCTest
@testable import ClearWan

final class WanVAERealSizeTests: XCTestCase {
    func testOneTileAtRealSize() throws {
        guard ProcessInfo.processInfo.environment["CLEARSUB_WAN_REALSIZE"] == "1" else {
            throw XCTSkip("set CLEARSUB_WAN_REALSIZE=1 (release build) to run the real-size VAE smoke test")
        }
        let tensors = try WanVAEConfig.stateDictLayout().enumerated().map { index, entry -> WeightTensor in
            let (key, shape) = entry
            let n = shape.reduce(1, *)
            if key.hasSuffix("gamma") { return try SafetensorsWriter.tensor(key: key, shape: shape, values: [Float](repeating: 1, count: n)) }
            let std: Float = key.hasSuffix("bias") ? 0.02 : 1 / Float(shape.dropFirst().reduce(1, *)).squareRoot()
            let values = Tensor.random(shape: [n], seed: UInt64(index + 1), lo: -1.732 * std, hi: 1.732 * std).floats()
            return try SafetensorsWriter.tensor(key: key, shape: shape, values: values)
        }
        let dtype: DType = ProcessInfo.processInfo.environment["CLEARSUB_WAN_DTYPE"] == "bf16" ? .bf16 : .f32
        let vae = try WanVAE(store: WeightStore(tensors: tensors), dtype: dtype)
        XCTAssertEqual(vae.config.dim, 96)
        TensorMemory.resetPeak()
        var t0 = Date()
        let video = Tensor.random(shape: [1, 3, 1, 240, 416], seed: 3)
        let z = try vae.encode(video)
        let encodeS = Date().timeIntervalSince(t0)
        XCTAssertEqual(z.shape, [1, 16, 1, 30, 52])
        t0 = Date()
        let x = try vae.decode(z)
        let decodeS = Date().timeIntervalSince(t0)
        XCTAssertEqual(x.shape, [1, 3, 1, 240, 416])
        XCTAssertFalse(x.floats().contains { !$0.isFinite })
        print(String(format: "[realsize] VAE %@ 1 frame 240×416: encode %.2f s, decode %.2f s, peak tensor memory %.0f MiB, threads %d",
                     dtype.rawValue, encodeS, decodeS, Double(TensorMemory.peakBytes) / 1_048_576, ClearTensor.threadCount))
    }
}

final class UMT5RealSizeTests: XCTestCase {
    /// UMT5-XXL dimensions with 2 of its 24 layers and a 1000-row vocabulary (the table is only
    /// gathered from), bf16 weights as in the real file; 30 tokens. Per-layer time × 24 estimates XXL.
    func testTwoXXLLayers() throws {
        guard ProcessInfo.processInfo.environment["CLEARSUB_WAN_REALSIZE"] == "1" else {
            throw XCTSkip("set CLEARSUB_WAN_REALSIZE=1 (release build) to run the real-size UMT5 smoke test")
        }
        var cfg = UMT5Config.xxl
        cfg.layers = 2; cfg.vocab = 1000
        let tensors = try cfg.stateDictLayout.enumerated().map { index, entry -> WeightTensor in
            let n = entry.shape.reduce(1, *)
            let bound: Float = entry.key.contains("norm") ? 0 : (entry.key.contains("embedding") ? 1 : 1.732 / Float(entry.shape[1]).squareRoot())
            let values = bound == 0 ? [Float](repeating: 1, count: n) : Tensor.random(shape: [n], seed: UInt64(index + 1), lo: -bound, hi: bound).floats()
            return try SafetensorsWriter.tensor(key: entry.key, shape: entry.shape, values: values, dtype: .bf16)
        }
        let tokens = (0..<29).map { 4 + $0 * 31 } + [1]
        for dtype in [DType.f32, .bf16] {
            let enc = try UMT5Encoder(store: WeightStore(tensors: tensors), computeDType: dtype)
            let t0 = Date()
            let ctx = try enc.context(tokens: tokens)
            let s = Date().timeIntervalSince(t0)
            XCTAssertEqual(ctx.shape, [512, 4096])
            XCTAssertFalse(ctx.floats().prefix(30 * 4096).contains { !$0.isFinite })
            print(String(format: "[realsize] UMT5-XXL %@ 2 layers, 30 tokens: %.2f s (≈ %.1f s for 24 layers)", dtype.rawValue, s, s * 12))
        }
    }
}

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

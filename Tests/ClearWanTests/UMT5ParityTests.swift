// Parity of the Swift UMT5 encoder with DiffSynth 1.1.9 WanTextEncoder (vocab 512, dim 64, 4 heads,
// 2 layers, 32 buckets, per-layer position bias); fixtures from tools/make_wan_vae_t5_fixtures.py.
import ClearTensor
import ClearWeights
import Foundation
import XCTest
@testable import ClearWan

final class UMT5ParityTests: WanSingleThreadedTestCase {
    func testBucketsMatchReferenceTable() throws {
        let enc = try UMT5Encoder(path: WanFixtures.path("t5/tiny_umt5.pth"))
        let io = try WanFixtures.tensors("t5/tiny_umt5_io.safetensors")
        let expected = io["buckets"]!.floats().map { Int($0) }
        XCTAssertEqual(expected.count, 1023)
        let got = (-511...511).map { enc.config.bucket($0) }
        XCTAssertEqual(got, expected)
        // spot checks from spec §3.2: n = 16 → 10, 32 → 12, 64 → 14, r > 0 adds 16
        XCTAssertEqual(enc.config.bucket(-16), 10)
        XCTAssertEqual(enc.config.bucket(32), 28)
        XCTAssertEqual(enc.config.bucket(-91), 15)
    }

    func testEncoderMatchesReference() throws {
        let enc = try UMT5Encoder(path: WanFixtures.path("t5/tiny_umt5.pth"))
        XCTAssertEqual(enc.config, UMT5Config(vocab: 512, dim: 64, dimAttn: 64, dimFFN: 128, heads: 4, layers: 2, buckets: 32))
        let io = try WanFixtures.tensors("t5/tiny_umt5_io.safetensors")
        let ids = io["ids"]!.floats().map { Int($0) }, mask = io["mask"]!.floats().map { Int($0) }
        let raw = try io["out_raw"]!.reshaped([512, 64])
        let full = try enc.forward(ids: ids, mask: mask)
        assertClose(full, raw, absTol: 5e-5, relTol: 1e-5, "UMT5 all 512 rows")
        // the context: only the 20 real rows computed, the rest zero
        let len = mask.reduce(0, +)
        let ctx = try enc.context(tokens: Array(ids.prefix(len)))
        var expected = raw.floats()
        for i in (len * 64)..<expected.count { expected[i] = 0 }
        assertClose(ctx, try Tensor(shape: [512, 64], values: expected), absTol: 5e-5, relTol: 1e-5, "UMT5 context (rows ≥ 20 zero)")
    }

    func testStateDictLayoutMatchesFixtureAndSpec() throws {
        let file = try WeightFile.open(WanFixtures.path("t5/tiny_umt5.pth"))
        let stored = Dictionary(uniqueKeysWithValues: file.stateDict().map { ($0.key, $0.shape) })
        let tiny = UMT5Config(vocab: 512, dim: 64, dimAttn: 64, dimFFN: 128, heads: 4, layers: 2, buckets: 32)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: tiny.stateDictLayout.map { ($0.key, $0.shape) }), stored)
        let xxl = UMT5Config.xxl.stateDictLayout
        XCTAssertEqual(xxl.count, 242)
        XCTAssertEqual(xxl.map { $0.shape.reduce(1, *) }.reduce(0, +), 5_680_910_336)
    }

    func testBF16ComputeIsCloseToFloat32Reference() throws {
        try XCTSkipUnless(Ops.nativeBF16, "oneDNN has bf16 kernels only from AVX-512 BF16 on")
        // bf16 inputs to every linear (f32 accumulation); calibrated on this fixture.
        let enc = try UMT5Encoder(path: WanFixtures.path("t5/tiny_umt5.pth"), computeDType: .bf16)
        let io = try WanFixtures.tensors("t5/tiny_umt5_io.safetensors")
        let ids = io["ids"]!.floats().map { Int($0) }
        let ctx = try enc.context(tokens: Array(ids.prefix(20)))
        var expected = io["out_raw"]!.floats()
        for i in (20 * 64)..<expected.count { expected[i] = 0 }
        assertClose(ctx, try Tensor(shape: [512, 64], values: expected), absTol: 0.1, relTol: 0.03, "UMT5 bf16 context vs f32 reference")
        // bf16-stored linear weights are used in place; the result equals rounding f32-stored ones
        // (embedding, norms and position bias stay f32 here, as the f32 file gives them)
        let file = try WeightFile.open(WanFixtures.path("t5/tiny_umt5.pth"))
        let bf16 = try file.stateDict().map {
            try SafetensorsWriter.tensor(key: $0.key, shape: $0.shape, values: $0.toFloat32(),
                                         dtype: $0.key.contains(".attn.") || $0.key.contains(".ffn.") ? .bf16 : .f32)
        }
        let enc16 = try UMT5Encoder(store: WeightStore(tensors: bf16), computeDType: .bf16)
        XCTAssertEqual(try enc16.context(tokens: Array(ids.prefix(20))).floats(), ctx.floats())
    }

    func testRejectsOutOfVocabularyIds() throws {
        let enc = try UMT5Encoder(path: WanFixtures.path("t5/tiny_umt5.pth"))
        XCTAssertThrowsError(try enc.context(tokens: [5, 512, 1]))
    }
}

final class UMT5ContextCacheTests: WanSingleThreadedTestCase {
    func testSecondRequestIsServedFromDisk() throws {
        let dir = NSTemporaryDirectory() + "umt5-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights = WanFixtures.path("t5/tiny_umt5.pth")
        let cache = UMT5ContextCache(directory: dir)
        var opened = 0
        let open = { () throws -> UMT5Encoder in opened += 1; return try UMT5Encoder(path: weights) }
        let (a, cachedA) = try cache.context(tokens: [7, 9, 11, 1], weightsPath: weights, encoder: open)
        let (b, cachedB) = try cache.context(tokens: [7, 9, 11, 1], weightsPath: weights, encoder: open)
        XCTAssertEqual([cachedA, cachedB], [false, true])
        XCTAssertEqual(opened, 1)
        XCTAssertEqual(a.floats(), b.floats())
        XCTAssertEqual(a.shape, [512, 64])
        let (_, cachedC) = try cache.context(tokens: [7, 9, 12, 1], weightsPath: weights, encoder: open)
        XCTAssertFalse(cachedC, "another prompt is another key")
        XCTAssertEqual(opened, 2)
        let (_, cachedD) = try cache.context(tokens: [7, 9, 11, 1], weightsPath: weights, variant: "bf16", encoder: open)
        XCTAssertFalse(cachedD, "another variant is another key")
    }
}

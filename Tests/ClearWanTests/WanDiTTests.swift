// DiT parity against DiffSynth 1.1.9 (`model_fn_wan_video` on a tiny random Fun-Control `WanModel`, float32).
// Tolerance: max-abs error ≤ 1e-4 × max |reference| (f32 vs f32, spec §11 expects ~1e-5 per component).
import Foundation
import XCTest
import ClearTensor
import ClearWeights
@testable import ClearWan

final class WanDiTTests: XCTestCase {
    let tol = 1e-4

    func testConfigInferredFromShapes() throws {
        let m = try DiTFixtures.model()
        let c = m.config
        XCTAssertEqual(c, try WanDiTConfig(dim: 64, ffnDim: 128, numHeads: 2, numLayers: 2, inDim: 48, outDim: 16, textDim: 32,
                                           freqDim: 32, patchSize: [1, 2, 2], hasImageInput: true, hasRefConv: true))
        XCTAssertEqual(m.unusedKeys, [], "every tensor of the Fun-Control layout is used or shape-checked")
        XCTAssertEqual(try WanDiTConfig.defaultHeads(dim: 1536), 12)
        XCTAssertEqual(try WanDiTConfig.defaultHeads(dim: 5120), 40)
        XCTAssertEqual(WanDiTConfig.funControl1_3B.parameterCount, 1_564_602_176, "spec §5.1 total")
        XCTAssertThrowsError(try WanDiTConfig(dim: 128, ffnDim: 8, numHeads: 2, numLayers: 1, inDim: 48, outDim: 16, textDim: 8,
                                              freqDim: 8, hasImageInput: false, hasRefConv: false), "head dim 64 is not RoPE-coverable")
    }

    func testMissingTensorNamesTheFullKey() throws {
        // The shards alone lack the synthesised img_emb.proj.1.weight: the error must name it.
        let store = try WanDiT.openStore(path: DiTFixtures.path("model"))
        XCTAssertThrowsError(try WanDiT(store: store)) { error in
            XCTAssertTrue("\(error)".contains("img_emb.proj.1.weight"), "\(error)")
        }
    }

    func testLoadsSingleFileWithModelPrefix() throws {
        // One safetensors file whose keys carry DiffSynth's optional `model.` prefix (stripped on load).
        let store = try DiTFixtures.modelStore()
        let tensors = try store.keys.map { try store.tensor($0).renamed("model." + $0) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wan-dit-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter.write(tensors, to: path)
        let m = try WanDiT(path: path)
        XCTAssertEqual(m.config, try DiTFixtures.model().config)
        let out = try m.forward(x: DiTFixtures.input(), timestep: 1000, context: DiTFixtures.tensor("context"))
        try assertParity(out, "t1000.out", tol: tol, "DiT output from a single file (t=1000)")
    }

    func testRopeTableMatchesReference() throws {
        let rope = try Rope3D(frames: 3, height: 4, width: 6, headDim: 32)
        let ec = parity(rope.cos, try DiTFixtures.floats("rope.cos")), es = parity(rope.sin, try DiTFixtures.floats("rope.sin"))
        print("parity rope cos: \(ec); sin: \(es)")
        XCTAssertLessThanOrEqual(ec.maxAbs, 1e-6); XCTAssertLessThanOrEqual(es.maxAbs, 1e-6)
    }

    func testTimeAndConditioningEmbeddings() throws {
        let m = try DiTFixtures.model()
        let (tEmb, tMod) = try m.timeEmbedding(timestep: 1000)
        try assertParity(tEmb, "t1000.t_emb", tol: tol, "t_emb")
        try assertParity(try Tensor(shape: [1, 6, 64], values: tMod), "t1000.t_mod", tol: tol, "t_mod")
        let cond = try m.conditioning(context: DiTFixtures.tensor("context"))
        try assertParity(try cond.text.reshaped([1, 512, 64]), "c_txt", tol: tol, "text embedding")
        let img = try XCTUnwrap(cond.image)
        XCTAssertEqual(img.shape, [257, 64])
        try assertParity(try Ops.slice(img, axis: 0, start: 0, end: 1).reshaped([1, 1, 64]), "c_img_row0", tol: tol, "image embedding (zero CLIP)")
    }

    func testBlockOutputsMatchReference() throws {
        let m = try DiTFixtures.model()
        var blocks: [Tensor] = []
        let out = try m.forward(x: DiTFixtures.input(), timestep: 1000, context: DiTFixtures.tensor("context")) { _, h in blocks.append(h) }
        XCTAssertEqual(blocks.count, 2)
        for (i, b) in blocks.enumerated() { try assertParity(try b.reshaped([1, 72, 64]), "t1000.block\(i)", tol: tol, "block \(i) (t=1000)") }
        try assertParity(out, "t1000.out", tol: tol, "DiT output (t=1000)")
    }

    func testFullOutputOtherTimestep() throws {
        let m = try DiTFixtures.model()
        let cond = try m.conditioning(context: DiTFixtures.tensor("context"), clipFeature: Tensor(shape: [1, 257, 1280]))
        let v = try m.velocity(latents: DiTFixtures.tensor("latents"), y: DiTFixtures.tensor("y"), timestep: 37.5, conditioning: cond)
        try assertParity(v, "t37.5.out", tol: tol, "DiT output (t=37.5, explicit zero CLIP feature)")
        // The timestep must matter: the t=1000 reference is not within tolerance of the t=37.5 output.
        let other = parity(v.floats(), try DiTFixtures.floats("t1000.out"))
        XCTAssertGreaterThan(other.relative, 10 * tol)
    }

    func testSlidingWindowDiTCall() throws {
        let m = try DiTFixtures.model()
        let cond = try m.conditioning(context: DiTFixtures.tensor("context"))
        let v = try SlidingWindowPlan.run(inputs: [DiTFixtures.tensor("latents"), DiTFixtures.tensor("y")], size: 2, stride: 1) { _, s in
            try m.velocity(latents: s[0], y: s[1], timestep: 952, conditioning: cond)
        }
        try assertParity(v, "t952.window2x1.out", tol: tol, "DiT through sliding window 2/1 (t=952)")
    }

    func testBF16ModeMatchesBF16Reference() throws {
        try XCTSkipUnless(Ops.nativeBF16, "oneDNN has bf16 kernels only from AVX-512 BF16 on")
        // DiffSynth's DiT cast to bf16 with bf16 inputs and the bf16-rounded timestep (952.381 -> 952).
        let m = try WanDiT(store: DiTFixtures.modelStore(), dtype: .bf16)
        let t = try FlowMatchScheduler.wan(steps: 5).ditTimestep(step: 1, dtype: .bf16)
        XCTAssertEqual(t, 952)
        let out = try m.forward(x: DiTFixtures.input().toBF16(), timestep: t, context: DiTFixtures.tensor("context").toBF16())
        let e = try assertParity(out, "bf16.t952.out", tol: 1e-2, "bf16 DiT vs bf16 reference (t=952)")
        // Closer to the bf16 reference than the bf16 reference is to the f32 one.
        let refGap = parity(try DiTFixtures.floats("bf16.t952.out"), try DiTFixtures.floats("t952.out"))
        print("parity bf16 reference vs f32 reference (t=952): \(refGap)")
        XCTAssertLessThan(e.maxAbs, refGap.maxAbs)
    }

    func testBF16ModeRunsCloseToF32Reference() throws {
        try XCTSkipUnless(Ops.nativeBF16, "oneDNN has bf16 kernels only from AVX-512 BF16 on")
        let m = try WanDiT(store: DiTFixtures.modelStore(), dtype: .bf16)
        let out = try m.forward(x: DiTFixtures.input().toBF16(), timestep: 1000, context: DiTFixtures.tensor("context"))
        XCTAssertEqual(out.dtype, .bf16)
        // bf16 weights and activations vs the f32 reference: spec §13 suggests ~2e-2 relative.
        try assertParity(out, "t1000.out", tol: 5e-2, "bf16 DiT vs f32 reference (t=1000)")
    }
}

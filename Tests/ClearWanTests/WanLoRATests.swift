// LoRA parity: the CLEAR-container checkpoint merged at load vs DiffSynth 1.1.9's DiT run with the adapters
// applied unmerged (y = W x + b + s·B(A x), PEFT's forward) in float32. Tolerance as the DiT tests.
import Foundation
import XCTest
import ClearTensor
import ClearWeights
@testable import ClearWan

final class WanLoRATests: XCTestCase {
    func testReadsCLEARCheckpoint() throws {
        let lora = try WanLoRA(path: DiTFixtures.path("clear_lora.pt"), scale: 1)
        XCTAssertEqual(lora.rank, 4)
        let modules = try XCTUnwrap(DiTFixtures.expected()["lora_modules"] as? [String])
        XCTAssertEqual(lora.adapters.keys.sorted(), modules.sorted())
        XCTAssertEqual(lora.untargeted, ["blocks.0.cross_attn.k_img"], "k_img is not a PEFT target")
        XCTAssertEqual(lora.ignoredKeys, [])
        XCTAssertThrowsError(try WanLoRA(path: DiTFixtures.path("clear_lora.pt"), expectedRank: 64)) { e in
            XCTAssertTrue("\(e)".contains("rank 4"), "\(e)")
        }
    }

    func testReadsBF16CheckpointWithOtherPrefixesAndSafetensors() throws {
        let f32 = try WanLoRA(path: DiTFixtures.path("clear_lora.pt"))
        // bf16 tensors, `module._orig_mod.` prefixes, `dit_state_dict` wrapper.
        let b16 = try WanLoRA(path: DiTFixtures.path("clear_lora_bf16.pt"))
        XCTAssertEqual(b16.adapters.keys.sorted(), f32.adapters.keys.sorted())
        XCTAssertEqual(b16.rank, 4)
        for (module, a) in f32.adapters {
            let b = try XCTUnwrap(b16.adapters[module])
            XCTAssertEqual(b.down.toFloat32(), a.down.toFloat32().map(BF16.round), module)
            XCTAssertEqual(b.up.toFloat32(), a.up.toFloat32().map(BF16.round), module)
        }
        // A .safetensors LoRA with the checkpoint's own names.
        let store = try WeightStore(path: DiTFixtures.path("clear_lora.pt"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clear-lora-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter.write(try store.keys.map { try store.tensor($0) }, to: path)
        let st = try WanLoRA(path: path, scale: 0.5)
        XCTAssertEqual(st.adapters.keys.sorted(), f32.adapters.keys.sorted())
        XCTAssertEqual(st.adapters["blocks.1.ffn.0"]?.up.toFloat32(), f32.adapters["blocks.1.ffn.0"]?.up.toFloat32())
    }

    func testMergedOutputMatchesReference() throws {
        for (scale, key) in [(Float(1), "t1000.lora1.out"), (0.5, "t1000.lora0.5.out")] {
            let lora = try WanLoRA(path: DiTFixtures.path("clear_lora.pt"), scale: scale)
            let m = try WanDiT(store: DiTFixtures.modelStore(), lora: lora)
            let report = try XCTUnwrap(m.loraReport)
            XCTAssertEqual(report.applied.count, 20)
            XCTAssertEqual(report.missing, [])
            XCTAssertEqual(report.unexpected, ["blocks.0.cross_attn.k_img"])
            let out = try m.forward(x: DiTFixtures.input(), timestep: 1000, context: DiTFixtures.tensor("context"))
            try assertParity(out, key, tol: 1e-4, "LoRA scale \(scale) merged (t=1000)")
            // The LoRA must change the output by far more than the tolerance.
            let base = parity(out.floats(), try DiTFixtures.floats("t1000.out"))
            XCTAssertGreaterThan(base.relative, 1e-2, "LoRA had no visible effect: \(base)")
        }
    }

    func testTargetsRestrictMerge() throws {
        let lora = try WanLoRA(path: DiTFixtures.path("clear_lora.pt"), targetModules: ["ffn.0"])
        XCTAssertEqual(lora.adapters.count, 2)
        let m = try WanDiT(store: DiTFixtures.modelStore(), lora: lora)
        XCTAssertEqual(m.loraReport?.applied, ["blocks.0.ffn.0", "blocks.1.ffn.0"])
        XCTAssertEqual(m.loraReport?.unexpected.count, 19)
        XCTAssertTrue(WanLoRA.matches(module: "blocks.3.self_attn.q", targets: ["q"]))
        XCTAssertFalse(WanLoRA.matches(module: "blocks.3.cross_attn.k_img", targets: ["k"]))
        XCTAssertFalse(WanLoRA.matches(module: "text_embedding.0", targets: ["ffn.0"]))
    }

    func testMergeIsWPlusScaledBA() throws {
        // A direct check of W + s·B·A against LoRAAdapter's reference loop.
        let lora = try WanLoRA(path: DiTFixtures.path("clear_lora.pt"))
        let a = try XCTUnwrap(lora.adapters["blocks.1.ffn.2"])
        let w = Tensor.random(shape: [a.outFeatures, a.inFeatures], seed: 7)
        let merged = try WanLoRA.merge(base: w, adapter: a, scale: 0.75)
        var ref = w.floats()
        try a.merged(into: &ref, scale: 0.75)
        XCTAssertLessThanOrEqual(parity(merged.floats(), ref).maxAbs, 1e-6)
    }
}

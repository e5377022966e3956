// The whole wan pipeline against DiffSynth 1.1.9 on tiny random models (fixture: tools/make_wan_pipeline_fixtures.py):
// CLEAR's resize + crop, tokenizer → UMT5 context, Fun-Control conditioning, 2 steps with seed 42, decode.
import ClearMedia
import ClearTensor
import XCTest
@testable import ClearWan

final class WanPipelineParityTests: XCTestCase {
    func testPreprocessingMatchesCLEAR() throws {
        let source = try PipelineFixtures.frames("source")
        let g = try WanGeometry(sourceWidth: source[0].width, sourceHeight: source[0].height)
        XCTAssertEqual([g.modelWidth, g.modelHeight, g.resizedWidth, g.resizedHeight, g.cropLeft, g.cropTop], [48, 32, 48, 33, 0, 0])
        let prepared = source.map { WanPillowResize.prepare($0, geometry: g) }
        XCTAssertEqual(prepared, try PipelineFixtures.frames("model_input"), "Pillow bilinear resize + centre crop")
    }

    func testTiledPipelineWithSlidingWindowMatchesReference() throws {
        try check(tiled: true)
    }

    func testUntiledPipelineMatchesReference() throws {
        try check(tiled: false)
    }

    func check(tiled: Bool) throws {
        let folder = try PipelineFixtures.modelFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let models = try PipelineFixtures.models(folder: folder)
        XCTAssertFalse(models.contextWasCached)
        let ids = try PipelineFixtures.tensor("ids").floats().map(Int.init)
        let refContext = try PipelineFixtures.tensor("context")
        let ctx = try Ops.slice(models.context, axis: 0, start: 0, end: ids.count)
        assertClose(ctx, refContext, absTol: 1e-4, relTol: 1e-5, "context rows < L")
        XCTAssertEqual(Set(try Ops.slice(models.context, axis: 0, start: ids.count, end: 512).floats()), [0], "padding rows are 0")

        let pipe = try WanPipeline(dit: models.dit, vae: models.vae, context: models.context, settings: PipelineFixtures.settings(tiled: tiled))
        let video = try WanVideoTensor.video(try PipelineFixtures.frames("model_input"), dtype: .f32)
        let noise = try pipe.noise(video: video, seed: 42)
        assertClose(noise, try PipelineFixtures.tensor("noise"), absTol: 1e-5, relTol: 1e-5, "noise (seed 42)")
        let tag = tiled ? "tiled" : "plain"
        var steps: [Tensor] = []
        let result = try pipe.run(video: video, noise: noise) { _, l in steps.append(l) }
        assertClose(result.controlLatents, try PipelineFixtures.tensor("control_\(tag)"), absTol: 1e-3, relTol: 1e-4, "control latents (\(tag))")
        if tiled { assertClose(steps[0], try PipelineFixtures.tensor("latents_tiled_step0"), absTol: 1e-3, relTol: 1e-4, "latents after step 1") }
        assertClose(steps[1], try PipelineFixtures.tensor("latents_\(tag)_step1"), absTol: 1e-3, relTol: 1e-4, "latents after step 2 (\(tag))")
        let out = try WanVideoTensor.frames(result.video, dtype: .f32)
        let p = psnr(out, try PipelineFixtures.frames("output_\(tag)"))
        print("[parity] decoded video (\(tag)): PSNR \(p) dB")
        XCTAssertGreaterThanOrEqual(p, 40, "decoded video PSNR against DiffSynth")
    }

    func testContextIsCachedOnDisk() throws {
        let folder = try PipelineFixtures.modelFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try PipelineFixtures.models(folder: folder)
        let second = try PipelineFixtures.models(folder: folder)
        XCTAssertFalse(first.contextWasCached)
        XCTAssertTrue(second.contextWasCached, "the second load reads the context from the cache, without T5")
        XCTAssertEqual(first.context.floats(), second.context.floats())
    }
}

final class WanDiTLayoutTests: XCTestCase {
    func testLayoutMatchesTheFixtureAndTheRealModel() throws {
        let store = try DiTFixtures.modelStore()
        let layout = try DiTFixtures.model().config.stateDictLayout
        XCTAssertEqual(Set(layout.map(\.key)), Set(store.keys))
        for (k, s) in layout { XCTAssertEqual(try store.tensor(k).shape, s, k) }
        let real = WanDiTConfig.funControl1_3B.stateDictLayout
        XCTAssertEqual(real.count, 985)
        XCTAssertEqual(real.reduce(0) { $0 + $1.shape.reduce(1, *) }, 1_564_602_176)
    }
}

// The wan engine's own parts: CLEAR's resolution rule, the composite back onto the original frames,
// frame sampling, the model-folder check, and whole chunks through `WanEngine.clean` on the tiny fixture models.
import ClearMedia
import ClearPipeline
import ClearTensor
import XCTest
@testable import ClearWan

final class WanGeometryTests: XCTestCase {
    func testCLEARResolutionRule() throws {
        // spec §2.1 examples, a portrait clip, a small clip, and the --max-pixels cap
        let cases: [((Int, Int), (Int, Int))] = [((1920, 1080), (1280, 720)), ((1280, 720), (1280, 720)), ((854, 480), (848, 480)),
                                                 ((1080, 1920), (720, 1280)), ((100, 70), (96, 64)), ((3840, 2160), (1280, 720))]
        for ((w, h), (tw, th)) in cases {
            let t = WanGeometry.targetSize(width: w, height: h)
            XCTAssertEqual([t.width, t.height], [tw, th], "\(w)x\(h)")
        }
        let small = WanGeometry.targetSize(width: 1280, height: 720, maxPixels: 409_600)
        XCTAssertEqual([small.width, small.height], [848, 480])
        XCTAssertThrowsError(try WanGeometry(sourceWidth: 15, sourceHeight: 200)) {
            XCTAssertTrue("\($0)".contains("at least 16 pixels"), "\($0)")
        }
    }

    func testCoverResizeAndCrop() throws {
        let g = try WanGeometry(sourceWidth: 854, sourceHeight: 480)
        XCTAssertEqual([g.resizedWidth, g.resizedHeight, g.cropLeft, g.cropTop, g.modelWidth, g.modelHeight], [854, 480, 3, 0, 848, 480])
        XCTAssertTrue(try WanGeometry(sourceWidth: 96, sourceHeight: 64).isIdentity)
    }

    func testPillowResizeKeepsFlatImagesAndAveragesWhenShrinking() {
        let flat = RGBFrame(width: 10, height: 6, fill: (200, 100, 7))
        XCTAssertEqual(WanPillowResize.resize(flat, width: 4, height: 3), RGBFrame(width: 4, height: 3, fill: (200, 100, 7)))
        // 2:1 shrink of alternating 0/255 columns: the antialiased filter averages each pair (not point sampling)
        var px = [UInt8](repeating: 0, count: 8 * 1 * 3)
        for x in stride(from: 1, to: 8, by: 2) { for c in 0..<3 { px[x * 3 + c] = 255 } }
        let out = WanPillowResize.resize(RGBFrame(width: 8, height: 1, pixels: px), width: 4, height: 1)
        for x in 1..<3 { XCTAssertEqual(Int(out.pixels[x * 3]), 128, accuracy: 1, "\(out.pixels)") }
    }
}

final class WanCompositeTests: XCTestCase {
    func testUnchangedPixelsComeBackExactlyAndChangesAreCopied() throws {
        var original = RGBFrame(width: 48, height: 32, fill: (0, 0, 0))
        for i in 0..<original.pixels.count { original.pixels[i] = UInt8((i * 37) % 251) }
        let reference = RGBFrame(width: 48, height: 32, fill: (90, 90, 90))   // the VAE's reconstruction
        var output = reference
        for y in 20..<26 { for x in 10..<30 { for c in 0..<3 { output.pixels[(y * 48 + x) * 3 + c] = 250 } } }
        let g = try WanGeometry(sourceWidth: 48, sourceHeight: 32)
        let alpha = WanComposite().alpha(output: output, reference: reference)
        let out = WanComposite.compose(original: original, model: output, alpha: alpha, geometry: g)
        for y in 0..<32 {
            for x in 0..<48 {
                let i = (y * 48 + x) * 3
                if y < 17 || y > 28 || x < 7 || x > 32 {
                    XCTAssertEqual(Array(out.pixels[i..<i + 3]), Array(original.pixels[i..<i + 3]), "untouched at \(x),\(y)")
                } else if (22...23).contains(y) && (13...26).contains(x) {
                    XCTAssertEqual(Array(out.pixels[i..<i + 3]), [250, 250, 250], "replaced at \(x),\(y)")
                }
            }
        }
        // a VAE-sized difference (below `low`) changes nothing
        var slight = reference
        for i in 0..<slight.pixels.count { slight.pixels[i] &+= 6 }
        let none = WanComposite().alpha(output: slight, reference: reference)
        XCTAssertEqual(WanComposite.compose(original: original, model: slight, alpha: none, geometry: g), original)
    }

    func testCompositeMapsBackThroughResizeAndCrop() throws {
        // 100x70 source → model 96x64 (resized 96x67, crop top 2): a change in the model frame lands at the same place
        let g = try WanGeometry(sourceWidth: 100, sourceHeight: 70)
        let original = RGBFrame(width: 100, height: 70, fill: (10, 20, 30))
        var model = RGBFrame(width: 96, height: 64, fill: (10, 20, 30))
        for y in 40..<50 { for x in 30..<60 { for c in 0..<3 { model.pixels[(y * 96 + x) * 3 + c] = 255 } } }
        let alpha = WanComposite().alpha(output: model, reference: RGBFrame(width: 96, height: 64, fill: (10, 20, 30)))
        let out = WanComposite.compose(original: original, model: model, alpha: alpha, geometry: g)
        XCTAssertEqual(out.width, 100); XCTAssertEqual(out.height, 70)
        XCTAssertEqual(out.pixels[((46 + 2) * 100 + 47) * 3], 255, "centre of the change, shifted by the crop")
        XCTAssertEqual(Array(out.pixels[0..<3]), [10, 20, 30])
        let raw = WanComposite.compose(original: original, model: model, alpha: nil, geometry: g)
        XCTAssertEqual(raw.width, 100)
        XCTAssertEqual(raw.pixels[((46 + 2) * 100 + 47) * 3], 255)
    }

    func testFrameSampling() {
        XCTAssertEqual(WanEngine.sampledIndices(count: 9, ratio: 1), Array(0..<9))
        XCTAssertEqual(WanEngine.sampledIndices(count: 9, ratio: 0.5), [0, 2, 4, 6, 8])
        XCTAssertEqual(WanEngine.sampledIndices(count: 5, ratio: 0.01), [0])
    }
}

final class WanEngineTests: XCTestCase {
    func testMissingFilesAreNamedWithTheirExpectedPaths() throws {
        let folder = try PipelineFixtures.modelFolder(omit: ["dit", WanModelFolder.vaeFileName])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertThrowsError(try WanModelFolder(path: folder)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("\(folder)/diffusion_pytorch_model*.safetensors"), m)
            XCTAssertTrue(m.contains("\(folder)/Wan2.1_VAE.pth"), m)
            XCTAssertFalse(m.contains("umt5"), m)
            XCTAssertFalse(m.contains("\n"), m)
        }
        var options = EngineOptions()
        options.modelBasePath = folder
        options.loraCheckpoint = PipelineFixtures.loraPath
        XCTAssertThrowsError(try WanEngine(options: options)) { XCTAssertTrue("\($0)".contains("Wan2.1_VAE.pth"), "\($0)") }
    }

    func testEngineRawOutputIsThePipelineOutputAndCompositeKeepsCount() throws {
        let folder = try PipelineFixtures.modelFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let models = try PipelineFixtures.models(folder: folder)
        var s = PipelineFixtures.settings(tiled: false)
        s.steps = 1
        let frames = Array(try PipelineFixtures.frames("model_input").prefix(1))   // 48x32, one frame (latent 1)
        let raw = try WanEngine(models: models, settings: s, seed: 42, rawOutput: true)
        let rawOut = try raw.clean(frames)
        let pipe = try WanPipeline(dit: models.dit, vae: models.vae, context: models.context, settings: s)
        let video = try WanVideoTensor.video(frames, dtype: .f32)
        let direct = try WanVideoTensor.frames(pipe.run(video: video, noise: pipe.noise(video: video, seed: 42)).video, dtype: .f32)
        XCTAssertEqual(rawOut, direct, "--raw-output is the reference pipeline's output when no resize is needed")
        // 2 frames (not 4k+1): padded internally, 2 come back, each at the source size
        let two = Array(try PipelineFixtures.frames("source").prefix(2))   // 52x36
        let composite = try WanEngine(models: models, settings: s, seed: 42)
        let out = try composite.clean(two)
        XCTAssertEqual(out.count, 2)
        XCTAssertTrue(out.allSatisfy { $0.width == 52 && $0.height == 36 })
        // the cropped-away rows (resize 48x33 → crop rows 0..<32, i.e. the bottom source rows) are never changed
        for (o, i) in zip(out, two) { XCTAssertEqual(Array(o.pixels.suffix(52 * 3)), Array(i.pixels.suffix(52 * 3))) }
    }
}

// The training code (design §5), not the full training: on one tiny fixed batch made by the real
// pair sampler (libass subtitles over a moving photo), a few Stage I and Stage II steps reduce the loss.
import XCTest
import ClearLite
import ClearTensor

final class TrainingTests: XCTestCase {
    func tinyBatch() throws -> TrainingBatch {
        var px = [UInt8](repeating: 0, count: 96 * 64 * 3)
        for i in 0..<px.count { px[i] = UInt8((i * 37 + (i / 288) * 11) % 200) }
        let source = CleanSource(name: "pattern", width: 96, height: 64, frames: [px])
        let sampler = try PairSampler(sources: [source], crop: 32, seed: 4, scripts: 1)
        return try sampler.batch(2)
    }

    func testStageOneAndTwoStepsReduceTheLoss() throws {
        let batch = try tinyBatch()
        XCTAssertEqual(batch.window.shape, [2, 15, 32, 32])
        let one = try StageOne(seed: 1, learningRate: 3e-3)
        let first1 = try one.step(batch).total
        var last1 = first1
        for _ in 0..<6 { last1 = try one.step(batch).total }
        XCTAssertLessThan(last1, first1)

        let prior = one.weights
        let two = try StageTwo(seed: 1, prior: prior, totalSteps: 8, learningRate: 3e-3)
        XCTAssertEqual(two.distillation(at: 0), two.distillationWeight)
        XCTAssertEqual(two.distillation(at: 8), 0)
        let first2 = try two.step(batch, index: 0).total
        var last2 = first2
        for i in 1..<8 { last2 = try two.step(batch, index: i).total }
        XCTAssertLessThan(last2, first2)
    }

    /// Restoration-only Stage II: the occlusion head keeps its exact weights, the restoration
    /// network starts again with its last layer at 0 (no residual on the fill) and then learns one.
    func testRestorationOnlyKeepsTheHeadAndRetrainsTheRestoration() throws {
        let batch = try tinyBatch()
        let trained = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 5)
        let headBefore = LiteArchitecture.occlusion.map { trained.weight($0.name).value.floats() + trained.bias($0.name).value.floats() }
        let oldD1 = trained.weight("res.d1").value.floats()
        XCTAssertThrowsError(try StageTwo(seed: 1, prior: nil, totalSteps: 4, restorationOnly: true))
        let two = try StageTwo(seed: 2, prior: nil, totalSteps: 6, learningRate: 3e-3, resume: trained, restorationOnly: true)
        XCTAssertEqual(two.weights.weight("res.out").value.floats().map(abs).max(), 0)
        XCTAssertNotEqual(two.weights.weight("res.d1").value.floats(), oldD1, "the restoration network starts afresh")
        XCTAssertEqual(two.optimizer.parameters.count, 2 * LiteArchitecture.restoration.count)
        let first = try two.step(batch, index: 0)
        XCTAssertEqual(first.parts.first { $0.0 == "residual" }?.1, 0, "a zero last layer adds nothing at the first step")
        var last = first
        for i in 1..<6 { last = try two.step(batch, index: i) }
        XCTAssertGreaterThan(last.parts.first { $0.0 == "residual" }?.1 ?? 0, 0)
        XCTAssertGreaterThan(two.weights.weight("res.out").value.floats().map(abs).max() ?? 0, 0)
        let headAfter = LiteArchitecture.occlusion.map { two.weights.weight($0.name).value.floats() + two.weights.bias($0.name).value.floats() }
        XCTAssertEqual(headAfter, headBefore, "the occlusion head is frozen")
    }

    /// Hole training: the head and the restoration network keep their exact weights, a hole
    /// network is added with its last layer at 0 (every logit 0: the whole support released) and
    /// its cross-entropy falls on a fixed batch.
    func testHoleStageKeepsTheEngineAndTrainsTheHoleNetwork() throws {
        let batch = try tinyBatch()
        let trained = try LiteWeights(layers: LiteArchitecture.engineLayers, path: LiteEngine.bundledWeightsPath)   // a head that finds the subtitle
        let engineBefore = LiteArchitecture.engineLayers.map { trained.weight($0.name).value.floats() + trained.bias($0.name).value.floats() }
        XCTAssertGreaterThan(batch.alpha.floats().filter { $0 > 0 }.count, 50, "the batch shows a subtitle")
        let stage = HoleStage(seed: 2, learningRate: 3e-3, resume: trained)
        XCTAssertTrue(stage.weights.hasHoleNetwork)
        XCTAssertEqual(stage.optimizer.parameters.count, 2 * LiteArchitecture.hole.count)
        let first = try stage.step(batch)
        XCTAssertGreaterThan(first.parts.first { $0.0 == "support" }?.1 ?? 0, 0, "the head marks it")
        XCTAssertEqual(first.total, Float(log(2.0)), accuracy: 1e-5, "logits of 0 at the first step")
        XCTAssertEqual(first.parts.first { $0.0 == "released" }?.1, 1)
        var last = first
        for _ in 0..<8 { last = try stage.step(batch) }
        XCTAssertLessThan(last.total, first.total)
        let engineAfter = LiteArchitecture.engineLayers.map { stage.weights.weight($0.name).value.floats() + stage.weights.bias($0.name).value.floats() }
        XCTAssertEqual(engineAfter, engineBefore, "the engine's networks are frozen")
        // resuming weights that hold a hole network trains it further
        XCTAssertIdentical(HoleStage(seed: 3, learningRate: 1e-3, resume: stage.weights).weights, stage.weights)
    }

    /// Frame k of sample b of a window batch, as floats.
    private func windowFrame(_ batch: TrainingBatch, _ b: Int, _ k: Int) -> [Float] {
        let plane = 3 * batch.window.shape[2] * batch.window.shape[3]
        let all = batch.window.floats()
        return Array(all[(b * LiteArchitecture.window + k) * plane..<(b * LiteArchitecture.window + k + 1) * plane])
    }

    /// Boundary windows: over a flat grey scene without noise, a frame is grey exactly when it
    /// shows no subtitle; every boundary window has such a frame, and some frame with text.
    func testBoundaryWindowsCrossACueStartOrEnd() throws {
        let grey = CleanSource(name: "grey", width: 96, height: 64, frames: [[UInt8](repeating: 128, count: 96 * 64 * 3)])
        let sampler = try PairSampler(sources: [grey], crop: 64, seed: 9, scripts: 1, sceneTextCopies: 0)
        sampler.maxNoise = 0; sampler.textCropProbability = 1; sampler.boundaryShare = 1
        let batch = try sampler.batch(8)
        let flat = [Float](repeating: 128 / 255, count: 3 * 64 * 64)
        var withText = 0
        for b in 0..<8 {
            let shown = (0..<LiteArchitecture.window).filter { windowFrame(batch, b, $0).enumerated().contains { abs($0.element - flat[$0.offset]) > 1e-6 } }.count
            XCTAssertLessThan(shown, LiteArchitecture.window, "sample \(b): every frame shows a subtitle")
            withText += shown
        }
        XCTAssertGreaterThan(withText, 0)
    }

    /// Edge windows repeat the first or last frames, as the engine does at a clip's ends.
    func testEdgeWindowsRepeatAnEdgeFrame() throws {
        var px = [UInt8](repeating: 0, count: 96 * 64 * 3)
        for i in 0..<px.count { px[i] = UInt8((i * 37 + (i / 288) * 11) % 200) }
        let source = CleanSource(name: "pattern", width: 96, height: 64, frames: [px])
        let sampler = try PairSampler(sources: [source], crop: 32, seed: 4, scripts: 1, sceneTextCopies: 0)
        sampler.edgeShare = 1
        let batch = try sampler.batch(6)
        for b in 0..<6 {
            let f = (0..<LiteArchitecture.window).map { windowFrame(batch, b, $0) }
            XCTAssertTrue(f[0] == f[1] || f[3] == f[4], "sample \(b) repeats no edge frame")
        }
    }
}

extension TrainingTests {
    /// Moving objects (hard negatives) cross the crop at the centre frame, move or flutter from
    /// frame to frame, and are scenery: they are in the clean frame, and α stays 0 on them.
    func testMovingObjectsCrossTheCropAndAreScenery() throws {
        let grey = CleanSource(name: "grey", width: 96, height: 64, frames: [[UInt8](repeating: 128, count: 96 * 64 * 3)])
        // a flat source: whatever differs between frames outside the subtitles is an object
        // (a photo patch of it is flat too; the striped ones show)
        let sampler = try PairSampler(sources: [grey], crop: 64, seed: 3, scripts: 1, sceneTextCopies: 0)
        sampler.maxNoise = 0; sampler.movingObjectShare = 1
        let batch = try sampler.batch(12)
        let plane = 64 * 64
        var moved = 0, painted = 0
        for b in 0..<12 {
            let clean = Array(UnsafeBufferPointer(start: batch.cleanCentre.f32 + b * 3 * plane, count: 3 * plane))
            let alpha = Array(UnsafeBufferPointer(start: batch.alpha.f32 + b * plane, count: plane))
            let first = windowFrame(batch, b, 0), last = windowFrame(batch, b, LiteArchitecture.window - 1)
            let centre = windowFrame(batch, b, LiteArchitecture.window / 2)
            // where no subtitle lies, the window's centre frame is the clean frame (objects included)
            for i in 0..<plane where alpha[i] == 0 {
                for c in 0..<3 { XCTAssertEqual(centre[c * plane + i], clean[c * plane + i], accuracy: 1e-6) }
            }
            // somewhere in the crop the frames differ where neither shows a subtitle: the objects moved
            if (0..<(3 * plane)).contains(where: { alpha[$0 % plane] == 0 && abs(first[$0] - last[$0]) > 0.05 }) { moved += 1 }
            if clean.contains(where: { abs($0 - 128 / 255) > 1e-6 }) { painted += 1 }
        }
        XCTAssertGreaterThan(painted, 3, "striped objects should show in the clean centre frame")
        XCTAssertGreaterThan(moved, 3, "objects should move or flutter between the window's first and last frames")
    }
}

extension TrainingTests {
    /// Mean length of the horizontal runs of α > 0 (stroke and outline widths) over a batch.
    func meanAlphaRun(_ batch: TrainingBatch, samples: Int, crop s: Int) -> Double {
        var total = 0, runs = 0
        for b in 0..<samples {
            let a = UnsafeBufferPointer(start: batch.alpha.f32 + b * s * s, count: s * s)
            for y in 0..<s {
                var x = 0
                while x < s {
                    if a[y * s + x] > 0 {
                        var e = x
                        while e < s && a[y * s + e] > 0 { e += 1 }
                        total += e - x; runs += 1; x = e
                    } else { x += 1 }
                }
            }
        }
        return runs == 0 ? 0 : Double(total) / Double(runs)
    }

    /// The canvas sets the glyph size: libass draws text by the canvas height, so on a 1080-row
    /// canvas the runs of α > 0 (strokes, outlines) in the crop are about 2.3 times as long as on
    /// a 360-row one (the text is 3 times as large; runs that merge or leave the crop make it less).
    func testCanvasSizeSetsTheGlyphSize() throws {
        let grey = CleanSource(name: "grey", width: 96, height: 64, frames: [[UInt8](repeating: 128, count: 96 * 64 * 3)])
        func run(_ canvas: CanvasSize) throws -> Double {
            let sampler = try PairSampler(sources: [grey], crop: 64, seed: 5, scripts: 1, sceneTextCopies: 0,
                                          presets: [.classic], canvases: [canvas])
            sampler.maxNoise = 0; sampler.textCropProbability = 1
            return meanAlphaRun(try sampler.batch(8), samples: 8, crop: 64)
        }
        let small = try run(CanvasSize(640, 360)), large = try run(CanvasSize(1920, 1080))
        XCTAssertGreaterThan(small, 0, "no subtitle pixels in the crops")
        XCTAssertGreaterThan(large, 1.8 * small, "strokes \(large) px on 1080 rows against \(small) px on 360")
    }

    func testCanvasSizesParseAndMustHoldTheCrop() throws {
        XCTAssertEqual(CanvasSize(parsing: "1920x1080"), CanvasSize(1920, 1080))
        XCTAssertEqual(CanvasSize(parsing: "540X960"), CanvasSize(540, 960))
        XCTAssertNil(CanvasSize(parsing: "1920"))
        XCTAssertNil(CanvasSize(parsing: "0x100"))
        XCTAssertNil(CanvasSize(parsing: "axb"))
        XCTAssertEqual(PairSampler.defaultCanvases.map(\.description), ["640x360", "960x540", "1280x720"])
        let grey = CleanSource(name: "grey", width: 96, height: 64, frames: [[UInt8](repeating: 128, count: 96 * 64 * 3)])
        XCTAssertThrowsError(try PairSampler(sources: [grey], crop: 128, seed: 1, scripts: 1, sceneTextCopies: 0,
                                             canvases: [CanvasSize(640, 100)]))
    }
}

// Training under the engine's conditions (twenty-sixth session): the subtitled windows' x264
// round trip (`CodecRoundTrip`), the batch made one step ahead (`BatchPrefetch`), and the
// directional fill of restoration-only training being the engine's own fill.
import XCTest
@testable import ClearLite
import ClearMedia
import ClearTensor

final class CodecRoundTripTests: XCTestCase {
    /// Every frame comes back, in order, close to what went in but not bit for bit (it was encoded).
    func testRoundTripGivesEveryFrameBackInOrderAfterAnEncode() throws {
        let (n, frames, s) = (2, LiteArchitecture.window, 32)
        let plane = s * s
        let window = Tensor(shape: [n, 3 * frames, s, s], dtype: .f32, zeroed: false)
        var means: [Float] = []
        for k in 0..<(n * frames) {
            let level = Float(20 + 20 * k) / 255
            means.append(level)
            for c in 0..<3 { for i in 0..<plane {
                // a flat level with a sharp white bar (a glyph's edge for the codec to smear)
                let (x, y) = (i % s, i / s)
                (window.f32 + (k * 3 + c) * plane)[i] = (10..<14).contains(x) && y > 4 && y < 28 ? 1 : level
            } }
        }
        let before = window.floats()
        try CodecRoundTrip.apply(to: window, crf: 24)
        let after = window.floats()
        XCTAssertEqual(window.shape, [n, 3 * frames, s, s])
        for k in 0..<(n * frames) {
            // a corner far from the bar keeps its frame's level
            let corner = after[k * 3 * plane + 30 * s + 28]
            XCTAssertEqual(corner, means[k], accuracy: 3 / 255, "frame \(k)")
        }
        let diff = zip(before, after).map { abs($0 - $1) }
        XCTAssertGreaterThan(diff.max() ?? 0, 1.5 / 255, "an encode at CRF 24 changes some pixel")
        XCTAssertLessThan(diff.reduce(0, +) / Float(diff.count), 4 / 255, "but stays close on average")
    }

    /// The prefetched batches are those made one by one, in step order; an error reaches the step
    /// that needs the batch.
    func testPrefetchGivesTheBatchesInStepOrder() throws {
        struct Failure: Error {}
        let make = { (i: Int) throws -> TrainingBatch in
            if i == 3 { throw Failure() }
            let t = try Tensor(shape: [1, 1, 1, 1], values: [Float(i)])
            return TrainingBatch(window: t, cleanCentre: t, alpha: t)
        }
        let ahead = BatchPrefetch(make)
        for i in 0..<3 {
            XCTAssertEqual(try ahead.take(i, prefetchNext: true).window.floats(), [Float(i)])
        }
        XCTAssertThrowsError(try ahead.take(3, prefetchNext: false))
        XCTAssertEqual(try ahead.take(5, prefetchNext: false).window.floats(), [5], "a step not made ahead is made now")
    }

    /// Restoration-only training fills the hole exactly as the engine does.
    func testTrainingFillIsTheEnginesDirectionalFill() throws {
        let (w, h) = (40, 24)
        var frames: [RGBFrame] = []
        for f in 0..<LiteArchitecture.window {
            var px = [UInt8](repeating: 0, count: w * h * 3)
            for i in 0..<px.count { px[i] = UInt8((i * 13 + f * 7 + (i / (w * 3)) * 29) % 251) }
            frames.append(RGBFrame(width: w, height: h, pixels: px))
        }
        var alpha = [Float](repeating: 0, count: w * h)
        for y in 8..<14 { for x in 5..<33 where (x / 3) % 2 == 0 { alpha[y * w + x] = 0.8 } }
        let settings = LiteEngine.directionalSettings(scale: 1)
        let engine = LiteFeatures.centreFillPlanar(frames, x0: 0, y0: 0, w: w, h: h, alpha: alpha, directional: settings)
        let window = LiteFeatures.window(frames, x0: 0, y0: 0, w: w, h: h)
        let training = try LiteFeatures.centreFill(window: window, hole: alpha.map { $0 > 0 ? 1 : 0 }, directional: settings)
        XCTAssertEqual(training.floats(), engine)
        let pushPull = try LiteFeatures.centreFill(window: window, hole: alpha.map { $0 > 0 ? 1 : 0 })
        XCTAssertNotEqual(pushPull.floats(), engine, "the directional fill is not push-pull here")
    }
}

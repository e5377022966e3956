// The lite engine's background memory (BackgroundPlate): a still shot gets back the scenery that
// earlier frames showed behind a later subtitle; moved scenery and faint, fading text do not.
import XCTest
import ClearLite
import ClearMedia
import ClearTensor

final class BackgroundPlateTests: XCTestCase {
    /// A still 96×64 textured background (the fixture's, one seed for every frame).
    let still = EngineFixtures.frame(width: 96, height: 64, seed: 3)
    let bar = (x: 20, y: 28, w: 50, h: 6)

    func withBar(_ f: RGBFrame, opacity: Float = 1) -> RGBFrame {
        var g = f
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) { for c in 0..<3 {
            let p = (y * 96 + x) * 3 + c
            g.pixels[p] = UInt8((Float(f.pixels[p]) + opacity * (255 - Float(f.pixels[p]))).rounded())
        } } }
        return g
    }

    func barAlpha() -> AlphaMap {
        var v = [Float](repeating: 0, count: 96 * 64)
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) { v[y * 96 + x] = 1 } }
        return AlphaMap(width: 96, height: 64, values: v)
    }

    let empty = AlphaMap(width: 96, height: 64, values: [Float](repeating: 0, count: 96 * 64))
    let whole = TileRegion(x: 0, y: 0, width: 96, height: 64)

    func testNearSubtitleIsASquareRingOfGuardDistance() {
        var plate = BackgroundPlate(width: 96, height: 64)
        plate.settings.guardDistance = 3
        var v = [Float](repeating: 0, count: 96 * 64)
        v[30 * 96 + 40] = 0.5
        let near = plate.nearSubtitle(AlphaMap(width: 96, height: 64, values: v))
        for y in 0..<64 { for x in 0..<96 {
            XCTAssertEqual(near[y * 96 + x], abs(x - 40) <= 3 && abs(y - 30) <= 3 ? 1 : 0, "(\(x), \(y))")
        } }
        XCTAssertEqual(plate.nearSubtitle(empty), [UInt8](repeating: 0, count: 96 * 64))
        // two pixels far apart, one at the frame's corner: two squares, clipped at the edges
        var two = [Float](repeating: 0, count: 96 * 64)
        two[2 * 96 + 1] = 1; two[62 * 96 + 94] = 0.3
        let ring = plate.nearSubtitle(AlphaMap(width: 96, height: 64, values: two))
        for y in 0..<64 { for x in 0..<96 {
            let inside = (abs(x - 1) <= 3 && abs(y - 2) <= 3) || (abs(x - 94) <= 3 && abs(y - 62) <= 3)
            XCTAssertEqual(ring[y * 96 + x], inside ? 1 : 0, "(\(x), \(y))")
        } }
    }

    /// Two clean frames, then a bar: the plate gives back the exact background under the bar.
    func testStillShotGetsBackTheSceneryBehindALaterSubtitle() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        let frame = withBar(still), alpha = barAlpha()
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        let n = plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: frame, near: plate.nearSubtitle(alpha)))
        XCTAssertEqual(n, bar.w * bar.h)
        let out = restored.f32
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) { for c in 0..<3 {
            XCTAssertEqual(out[c * 96 * 64 + y * 96 + x], Float(still.pixels[(y * 96 + x) * 3 + c]) / 255)
        } } }
        XCTAssertEqual(out[0], 0, "pixels with α = 0 are not written")
    }

    /// The camera moved (the background shifted by 3 px): the block test fails, nothing is replaced.
    func testMovedSceneryKeepsTheNetworkRestoration() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        var shifted = still
        for y in 0..<64 { for x in 0..<93 { for c in 0..<3 { shifted.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x + 3) * 3 + c] } } }
        let alpha = barAlpha()
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        let near = plate.nearSubtitle(alpha)
        XCTAssertEqual(plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(shifted), near: near)), 0)
        XCTAssertLessThan(plate.stillFraction(frame: shifted, near: near), 0.9, "a moved frame is not still")
        XCTAssertEqual(plate.stillFraction(frame: still, near: near), 1)
        XCTAssertTrue(restored.floats().allSatisfy { $0 == 0 })
    }

    /// A subtitle fading in is missed by α while faint (α = 0 there): its pixels change every
    /// frame, so the plate keeps the background recorded before it.
    func testFadingSubtitleMissedByAlphaIsNotRecorded() {
        var plate = BackgroundPlate(width: 96, height: 64)
        let frames = [still, still, withBar(still, opacity: 0.3), withBar(still, opacity: 0.6), withBar(still, opacity: 0.9)]
        for f in frames { plate.record(f, near: plate.nearSubtitle(empty)) }
        let alpha = barAlpha()
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        XCTAssertEqual(plate.apply(to: restored, region: whole, alpha: alpha,
                                   matches: plate.matchingBlocks(frame: withBar(still), near: plate.nearSubtitle(alpha))), bar.w * bar.h)
        let p = (bar.y * 96 + bar.x + 5) * 3
        XCTAssertEqual(restored.f32[bar.y * 96 + bar.x + 5], Float(still.pixels[p]) / 255, "the background, not the faint bar")
        // A pixel seen only once (no stable run yet) is not known: nothing to give back.
        var fresh = BackgroundPlate(width: 96, height: 64)
        fresh.record(still, near: fresh.nearSubtitle(empty))
        XCTAssertEqual(fresh.apply(to: restored, region: whole, alpha: alpha,
                                   matches: fresh.matchingBlocks(frame: withBar(still), near: fresh.nearSubtitle(alpha))), 0)
    }

    /// α stopped short of the bar's 2-pixel dark outline: in a still frame the plate completes it
    /// (the outline differs from the remembered background), and nothing else; not when the
    /// frame is not still, nor with completion off.
    func testCompletionAddsTheOutlineTheHeadMissed() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        var frame = withBar(still)
        var outline = Set<Int>()
        for y in (bar.y - 2)..<(bar.y + bar.h + 2) { for x in (bar.x - 2)..<(bar.x + bar.w + 2)
            where !(bar.y..<(bar.y + bar.h)).contains(y) || !(bar.x..<(bar.x + bar.w)).contains(x) {
            outline.insert(y * 96 + x)
            for c in 0..<3 { frame.pixels[(y * 96 + x) * 3 + c] = 0 }
        } }
        let alpha0 = barAlpha(), near = plate.nearSubtitle(alpha0)
        var alpha = alpha0
        // outline pixels over a background within 24 levels of black match the plate and stay out
        func differs(_ i: Int) -> Bool { (0..<3).contains { Int(still.pixels[3 * i + $0]) > 24 } }
        let n = plate.complete(&alpha, near: near, matches: plate.matchingBlocks(frame: frame, near: near), frame: frame)
        for i in 0..<(96 * 64) {
            let expected: Float = alpha0.values[i] > 0 || (outline.contains(i) && differs(i)) ? 1 : 0
            XCTAssertEqual(alpha.values[i], expected, "pixel \(i % 96), \(i / 96)")
        }
        XCTAssertEqual(n, outline.filter(differs).count)
        XCTAssertGreaterThan(n, outline.count / 2)
        var off = plate
        off.settings.completionDifference = nil
        var untouched = alpha0
        XCTAssertEqual(off.complete(&untouched, near: near, matches: plate.matchingBlocks(frame: frame, near: near), frame: frame), 0)
        XCTAssertEqual(untouched.values, alpha0.values)
        var strict = plate
        strict.settings.completionStillFraction = 1.01
        XCTAssertEqual(strict.complete(&untouched, near: near, matches: plate.matchingBlocks(frame: frame, near: near), frame: frame), 0)
    }

    /// In the engine: on a still shot whose bar appears at frame 2, the memory puts back the
    /// background under the bar; α = 0 pixels stay bit-identical; a new video starts empty.
    func testEngineUsesTheMemoryOnAStillShotAndForgetsItPerVideo() throws {
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        let frames = [still, still] + (0..<4).map { _ in withBar(still) }
        let withMemory = try engine.clean(frames)
        engine.backgroundMemory = nil
        let without = try engine.clean(frames)
        engine.backgroundMemory = BackgroundMemorySettings()
        for t in 2..<6 {
            let alpha = try engine.alphaMap(frames, at: t)
            var full = 0, memoryError = 0, networkError = 0
            for i in 0..<(96 * 64) {
                if alpha.values[i] == 0 {
                    XCTAssertEqual(withMemory[t].pixels[(3 * i)..<(3 * i + 3)], frames[t].pixels[(3 * i)..<(3 * i + 3)])
                } else if alpha.values[i] >= 1 {
                    full += 1
                    for c in 0..<3 {
                        memoryError = max(memoryError, abs(Int(withMemory[t].pixels[3 * i + c]) - Int(still.pixels[3 * i + c])))
                        networkError = max(networkError, abs(Int(without[t].pixels[3 * i + c]) - Int(still.pixels[3 * i + c])))
                    }
                }
            }
            XCTAssertGreaterThan(full, 200, "frame \(t): the bar must be detected with α = 1")
            XCTAssertLessThanOrEqual(memoryError, 1, "frame \(t): the background comes back")
            XCTAssertGreaterThan(networkError, 10, "frame \(t): the network alone cannot know the texture")
        }
        // Same call again: the memory starts empty, the result is the same.
        XCTAssertEqual(try engine.clean(frames), withMemory)
        // A video that starts with the bar has nothing to remember under it.
        let late = Array(frames[2...])
        let lateWithMemory = try engine.clean(late)
        engine.backgroundMemory = nil
        XCTAssertEqual(lateWithMemory, try engine.clean(late))
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "0"]).backgroundMemory)
        XCTAssertEqual(try LiteEngine.configured(environment: [:]).backgroundMemory, BackgroundMemorySettings())
        var custom = BackgroundMemorySettings()
        custom.tolerance = 3; custom.contextBlocks = 1; custom.completionDifference = nil
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "tolerance=3, context=1,complete=off"]).backgroundMemory, custom)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "tolerance=x"])) {
            XCTAssertTrue("\($0)".contains("CLEARSUB_LITE_BACKGROUND_MEMORY"))
        }
        // the other overrides still apply when the memory is switched off
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "0", "CLEARSUB_LITE_PRECISION": "f32"]).restorationPrecision, .f32)
    }
}

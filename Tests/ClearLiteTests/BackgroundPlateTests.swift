// The lite engine's background memory (BackgroundPlate): a still shot gets back the scenery that
// earlier frames showed behind a later subtitle; moved scenery and faint, fading text do not.
import XCTest
@testable import ClearLite
import ClearMedia
import ClearSIMD
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

    /// With `averageFrames`, the plate is the running mean of a still pixel's noisy values:
    /// +2, −2, +2, −2 levels of noise average to the background itself.
    func testRunningMeanAveragesTheNoiseOfAStillShot() {
        func noisy(_ d: Int) -> RGBFrame {
            var f = still
            for i in 0..<f.pixels.count { f.pixels[i] = UInt8(min(255, max(0, Int(f.pixels[i]) + d))) }
            return f
        }
        let frames = [2, -2, 2, -2].map(noisy), alpha = barAlpha()
        for average in [1, 4] {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.averageFrames = average
            for f in frames { plate.record(f, near: plate.nearSubtitle(empty)) }
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            let frame = withBar(frames[3])
            plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: frame, near: plate.nearSubtitle(alpha)))
            var checked = 0
            for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) { for c in 0..<3 {
                let v = Int(still.pixels[(y * 96 + x) * 3 + c])
                guard v >= 2 && v <= 253 else { continue }
                // the mean is the background; the last value is 2 levels below it
                XCTAssertEqual(restored.f32[c * 96 * 64 + y * 96 + x] * 255, Float(average == 1 ? v - 2 : v), accuracy: 1e-3)
                checked += 1
            } } }
            XCTAssertGreaterThan(checked, bar.w * bar.h)
        }
    }

    /// `recordClean` (a frame beside a cue): the plate gives its pixels back under a later
    /// subtitle, but they are not context for the scenery test, and a stable sighting is kept.
    func testCleanFrameIsGivenBackButIsNotContext() {
        var plate = BackgroundPlate(width: 96, height: 64)
        let alpha = barAlpha()
        var all = [UInt8](repeating: 1, count: 96 * 64)
        plate.recordClean(still, at: all)
        let frame = withBar(still)
        let near = plate.nearSubtitle(alpha)
        // no stable sighting anywhere: no context, so no block matches yet
        XCTAssertFalse(plate.matchingBlocks(frame: frame, near: near).contains(true))
        XCTAssertEqual(plate.stillFraction(frame: frame, near: near), 0)
        // two stable frames away from the bar make the context; the bar's pixels stay provisional and are given back
        var ring = [UInt8](repeating: 0, count: 96 * 64)
        for i in near.indices where near[i] != 0 { ring[i] = 1 }
        for _ in 0..<2 { plate.record(still, near: ring) }
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        let n = plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: frame, near: near))
        XCTAssertEqual(n, bar.w * bar.h)
        XCTAssertEqual(restored.f32[bar.y * 96 + bar.x], Float(still.pixels[(bar.y * 96 + bar.x) * 3]) / 255)
        // a later clean frame replaces the provisional values, not the stable sightings
        var darker = still
        for i in 0..<darker.pixels.count { darker.pixels[i] = darker.pixels[i] / 2 }
        all = [UInt8](repeating: 1, count: 96 * 64)
        plate.recordClean(darker, at: all)
        let again = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        plate.apply(to: again, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: frame, near: near))
        XCTAssertEqual(again.f32[0 * 96 + 0], 0, "α = 0 pixels are not written")
        XCTAssertEqual(again.f32[bar.y * 96 + bar.x], Float(still.pixels[(bar.y * 96 + bar.x) * 3] / 2) / 255,
                       "the bar's pixels were provisional, so the newer clean frame replaces them")
        let outside = (bar.y - 10) * 96 + bar.x
        XCTAssertEqual(Array(plate.rgb[outside * 3..<outside * 3 + 3]), Array(still.pixels[outside * 3..<outside * 3 + 3]), "a stable sighting is kept")
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
        let candidates = plate.completionCandidates(alpha0)
        let matches = plate.matchingBlocks(frame: frame, near: near, testing: candidates)
        let n = plate.complete(&alpha, near: near, candidates: candidates, matches: matches, frame: frame)
        for i in 0..<(96 * 64) {
            let expected: Float = alpha0.values[i] > 0 || (outline.contains(i) && differs(i)) ? 1 : 0
            XCTAssertEqual(alpha.values[i], expected, "pixel \(i % 96), \(i / 96)")
        }
        XCTAssertEqual(n, outline.filter(differs).count)
        XCTAssertGreaterThan(n, outline.count / 2)
        var off = plate
        off.settings.completionDifference = nil
        var untouched = alpha0
        XCTAssertEqual(off.complete(&untouched, near: near, candidates: candidates, matches: matches, frame: frame), 0)
        XCTAssertEqual(untouched.values, alpha0.values)
        var strict = plate
        strict.settings.completionStillFraction = 1.01
        XCTAssertEqual(strict.complete(&untouched, near: near, candidates: candidates, matches: matches, frame: frame), 0)
    }

    /// The head missed the bar entirely (α = 0 everywhere) and the bar stands still: in a still
    /// frame the plate holds the background for `holdFrames` stable frames, then takes the bar;
    /// in a frame that is not still, it takes the bar after `stableFrames` as before.
    func testStillFrameHoldsThePlateAgainstAMissedSubtitle() {
        var plate = BackgroundPlate(width: 96, height: 64)
        plate.settings.holdFrames = 5
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty), still: true) }
        var taken = plate
        let barred = withBar(still), alpha = barAlpha(), near = plate.nearSubtitle(alpha)
        func given(_ p: BackgroundPlate) -> Float {
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            p.apply(to: restored, region: whole, alpha: alpha, matches: p.matchingBlocks(frame: barred, near: near))
            return restored.f32[bar.y * 96 + bar.x + 5]
        }
        let background = Float(still.pixels[(bar.y * 96 + bar.x + 5) * 3]) / 255
        for _ in 0..<4 { plate.record(barred, near: plate.nearSubtitle(empty), still: true) }
        XCTAssertEqual(given(plate), background, "held: 4 stable frames < holdFrames")
        plate.record(barred, near: plate.nearSubtitle(empty), still: true)
        XCTAssertEqual(given(plate), 1, "5 stable frames: the lasting change is scenery")
        for _ in 0..<2 { taken.record(barred, near: taken.nearSubtitle(empty), still: false) }
        XCTAssertEqual(given(taken), 1, "not still: recorded after stableFrames")
        var off = BackgroundPlate(width: 96, height: 64)
        off.settings.holdFrames = 0
        for f in [still, still, barred, barred] { off.record(f, near: off.nearSubtitle(empty), still: true) }
        XCTAssertEqual(given(off), 1, "hold off")
    }

    /// A block's scenery matches when at least `contextShare` (0.8) of its context pixels are
    /// within 8 levels of the plate: every 10th column changed strongly (a missed outline's
    /// share) still matches, every 3rd column does not; for the completion (0.95) every 10th
    /// column is already too much.
    func testContextShareToleratesAThinMissedOutline() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        let alpha = barAlpha(), near = plate.nearSubtitle(alpha)
        func striped(every k: Int) -> RGBFrame {
            var f = withBar(still)
            for y in 0..<64 { for x in stride(from: 0, to: 96, by: k) where near[y * 96 + x] == 0 { for c in 0..<3 {
                f.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] > 127 ? 0 : 255
            } } }
            return f
        }
        let tested = plate.matchingBlocks(frame: withBar(still), near: near).filter { $0 }.count
        XCTAssertGreaterThan(tested, 0)
        XCTAssertEqual(plate.matchingBlocks(frame: striped(every: 10), near: near).filter { $0 }.count, tested)
        XCTAssertEqual(plate.matchingBlocks(frame: striped(every: 3), near: near).filter { $0 }.count, 0)
        // the completion's stricter share (0.95) in the same pass: every 10th column is too much
        let both = plate.matchingBlocks(frame: striped(every: 10), near: near, testing: nil,
                                        shares: [plate.settings.contextShare, plate.settings.completionShare])
        XCTAssertEqual(both[0], plate.matchingBlocks(frame: striped(every: 10), near: near))
        XCTAssertEqual(both[1].filter { $0 }.count, 0)
        XCTAssertEqual(plate.matchingBlocks(frame: withBar(still), near: near, testing: nil, shares: [0.95])[0].filter { $0 }.count, tested)
    }

    /// The freshness rule: a patch of the context (a person, say) changes while the bar hides
    /// the scenery under it and then holds still. The context matches the plate again, but what the
    /// plate holds under the bar was seen before that change: with `freshShare` the blocks beside the
    /// patch are stale and nothing is given back there. The same change before the bar appeared
    /// (the bar's pixels were seen after it) leaves them fresh, and so does a context that held still.
    func testFreshnessRuleRejectsScenerySeenBeforeTheContextChanged() {
        let alpha = barAlpha()
        var moved = still   // a 40 × 20 patch just above the bar's left half turns dark and stays
        for y in 4..<24 { for x in 16..<56 { for c in 0..<3 { moved.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] / 4 } } }
        func replaced(fresh: Float?, changeFirst: Bool, change: Bool = true) -> Int {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.freshShare = fresh
            plate.settings.contextBlocks = 1; plate.settings.freshBlocks = 1; plate.settings.minimumContext = 16
            let after = change ? moved : still
            let near = plate.nearSubtitle(alpha), clear = plate.nearSubtitle(empty)
            for _ in 0..<2 { plate.record(still, near: clear) }
            if changeFirst { for _ in 0..<3 { plate.record(after, near: clear) } }
            for _ in 0..<3 { plate.record(withBar(changeFirst ? after : still), near: near) }
            if !changeFirst { for _ in 0..<3 { plate.record(withBar(after), near: near) } }
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            return plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(after), near: near))
        }
        let all = bar.w * bar.h
        XCTAssertEqual(replaced(fresh: nil, changeFirst: false), all, "without the rule the changed context matches again")
        let stale = replaced(fresh: 0.8, changeFirst: false)
        XCTAssertGreaterThan(stale, 0, "blocks far from the patch are still given back")
        XCTAssertLessThan(stale, all, "blocks beside the patch are stale")
        XCTAssertEqual(replaced(fresh: 0.8, changeFirst: true), all, "a change before the bar appeared is not staleness")
        XCTAssertEqual(replaced(fresh: 0.8, changeFirst: false, change: false), all, "a context that held still keeps the plate")
    }

    /// The freshness rule's drift (`freshDrift`): the patch above the bar darkens by 10 levels every
    /// 3 frames while the bar hides the scenery, so no record moves its plate value by 24 at once.
    /// Without drift the context looks unchanged and the old view comes back everywhere; with it,
    /// 40 levels in all make the blocks beside the patch stale, and 20 levels in all do not.
    func testFreshnessRuleSeesASlowDriftOfTheContext() {
        let alpha = barAlpha()
        func drifted(_ k: Int) -> RGBFrame {
            var f = still
            for y in 4..<24 { for x in 16..<56 { for c in 0..<3 {
                let i = (y * 96 + x) * 3 + c
                f.pixels[i] = UInt8(max(0, Int(still.pixels[i]) - 10 * k))
            } } }
            return f
        }
        func replaced(drift: Bool, steps: Int) -> Int {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.freshDrift = drift; plate.settings.freshMoving = false   // the drift alone
            plate.settings.contextBlocks = 1; plate.settings.freshBlocks = 1; plate.settings.minimumContext = 16
            let near = plate.nearSubtitle(alpha), clear = plate.nearSubtitle(empty)
            for _ in 0..<2 { plate.record(still, near: clear) }
            for _ in 0..<3 { plate.record(withBar(still), near: near) }
            for k in 1...steps { for _ in 0..<3 { plate.record(withBar(drifted(k)), near: near) } }
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            return plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(drifted(steps)), near: near))
        }
        let all = bar.w * bar.h
        XCTAssertEqual(replaced(drift: false, steps: 4), all, "no single record moves the context by 24 levels")
        let stale = replaced(drift: true, steps: 4)
        XCTAssertGreaterThan(stale, 0, "blocks far from the patch are still given back")
        XCTAssertLessThan(stale, all, "blocks beside the drifted patch are stale")
        XCTAssertEqual(replaced(drift: true, steps: 2), all, "a drift of 20 levels is within the rule's 24")
        // the same with the plate kernels of each build this CPU runs
        for build in PlateKernelBuild.allCases where build.usable {
            XCTAssertEqual(KernelDispatch.usingPlateBuild(build) { replaced(drift: true, steps: 4) }, stale, "\(build)")
        }
    }

    /// The freshness rule's moving check (`freshMoving`): the patch above the bar flickers between
    /// its own scenery and a dark version every frame while the bar hides the scenery, so it never
    /// holds still long enough to be recorded, and ends on its own scenery. In frames that are not
    /// still, the moving check sees the change as it happens and the blocks beside the patch are
    /// stale; without it, or in still frames (a fixed camera with people walking past), the old
    /// view comes back everywhere.
    func testFreshnessRuleSeesContextThatNeverHoldsStill() {
        let alpha = barAlpha()
        var dark = still
        for y in 4..<24 { for x in 16..<56 { for c in 0..<3 { dark.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] / 4 } } }
        func replaced(moving: Bool, stillFrames: Bool) -> Int {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.freshMoving = moving
            plate.settings.contextBlocks = 1; plate.settings.freshBlocks = 1; plate.settings.minimumContext = 16
            let near = plate.nearSubtitle(alpha), clear = plate.nearSubtitle(empty)
            for _ in 0..<2 { plate.record(still, near: clear) }
            for _ in 0..<3 { plate.record(withBar(still), near: near) }
            for k in 0..<5 { plate.record(withBar(k % 2 == 0 ? dark : still), near: near, still: stillFrames) }
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            return plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(still), near: near))
        }
        let all = bar.w * bar.h
        XCTAssertEqual(replaced(moving: false, stillFrames: false), all, "a context never recorded never counts as changed")
        let stale = replaced(moving: true, stillFrames: false)
        XCTAssertGreaterThan(stale, 0, "blocks far from the patch are still given back")
        XCTAssertLessThan(stale, all, "blocks beside the flickering patch are stale")
        XCTAssertEqual(replaced(moving: true, stillFrames: true), all, "in still frames the check is off")
        for build in PlateKernelBuild.allCases where build.usable {
            XCTAssertEqual(KernelDispatch.usingPlateBuild(build) { replaced(moving: true, stillFrames: false) }, stale, "\(build)")
        }
    }

    /// The seam test (`seamShare`): while the bar hides it, the scenery under the bar and right
    /// beside it (within the guard ring) turns dark, as an arm moving under a cue would, and the
    /// rest of the frame holds still. The scenery test reads only context beyond the ring and the
    /// freshness rule never sees the ring recorded, so both give the old view back; the seam
    /// test sees the ring's visible pixels disagree with the plate (far more than the context
    /// beyond the ring does) and keeps the restoration.
    /// Where the ring shows what the plate holds, it changes nothing; a few disagreeing ring
    /// pixels (a piece of outline the head missed) are tolerated. In still frames (a fixed camera,
    /// where the head's α misses a thick outline more often than the scenery moves) it is off.
    func testSeamTestRefusesAPlateTheSceneryBesideTheTextNoLongerShows() {
        let alpha = barAlpha()
        var moved = still   // dark over the bar and its guard ring, rows 24–37, columns 16–73
        for y in 24..<38 { for x in 16..<74 { for c in 0..<3 { moved.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] / 4 } } }
        var outlined = still   // a 16-px bright line along the top of the bar, the rest as the plate saw it
        for x in bar.x..<(bar.x + 16) { for c in 0..<3 { outlined.pixels[((bar.y - 1) * 96 + x) * 3 + c] = 255 } }
        func replaced(seam: Float?, scenery: RGBFrame, stillFrame: Bool = false) -> (pixels: Int, off: Int) {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.seamShare = seam; plate.settings.seamFill = nil
            let near = plate.nearSubtitle(alpha), clear = plate.nearSubtitle(empty)
            for _ in 0..<2 { plate.record(still, near: clear) }
            for _ in 0..<4 { plate.record(withBar(scenery), near: near) }
            var matches = plate.matchingBlocks(frame: withBar(scenery), near: near)
            let off = plate.checkSeams(&matches, alpha: alpha, near: near, frame: withBar(scenery), still: stillFrame)
            let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
            return (plate.apply(to: restored, region: whole, alpha: alpha, matches: matches), off)
        }
        let all = bar.w * bar.h
        XCTAssertEqual(replaced(seam: nil, scenery: moved).pixels, all, "without the seam test the old view comes back")
        XCTAssertEqual(replaced(seam: 0.9, scenery: moved).pixels, 0, "the ring no longer shows what the plate holds")
        XCTAssertGreaterThan(replaced(seam: 0.9, scenery: moved).off, 0)
        XCTAssertEqual(replaced(seam: 0.9, scenery: moved, stillFrame: true).pixels, all, "in still frames the test is off")
        XCTAssertEqual(replaced(seam: 0.9, scenery: still).pixels, all, "a still ring keeps the plate")
        XCTAssertEqual(replaced(seam: 0.9, scenery: still).off, 0)
        XCTAssertEqual(replaced(seam: 0.9, scenery: outlined).pixels, all, "a piece of missed outline is within the share")
        XCTAssertLessThan(replaced(seam: 0.99, scenery: outlined).pixels, all, "but not within a share of 0.99")
        // the bar is the context's own agreement: where the whole frame flickers as much as the
        // ring (every other pixel 20 levels off), the ring's disagreement is not held against the plate
        var flicker = still
        for y in 0..<64 { for x in 0..<96 where (x + y) % 2 == 0 { for c in 0..<3 {
            flicker.pixels[(y * 96 + x) * 3 + c] = UInt8(min(255, Int(still.pixels[(y * 96 + x) * 3 + c]) + 20))
        } } }
        func refused(_ scenery: RGBFrame) -> Int {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.seamShare = 0.9; plate.settings.seamFill = nil
            for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
            var matches = [Bool](repeating: true, count: 6 * 4)
            return plate.checkSeams(&matches, alpha: alpha, near: plate.nearSubtitle(alpha), frame: withBar(scenery))
        }
        XCTAssertEqual(refused(flicker), 0, "a ring that flickers like its context")
        XCTAssertGreaterThan(refused(moved), 0, "a ring that changed where its context did not")
        XCTAssertEqual(BackgroundMemorySettings(parsing: "seam=0.8,sblocks=2,slevels=10,sminimum=5").map {
            [$0.seamShare ?? -1, Float($0.seamBlocks), Float($0.seamTolerance), Float($0.seamMinimum)] }, [0.8, 2, 10, 5])
        XCTAssertNil(BackgroundMemorySettings(parsing: "seam=off")?.seamShare)
        XCTAssertNil(BackgroundMemorySettings(parsing: "seam=2"))
    }

    /// The fill cross-check (`seamFill`): the leave-out fill predicts the guard ring from the
    /// scenery beyond it. Where the scenery changed to something the fill can continue (another
    /// texture of the same kind everywhere) and the plate holds the old view, the plate misses the
    /// ring by far more than the fill does: doubted. Where the ring shows what the plate holds, the
    /// plate's error is 0: kept. Without a leave-out fill, or in still frames (unless `sstill`),
    /// nothing is doubted; the keys parse.
    func testFillCrossCheckDoubtsAPlateTheLeaveOutFillPredictsTheRingBetterThan() {
        let alpha = barAlpha()
        let changed = EngineFixtures.frame(width: 96, height: 64, seed: 40)
        func doubted(_ scenery: RGBFrame, ringFill: Bool = true, stillFrame: Bool = false, inStill: Bool = false) -> Int {
            var plate = BackgroundPlate(width: 96, height: 64)
            plate.settings.seamFill = 1; plate.settings.seamInStill = inStill
            for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
            let near = plate.nearSubtitle(alpha), frame = withBar(scenery)
            var matches = [Bool](repeating: true, count: 6 * 4)
            let fill = { BackgroundPlate.leaveOutFill(frame, near: near, directional: (reach: 48, sigma: Float(20) / 255)) }
            return plate.checkSeams(&matches, alpha: alpha, near: near, frame: frame, still: stillFrame, ringFill: ringFill ? fill : nil)
        }
        XCTAssertGreaterThan(doubted(changed), 0, "the fill continues the new scenery into the ring; the plate holds the old")
        XCTAssertEqual(doubted(still), 0, "the ring shows what the plate holds")
        XCTAssertEqual(doubted(changed, ringFill: false), 0, "no leave-out fill, no cross-check")
        XCTAssertEqual(doubted(changed, stillFrame: true), 0, "off in still frames")
        XCTAssertEqual(doubted(changed, stillFrame: true, inStill: true), doubted(changed), "sstill: on in still frames too")
        // the leave-out fill is made only where a block's plate misses the ring by more than the floor
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        var calls = 0, matches = [Bool](repeating: true, count: 6 * 4)
        plate.checkSeams(&matches, alpha: alpha, near: plate.nearSubtitle(alpha), frame: withBar(still)) { calls += 1; return nil }
        XCTAssertEqual(calls, 0, "a ring that shows the plate needs no leave-out fill")
        plate.checkSeams(&matches, alpha: alpha, near: plate.nearSubtitle(alpha), frame: withBar(changed)) { calls += 1; return nil }
        XCTAssertEqual(calls, 1)
        // the leave-out fill keeps the pixels beyond the ring and predicts the ring's
        let near = BackgroundPlate(width: 96, height: 64).nearSubtitle(alpha)
        let fill = BackgroundPlate.leaveOutFill(withBar(still), near: near, directional: nil)!
        XCTAssertEqual([fill.x, fill.y, fill.width, fill.height], [0, 0, 96, 64], "the ring's box widened by 32 px, clipped to the frame")
        let p = (10 * 96 + 10) * 3
        XCTAssertEqual(fill.planar[10 * fill.width + 10], Float(still.pixels[p]) / 255, "a pixel beyond the ring is kept")
        XCTAssertNil(BackgroundPlate.leaveOutFill(still, near: [UInt8](repeating: 0, count: 96 * 64), directional: nil))
        XCTAssertEqual(BackgroundMemorySettings(parsing: "sfill=1.5,sfloor=2,sstill=1").map {
            [$0.seamFill ?? -1, $0.seamFloor, $0.seamInStill ? 1 : 0] }, [1.5, 2, 1])
        XCTAssertNil(BackgroundMemorySettings(parsing: "sfill=off")?.seamFill)
        XCTAssertNil(BackgroundMemorySettings(parsing: "sstill=2"))
    }

    /// `seamWeight`: a block the seam test doubts keeps matching, and `apply` gives it that
    /// weight of the plate and the rest of the restoration; blocks it does not doubt get the
    /// plate alone, and `sweight` parses.
    func testSeamWeightMixesThePlateWithTheRestoration() {
        let alpha = barAlpha()
        var moved = still
        for y in 24..<38 { for x in 16..<74 { for c in 0..<3 { moved.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] / 4 } } }
        var plate = BackgroundPlate(width: 96, height: 64)
        plate.settings.seamShare = 0.9; plate.settings.seamFill = nil; plate.settings.seamWeight = 0.75
        let near = plate.nearSubtitle(alpha), clear = plate.nearSubtitle(empty)
        for _ in 0..<2 { plate.record(still, near: clear) }
        for _ in 0..<4 { plate.record(withBar(moved), near: near) }
        var matches = plate.matchingBlocks(frame: withBar(moved), near: near), doubted: [Bool] = []
        let before = matches
        let n = plate.checkSeams(&matches, doubted: &doubted, alpha: alpha, near: near, frame: withBar(moved))
        XCTAssertGreaterThan(n, 0)
        XCTAssertEqual(matches, before, "doubted blocks keep matching")
        XCTAssertEqual(doubted.filter { $0 }.count, n)
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: false)
        let plane = 96 * 64
        for i in 0..<(3 * plane) { restored.f32[i] = 0.5 }
        XCTAssertEqual(plate.apply(to: restored, region: whole, alpha: alpha, matches: matches, doubted: doubted), bar.w * bar.h)
        let out = restored.f32
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) {
            let p = y * 96 + x, k = (y / 16) * 6 + x / 16
            let plateValue = Float(still.pixels[p * 3]) / 255
            XCTAssertEqual(out[p], doubted[k] ? 0.75 * plateValue + 0.25 * 0.5 : plateValue, accuracy: 1e-6)
        } }
        XCTAssertEqual(BackgroundMemorySettings(parsing: "seam=0.9,sweight=0.5")?.seamWeight, 0.5)
        XCTAssertNil(BackgroundMemorySettings(parsing: "sweight=1"))
    }

    /// A glyph the head missed, 8 px to the right of the detected bar: completion reaches it
    /// with `completionReach` 12, not with the guard ring (4) alone; the 1-px outline under the
    /// bar is completed as before.
    func testCompletionReachesAMissedGlyphBesideTheDetectedOne() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        var frame = withBar(still)
        let glyph = (x: bar.x + bar.w + 8, y: bar.y, w: 4, h: bar.h)
        for y in glyph.y..<(glyph.y + glyph.h) { for x in glyph.x..<(glyph.x + glyph.w) { for c in 0..<3 {
            frame.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x) * 3 + c] > 127 ? 0 : 255
        } } }
        for x in (bar.x - 1)..<(bar.x + bar.w + 1) { for c in 0..<3 {   // a 1-px missed outline under the bar
            frame.pixels[((bar.y + bar.h) * 96 + x) * 3 + c] = still.pixels[((bar.y + bar.h) * 96 + x) * 3 + c] > 127 ? 0 : 255
        } }
        let alpha0 = barAlpha(), near = plate.nearSubtitle(alpha0)
        func completed(reach: Int) -> AlphaMap {
            var p = plate
            p.settings.completionReach = reach
            var alpha = alpha0
            let candidates = p.completionCandidates(alpha0)
            p.complete(&alpha, near: near, candidates: candidates, matches: p.matchingBlocks(frame: frame, near: near, testing: candidates), frame: frame)
            return alpha
        }
        let far = completed(reach: 12), guardOnly = completed(reach: 4)
        for y in glyph.y..<(glyph.y + glyph.h) { for x in glyph.x..<(glyph.x + glyph.w) {
            XCTAssertEqual(far.values[y * 96 + x], 1, "glyph pixel (\(x), \(y)) reached")
            XCTAssertEqual(guardOnly.values[y * 96 + x], 0, "glyph pixel (\(x), \(y)) beyond the guard ring")
        } }
        XCTAssertEqual(far.values[(bar.y + bar.h) * 96 + bar.x + 10], 1, "the outline under the bar")
        for i in 0..<(96 * 64) where far.values[i] > 0 {   // nothing but the bar, its outline and the glyph
            let (x, y) = (i % 96, i / 96)
            let inBar = (bar.y..<(bar.y + bar.h)).contains(y) && (bar.x..<(bar.x + bar.w)).contains(x)
            let inGlyph = (glyph.y..<(glyph.y + glyph.h)).contains(y) && (glyph.x..<(glyph.x + glyph.w)).contains(x)
            XCTAssertTrue(inBar || inGlyph || (y == bar.y + bar.h && ((bar.x - 1)..<(bar.x + bar.w + 1)).contains(x)), "(\(x), \(y))")
        }
    }

    /// Tiles whose every α > 0 pixel the plate gives back need no network: on a still shot all
    /// of the bar's tiles are covered; a plate that never saw part of the bar covers only the
    /// tiles away from that part; a moved camera covers none.
    func testCoveredTilesAreThoseThePlateGivesBackWhole() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        let alpha = barAlpha(), near = plate.nearSubtitle(alpha), tile = 32
        let grid = alpha.activeTiles(tile: tile)
        let active = grid.flatMap { $0 }.filter { $0 }.count
        let covered = plate.coveredTiles(grid: grid, tile: tile, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(still), near: near))
        XCTAssertEqual(covered.count, active)
        XCTAssertTrue(covered.allSatisfy { $0.width == tile && $0.height == tile && grid[$0.y / tile][$0.x / tile] })
        // a plate that saw everything but the bar's first 10 columns (covered by something then)
        var partial = BackgroundPlate(width: 96, height: 64)
        var v = [Float](repeating: 0, count: 96 * 64)
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + 10) { v[y * 96 + x] = 1 } }
        let early = AlphaMap(width: 96, height: 64, values: v)
        for _ in 0..<2 { partial.record(still, near: partial.nearSubtitle(early)) }
        let some = partial.coveredTiles(grid: grid, tile: tile, alpha: alpha, matches: partial.matchingBlocks(frame: withBar(still), near: near))
        XCTAssertFalse(some.contains { $0.x <= bar.x && bar.x < $0.x + tile }, "the tile with the unseen columns")
        XCTAssertFalse(some.isEmpty)
        var shifted = still
        for y in 0..<64 { for x in 0..<93 { for c in 0..<3 { shifted.pixels[(y * 96 + x) * 3 + c] = still.pixels[(y * 96 + x + 3) * 3 + c] } } }
        XCTAssertEqual(plate.coveredTiles(grid: grid, tile: tile, alpha: alpha, matches: plate.matchingBlocks(frame: withBar(shifted), near: near)).count, 0)
    }

    /// In the engine: on a still shot whose bar appears at frame 2, the memory puts back the
    /// background under the bar; α = 0 pixels stay bit-identical; a new video starts empty.
    /// A 96×64 window at (x0, y0) of a fixed 140×100 noise picture (every shift looks different);
    /// `dark`: values below 180, which the fixture engine's head does not take for a subtitle.
    func window(x0: Int, y0: Int, dark: Bool = false) -> RGBFrame {
        var f = RGBFrame(width: 96, height: 64)
        for y in 0..<64 { for x in 0..<96 { for c in 0..<3 {
            var h = UInt64((y + y0) * 140 + x + x0) &* 3 &+ UInt64(c) &+ 0x9E37_79B9
            h = (h ^ (h >> 15)) &* 0x2C1B_3C6D; h = (h ^ (h >> 12)) &* 0x297A_2D39; h ^= h >> 15
            f.pixels[(y * 96 + x) * 3 + c] = dark ? UInt8(h % 180) : UInt8(truncatingIfNeeded: h)
        } } }
        return f
    }

    /// The camera panned: the scenery slid 3 px right and 2 px up since the plate was written.
    /// `follow` finds the shift, moves the plate with it (what slid in is unknown), and the
    /// background under a later subtitle comes back exactly.
    func testPanIsFollowedAndTheSceneryUnderTheSubtitleComesBack() {
        var plate = BackgroundPlate(width: 96, height: 64)
        let before = window(x0: 20, y0: 20), after = window(x0: 17, y0: 22)   // scenery +3 in x, -2 in y
        for _ in 0..<2 { plate.record(before, near: plate.nearSubtitle(empty)) }
        let alpha = barAlpha(), frame = withBar(after), near = plate.nearSubtitle(alpha)
        XCTAssertLessThan(plate.stillFraction(frame: frame, near: near), 0.2, "in place the plate no longer matches")
        var off = plate
        off.settings.followReach = 0
        XCTAssertTrue(off.follow(frame: frame, near: near) == (0, 0), "follow = 0 switches it off")
        XCTAssertTrue(plate.follow(frame: frame, near: near) == (3, -2))
        XCTAssertEqual(plate.stillFraction(frame: frame, near: near), 1)
        let restored = Tensor(shape: [1, 3, 64, 96], dtype: .f32, zeroed: true)
        XCTAssertEqual(plate.apply(to: restored, region: whole, alpha: alpha, matches: plate.matchingBlocks(frame: frame, near: near)), bar.w * bar.h)
        for y in bar.y..<(bar.y + bar.h) { for x in bar.x..<(bar.x + bar.w) { for c in 0..<3 {
            XCTAssertEqual(restored.f32[c * 96 * 64 + y * 96 + x], Float(after.pixels[(y * 96 + x) * 3 + c]) / 255)
        } } }
        // what slid in (the 3 left columns, the 2 bottom rows) is unknown
        let everywhere = AlphaMap(width: 96, height: 64, values: [Float](repeating: 1, count: 96 * 64))
        XCTAssertEqual(plate.apply(to: restored, region: whole, alpha: everywhere, matches: [Bool](repeating: true, count: 6 * 4)), 93 * 62)
    }

    /// A pan in whole-pixel steps of 2, then 4 (a steady 3 px per frame, rounded), over a ramp on
    /// which a shift one pixel off still matches about 97 % of the pixels within 8 levels:
    /// `follow` takes the exact shift (the best match around the last one), not its neighbour.
    func testAPanThatSpeedsUpIsFollowedExactly() {
        func ramp(_ x0: Int) -> RGBFrame {
            var f = RGBFrame(width: 96, height: 64)
            for y in 0..<64 { for x in 0..<96 { for c in 0..<3 { f.pixels[(y * 96 + x) * 3 + c] = UInt8(((x + x0) * 7 + y * y / 8) % 256) } } }
            return f
        }
        var plate = BackgroundPlate(width: 96, height: 64)
        let near = plate.nearSubtitle(empty)
        plate.record(ramp(10), near: near)
        XCTAssertTrue(plate.follow(frame: ramp(12), near: near) == (-2, 0))
        plate.record(ramp(12), near: near)
        XCTAssertTrue(plate.follow(frame: ramp(16), near: near) == (-4, 0))
        plate.record(ramp(16), near: near)
        XCTAssertTrue(plate.follow(frame: ramp(18), near: near) == (-2, 0))
    }

    /// A still frame (people moving in part of it) and a cut to another scene leave the plate where it is.
    func testStillShotsAndCutsAreNotFollowed() {
        var plate = BackgroundPlate(width: 96, height: 64)
        let scene = window(x0: 20, y0: 20)
        for _ in 0..<2 { plate.record(scene, near: plate.nearSubtitle(empty)) }
        var moving = scene   // a "person" (another part of the picture) over an eighth of the frame
        let other = window(x0: 0, y0: 0)
        for y in 0..<64 { for x in 0..<12 { for c in 0..<3 { moving.pixels[(y * 96 + x) * 3 + c] = other.pixels[(y * 96 + x) * 3 + c] } } }
        let near = plate.nearSubtitle(empty)
        XCTAssertTrue(plate.follow(frame: moving, near: near) == (0, 0))
        var cutPlate = plate
        XCTAssertTrue(cutPlate.follow(frame: EngineFixtures.frame(width: 96, height: 64, seed: 9), near: near) == (0, 0), "a cut")
        XCTAssertEqual(plate.stillFraction(frame: scene, near: near), 1, "the plate did not move")
        XCTAssertEqual(cutPlate.stillFraction(frame: scene, near: near), 1, "the plate did not move")
    }

    /// A pan from the first frame (2 px per frame) with the bar from the third: the engine follows
    /// the scenery and gives it back under the bar.
    func testEngineFollowsAPanFromTheStart() throws {
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        let scenery = (0..<6).map { window(x0: 40 - 2 * $0, y0: 20, dark: true) }
        let frames = scenery.enumerated().map { $0.offset >= 2 ? withBar($0.element) : $0.element }
        let withMemory = try engine.clean(frames)
        engine.backgroundMemory?.followReach = 0
        let unfollowed = try engine.clean(frames)
        engine.backgroundMemory = BackgroundMemorySettings()
        for t in 2..<6 {
            let alpha = try engine.alphaMap(frames, at: t)
            var full = 0, followedError = 0, unfollowedError = 0
            for i in 0..<(96 * 64) where alpha.values[i] >= 1 {
                full += 1
                for c in 0..<3 {
                    followedError = max(followedError, abs(Int(withMemory[t].pixels[3 * i + c]) - Int(scenery[t].pixels[3 * i + c])))
                    unfollowedError = max(unfollowedError, abs(Int(unfollowed[t].pixels[3 * i + c]) - Int(scenery[t].pixels[3 * i + c])))
                }
            }
            XCTAssertGreaterThan(full, 200, "frame \(t): the bar must be detected with α = 1")
            XCTAssertLessThanOrEqual(followedError, 1, "frame \(t): the panned background comes back")
            XCTAssertGreaterThan(unfollowedError, 10, "frame \(t): without following, the plate does not know it")
        }
    }

    /// The fill cross-check in the engine: from frame 4 a band around the bar (rows 20–41, columns
    /// 8–87: the bar, its guard ring and a few pixels beyond) turns flat and flickers between two
    /// dark levels, as an arm moving under a cue would, while the rest of the frame holds still.
    /// The scenery test and the freshness rule still pass (most of the context did not change),
    /// so without the cross-check the plate's old view of the texture comes back under the bar;
    /// with it (the default), the leave-out fill predicts the ring from the band and the plate
    /// misses it, so the bar gets the fill (the band's level), as without the memory.
    func testEngineTakesTheFillWhereThePlateMissesTheSceneryBesideTheText() throws {
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        engine.restorationNetwork = false   // the fill alone, as with the bundled weights
        func banded(_ t: Int) -> RGBFrame {
            var f = still
            for y in 20..<42 { for x in 8..<88 { for c in 0..<3 { f.pixels[(y * 96 + x) * 3 + c] = t % 2 == 0 ? 40 : 60 } } }
            return f
        }
        let scenery = [still, still, still, still] + (4..<10).map(banded)
        let frames = scenery.enumerated().map { $0.offset < 2 ? $0.element : withBar($0.element) }
        XCTAssertTrue(BackgroundMemorySettings().seamFill != nil)
        func cleaned(memory: BackgroundMemorySettings?) throws -> [RGBFrame] {
            engine.backgroundMemory = memory
            defer { engine.backgroundMemory = BackgroundMemorySettings() }
            return try engine.clean(frames)
        }
        let (checked, unchecked) = (try cleaned(memory: BackgroundMemorySettings()), try cleaned(memory: BackgroundMemorySettings(parsing: "sfill=off")))
        let restored = try cleaned(memory: nil)
        func largestDifference(_ a: RGBFrame, _ b: RGBFrame, at pixels: [Int]) -> Int {
            pixels.map { i in (0..<3).map { abs(Int(a.pixels[3 * i + $0]) - Int(b.pixels[3 * i + $0])) }.max()! }.max() ?? 0
        }
        for t in 6..<10 {
            let alpha = try engine.alphaMap(frames, at: t)
            let opaque = alpha.values.indices.filter { alpha.values[$0] >= 1 }
            XCTAssertGreaterThan(opaque.count, 200, "frame \(t): the bar must be detected with α = 1")
            XCTAssertGreaterThan(largestDifference(unchecked[t], scenery[t], at: opaque), 30,
                                 "frame \(t): without the cross-check the plate's old texture comes back")
            XCTAssertEqual(largestDifference(checked[t], restored[t], at: opaque), 0, "frame \(t): with it, the fill, as without the memory")
            XCTAssertLessThanOrEqual(largestDifference(restored[t], scenery[t], at: opaque), 3, "frame \(t): which gives the band's level back")
        }
    }

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
        custom.contextShare = 0.9; custom.contextBlocks = 1; custom.completionDifference = nil; custom.completionReach = 6; custom.holdFrames = 30
        custom.completionShare = 0.99; custom.followReach = 0; custom.followShare = 0.8; custom.averageFrames = 6
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "share=0.9, context=1,complete=off,reach=6,hold=30,cshare=0.99,follow=0,fshare=0.8,mean=6"]).backgroundMemory, custom)
        XCTAssertEqual(BackgroundMemorySettings().freshShare, 0.8, "the freshness rule is on by default")
        custom = BackgroundMemorySettings()
        custom.freshShare = nil
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "fresh=off"]).backgroundMemory, custom)
        custom.freshShare = 0.9; custom.freshBlocks = 2; custom.freshDifference = 16
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "fresh=0.9,fblocks=2,flevels=16"]).backgroundMemory, custom)
        custom.freshDrift = false; custom.freshMoving = false
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "fresh=0.9,fblocks=2,flevels=16,fdrift=0,fmoving=0"]).backgroundMemory, custom)
        XCTAssertTrue(BackgroundMemorySettings().freshDrift, "the drift counts by default")
        XCTAssertTrue(BackgroundMemorySettings().freshMoving, "so does the moving check")
        XCTAssertEqual(BackgroundMemorySettings().seamFill, 1, "the seam test's fill cross-check is on by default")
        XCTAssertFalse(BackgroundMemorySettings().seamInStill, "in frames that are not still")
        XCTAssertNil(BackgroundMemorySettings().seamShare, "its share form is off")
        custom = BackgroundMemorySettings()
        custom.seamFill = nil; custom.seamShare = 0.9
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "sfill=off,seam=0.9"]).backgroundMemory, custom)
        for bad in ["share=x", "share=1.5", "cshare=2", "hold=300", "tolerance=3", "follow=-1", "fshare=1.2", "mean=0", "fresh=1.5", "fblocks=-1", "fdrift=2", "fmoving=x",
                    "sfill=-1", "sfloor=x", "sstill=2"] {
            XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": bad]), bad) {
                XCTAssertTrue("\($0)".contains("CLEARSUB_LITE_BACKGROUND_MEMORY"))
            }
        }
        // the other overrides still apply when the memory is switched off
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BACKGROUND_MEMORY": "0", "CLEARSUB_LITE_PRECISION": "f32"]).restorationPrecision, .f32)
    }
}

extension BackgroundPlateTests {
    /// `record` runs a vectorised C build of its step (AVX-512 or AVX2) where the CPU has one and
    /// the Swift loop otherwise; each build this CPU runs must leave every array of the plate the
    /// same as the Swift loop, bit for bit, through noise, restarts, held still frames, a subtitle
    /// bar coming and going and scenery that changes.
    func testRecordKernelMatchesTheSwiftLoop() throws {
        let builds = PlateKernelBuild.allCases.filter { $0 != .swift && $0.usable }
        guard !builds.isEmpty else { throw XCTSkip("no AVX2 or AVX-512 on this CPU") }
        for build in builds { try recordKernelMatchesTheSwiftLoop(build) }
    }

    func recordKernelMatchesTheSwiftLoop(_ build: PlateKernelBuild) throws {
        let (w, h) = (70, 45)   // not a multiple of the vector width
        var state: UInt64 = 12345
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        let base = (0..<(w * h * 3)).map { _ in UInt8(next() % 256) }
        var plates = [BackgroundPlate(width: w, height: h), BackgroundPlate(width: w, height: h)]
        var written = 0
        for t in 0..<40 {
            var frame = RGBFrame(width: w, height: h)
            for i in 0..<(w * h * 3) {
                var v = Int(base[i]) + next() % 7 - 3                  // sensor noise within the tolerance
                if t >= 20 && (i / 3) % w < 30 { v += 60 }             // scenery that changes at frame 20
                if next() % 50 == 0 { v += 40 }                        // a few restarts
                frame.pixels[i] = UInt8(max(0, min(255, v)))
            }
            var near = [UInt8](repeating: 0, count: w * h)
            if (t / 5) % 2 == 1 { for y in 25..<35 { for x in 10..<60 { near[y * w + x] = 1 } } }   // a bar comes and goes
            for p in 0..<2 {
                KernelDispatch.usingPlateBuild(p == 0 ? .swift : build) { plates[p].record(frame, near: near, still: t % 3 == 0) }
            }
            let (a, b) = (plates[0], plates[1])
            func same<T: Equatable>(_ x: [T], _ y: [T], _ name: String) {
                XCTAssertEqual(x.count, y.count, "\(name), frame \(t)")
                if x.count == y.count, let i = x.indices.first(where: { x[$0] != y[$0] }) {
                    XCTFail("\(name), frame \(t): element \(i) is \(y[i]) with the \(build) kernel, \(x[i]) with the Swift loop")
                }
            }
            same(a.rgb, b.rgb, "rgb"); same(a.known, b.known, "known"); same(a.anchor, b.anchor, "anchor")
            same(a.run, b.run, "run"); same(a.mean, b.mean, "mean"); same(a.previous, b.previous, "previous")
            same(a.seen, b.seen, "seen"); same(a.changed, b.changed, "changed")
            written = a.known.filter { $0 == 1 }.count
        }
        XCTAssertGreaterThan(written, w * h / 2, "the plate should know most pixels")
        XCTAssertTrue(plates[1].changed.contains { $0 > 20 }, "the change at frame 20 should be recorded")
    }
}

extension BackgroundPlateTests {
    /// The scenery test's pixel pass (`blockCounts`) runs in C where the CPU has a build of it
    /// (AVX-512 or AVX2): with each build this CPU runs, its counts and lists, and the blocks the test
    /// finds matching (several context shares, freshness rule on), must be the same as the Swift loop's.
    func testScenerySearchKernelMatchesTheSwiftLoop() throws {
        let builds = PlateKernelBuild.allCases.filter { $0 != .swift && $0.usable }
        guard !builds.isEmpty else { throw XCTSkip("no AVX2 or AVX-512 on this CPU") }
        for build in builds { try scenerySearchKernelMatchesTheSwiftLoop(build) }
    }

    func scenerySearchKernelMatchesTheSwiftLoop(_ build: PlateKernelBuild) throws {
        let (w, h) = (101, 67)
        var state: UInt64 = 777
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        let base = (0..<(w * h * 3)).map { _ in UInt8(next() % 256) }
        func frame(_ t: Int, shift: Int) -> RGBFrame {
            var f = RGBFrame(width: w, height: h)
            for i in 0..<(w * h * 3) {
                var v = Int(base[i]) + next() % 5 - 2
                if (i / 3) % w < shift { v += 50 }   // scenery on the left changes
                f.pixels[i] = UInt8(max(0, min(255, v)))
            }
            return f
        }
        var settings = BackgroundMemorySettings()
        settings.minimumContext = 16
        var plate = BackgroundPlate(width: w, height: h, settings: settings)
        var bar = [UInt8](repeating: 0, count: w * h)
        for y in 30..<40 { for x in 15..<85 { bar[y * w + x] = 1 } }
        let none = [UInt8](repeating: 0, count: w * h)
        for t in 0..<12 { plate.record(frame(t, shift: 0), near: t < 6 ? none : bar) }
        var found = 0, missed = 0, listed = 0
        for (t, shift) in [(12, 0), (13, 30), (14, 60), (15, 101)] {
            for _ in 0..<3 { plate.record(frame(t, shift: shift), near: bar) }
            let now = frame(t, shift: shift)
            let shares: [Float] = [0.5, 0.8, 0.95]
            let swift = KernelDispatch.usingPlateBuild(.swift) { plate.matchingBlocks(frame: now, near: bar, testing: nil, shares: shares) }
            let wide = KernelDispatch.usingPlateBuild(build) { plate.matchingBlocks(frame: now, near: bar, testing: nil, shares: shares) }
            XCTAssertEqual(swift, wide, "\(build), shift \(shift)")
            // the pass itself, on every block, with and without the freshness rule's lists
            let b = plate.settings.block, bw = (w + b - 1) / b, all = Array(0..<(bw * ((h + b - 1) / b)))
            for earliest in [nil, 0.5, 12.5] + (0...30).map { Double($0) } as [Double?] {
                let a = KernelDispatch.usingPlateBuild(.swift) { plate.blockCounts(frame: now, near: bar, blocks: all, earliest: earliest, bw: bw) }
                let c = KernelDispatch.usingPlateBuild(build) { plate.blockCounts(frame: now, near: bar, blocks: all, earliest: earliest, bw: bw) }
                XCTAssertEqual(a.sames, c.sames, "\(build): same, shift \(shift), earliest \(String(describing: earliest))")
                XCTAssertEqual(a.counts, c.counts, "\(build): counts, shift \(shift)")
                XCTAssertEqual(a.recent, c.recent, "\(build): recent, shift \(shift), earliest \(String(describing: earliest))")
                if earliest == 0.5 { listed += c.recent.map(\.count).reduce(0, +) }
            }
            found += wide.flatMap { $0 }.filter { $0 }.count
            missed += wide[0].enumerated().filter { !$0.element }.count
        }
        XCTAssertGreaterThan(found, 0, "some blocks should match the plate")
        XCTAssertGreaterThan(missed, 0, "changed scenery should fail the test somewhere")
        XCTAssertGreaterThan(listed, 0, "the changed scenery should be listed")
    }

    /// Inside a subtitle box the plate is used only where it agrees with the frame with the box
    /// divided out (`agreeing`), and a "box" the plate saw before the subtitle is scenery (`showed`).
    func testPlateAgreesWithTheDividedBoxOnlyWhereItSawTheSame() {
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { plate.record(still, near: plate.nearSubtitle(empty)) }
        // 16-px blocks: block (1, 1) of `divided` is the scenery, block (2, 1) is 40 levels off
        var divided = still
        for y in 16..<32 { for x in 32..<48 { for c in 0..<3 { divided.pixels[(y * 96 + x) * 3 + c] &+= 40 } } }
        let pixels = (16..<32).flatMap { y in (16..<48).map { y * 96 + $0 } }
        var ones = empty
        for i in pixels { ones.values[i] = 1 }
        let kept = plate.agreeing(ones, pixels: pixels, frame: divided, exclude: empty, tolerance: 8)
        XCTAssertTrue((16..<32).allSatisfy { y in (16..<32).allSatisfy { kept.values[y * 96 + $0] == 1 } })
        XCTAssertTrue((16..<32).allSatisfy { y in (32..<48).allSatisfy { kept.values[y * 96 + $0] == 0 } })
        // a block whose listed pixels are all excluded (glyphs) keeps α: no evidence against the plate
        var glyphs = empty
        for y in 16..<32 { for x in 32..<48 { glyphs.values[y * 96 + x] = 1 } }
        XCTAssertTrue(plate.agreeing(ones, pixels: pixels, frame: divided, exclude: glyphs, tolerance: 8).values[20 * 96 + 40] == 1)

        // the plate saw `still`; a frame 60 levels darker in a rectangle, divided back to `still`,
        // is a box; the same rectangle in the plate's scenery is not
        var darker = still
        for y in 16..<32 { for x in 16..<48 { for c in 0..<3 { darker.pixels[(y * 96 + x) * 3 + c] = UInt8(Float(still.pixels[(y * 96 + x) * 3 + c]) * 0.4) } } }
        let bright = (16..<32).flatMap { y in (16..<48).map { y * 96 + $0 } }.filter { i in still.pixels[i * 3] > 90 }
        XCTAssertFalse(plate.showed(darker, ratherThan: still, at: bright), "the plate saw the scenery: a box came")
        var sawDark = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<2 { sawDark.record(darker, near: sawDark.nearSubtitle(empty)) }
        XCTAssertTrue(sawDark.showed(darker, ratherThan: still, at: bright), "the plate saw the dark rectangle before")
    }

    /// `showed` is evidence only while the scenery around the box has not changed since the plate
    /// saw under it: after a cut the plate under a box (which it does not record while the box is
    /// there) is the old view, not a box seen before.
    func testThePlateShowedNothingUnderABoxAfterACut() {
        func darkened(_ f: RGBFrame) -> RGBFrame {
            var g = f
            for y in 16..<32 { for x in 16..<48 { for c in 0..<3 { g.pixels[(y * 96 + x) * 3 + c] = UInt8(Float(f.pixels[(y * 96 + x) * 3 + c]) * 0.4) } } }
            return g
        }
        let rectangle = (16..<32).flatMap { y in (16..<48).map { y * 96 + $0 } }
        let around = (8..<40).flatMap { y in (8..<56).map { y * 96 + $0 } }.filter { !rectangle.contains($0) }
        func bright(_ f: RGBFrame) -> [Int] { rectangle.filter { f.pixels[$0 * 3] > 90 } }
        var plate = BackgroundPlate(width: 96, height: 64)
        for _ in 0..<3 { plate.record(darkened(still), near: plate.nearSubtitle(empty)) }
        XCTAssertTrue(plate.showed(darkened(still), ratherThan: still, at: bright(still), around: around),
                      "the plate saw the dark rectangle before, and nothing around it changed since")
        // a cut: other scenery, with a box over the rectangle, which the plate does not record
        let other = EngineFixtures.frame(width: 96, height: 64, seed: 11)
        var near = [UInt8](repeating: 0, count: 96 * 64)
        for i in rectangle { near[i] = 1 }
        for _ in 0..<4 { plate.record(darkened(other), near: near) }
        XCTAssertFalse(plate.showed(darkened(other), ratherThan: other, at: bright(other), around: around),
                       "the plate under the box is the view before the cut")
        XCTAssertTrue(plate.showed(darkened(other), ratherThan: other, at: bright(other)), "without the surroundings, no freshness test")
    }
}

extension BackgroundPlateTests {
    /// A head that sees the bar only once it holds still: α from the centre frame's red channel
    /// less 3 times its mean difference to the 4 neighbours (`EngineFixtures.brightnessWeights`
    /// with the difference tap), so the first two frames of a cue get their α only by borrowing.
    func steadyBrightnessWeights() throws -> LiteWeights {
        let w = try EngineFixtures.brightnessWeights()
        w.weight("occ.c1").value.f32[0 * 54 + 3 * 9 + 4] = -3   // out 0 ← input ch 3 (mean |ΔR|), centre tap
        return w
    }

    func testKeepingAppearingTextOutStopsTheMemoryTakingInACuesFirstFrames() throws {
        let engine = LiteEngine(weights: try steadyBrightnessWeights())
        engine.restorationNetwork = false
        // a 96×160 frame: a texture no fill can guess (only the memory gives it back), a white bar
        // from frame 4 on (rows 76..<82, columns 20..<70), and bands at the top and bottom that
        // hold still, then flicker from the cue on, far from the bar: no frame of the cue is still
        // (in a still shot the memory's hold rule keeps the bar out anyway)
        let (w, h) = (96, 160)
        var noisy = RGBFrame(width: w, height: h)
        var seed: UInt32 = 7
        for i in noisy.pixels.indices { seed = seed &* 1_664_525 &+ 1_013_904_223; noisy.pixels[i] = UInt8((seed >> 24) % 150) }
        let barPixels = (76..<82).flatMap { y in (20..<70).map { y * w + $0 } }
        let frames = (0..<12).map { t -> RGBFrame in
            var f = noisy
            let level: UInt8 = t < 4 ? 80 : t % 2 == 0 ? 20 : 140
            for y in Array(0..<24) + Array(136..<160) { for x in 0..<w { for c in 0..<3 { f.pixels[(y * w + x) * 3 + c] = level } } }
            if t >= 4 { for i in barPixels { for c in 0..<3 { f.pixels[3 * i + c] = 255 } } }
            return f
        }
        // the premise: the head misses the bar in the cue's first two frames, and finds it from the third on
        for t in 4..<6 {
            let own = try engine.alphaMap(frames, at: t)
            XCTAssertEqual(barPixels.filter { own.values[$0] > 0 }.count, 0, "frame \(t): the head alone misses the bar")
        }
        for t in 6..<10 {
            let own = try engine.alphaMap(frames, at: t)
            XCTAssertEqual(barPixels.filter { own.values[$0] >= 1 }.count, barPixels.count, "frame \(t): the head finds the whole bar")
        }
        func cleaned(_ setting: String) throws -> [RGBFrame] {
            engine.temporalAlpha = TemporalAlphaSettings(parsing: setting)!
            defer { engine.temporalAlpha = TemporalAlphaSettings() }
            return try engine.clean(frames)
        }
        func largestError(_ f: RGBFrame) -> Int {
            barPixels.map { i in (0..<3).map { abs(Int(f.pixels[3 * i + $0]) - Int(noisy.pixels[3 * i + $0])) }.max()! }.max()!
        }
        let kept = try engine.clean(frames), recorded = try cleaned("bkeep=0")
        for t in 4..<12 {
            XCTAssertLessThanOrEqual(largestError(kept[t]), 1, "frame \(t): the scenery of the frames before the cue comes back")
        }
        // bkeep=0 records every borrowed pixel: the first frames' bar goes into the memory as scenery
        XCTAssertGreaterThan((6..<12).map { largestError(recorded[$0]) }.max()!, 30, "recording the borrowed pixels brings the bar back")
    }
}

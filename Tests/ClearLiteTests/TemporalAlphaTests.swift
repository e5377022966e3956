// α borrowed from neighbouring frames (TemporalAlpha): only a neighbour's fully opaque α, only
// where the pixel did not change by more than the tolerance; the settings' parsing.
import XCTest
@testable import ClearLite
import ClearMedia

final class TemporalAlphaTests: XCTestCase {
    private func frame(_ rgb: [(UInt8, UInt8, UInt8)]) -> RGBFrame {
        RGBFrame(width: rgb.count, height: 1, pixels: rgb.flatMap { [$0.0, $0.1, $0.2] })
    }

    func testBorrowsOnlyOpaqueAlphaOfUnchangedPixels() {
        let current = frame([(100, 100, 100), (100, 100, 100), (100, 100, 100), (100, 100, 100), (100, 100, 100), (200, 10, 10)])
        // pixel 0 unchanged; 1 changed by 20 in G; 2 unchanged, but the neighbour's α is partial;
        // 3 changed by exactly the tolerance (5) in B; 4 by one more; 5 unchanged, own α already 1
        let next = frame([(100, 100, 100), (100, 120, 100), (100, 100, 100), (100, 100, 105), (100, 100, 106), (200, 10, 10)])
        var alpha = AlphaMap(width: 6, height: 1, values: [0, 0.2, 0.1, 0.3, 0, 1])
        let theirs = AlphaMap(width: 6, height: 1, values: [1, 1, 0.9, 1, 1, 1])
        var settings = TemporalAlphaSettings()
        settings.tolerance = 5
        settings.core = 1
        TemporalAlpha.borrow(&alpha, frame: current, from: [(theirs, next, true)], past: [], future: [], settings: settings)
        XCTAssertEqual(alpha.values, [1, 0.2, 0.1, 1, 0, 1])
        // a lower core borrows the partial α too; α is never lowered
        var low = AlphaMap(width: 6, height: 1, values: [0, 0.2, 0.1, 0.3, 0, 1])
        let weaker = AlphaMap(width: 6, height: 1, values: [0.8, 1, 0.9, 0.1, 1, 0.5])
        settings.core = 0.8
        TemporalAlpha.borrow(&low, frame: current, from: [(weaker, next, true)], past: [], future: [], settings: settings)
        XCTAssertEqual(low.values, [0.8, 0.2, 0.9, 0.3, 0, 1])
    }

    /// With `change`, a frame borrows from frames ahead only what just appeared (differs from a
    /// frame before it) and from frames behind only what is about to leave.
    func testChangeLimitsBorrowingToWhatAppearsOrLeaves() {
        // pixel 0: text from this frame on (it differs from the frame before); pixel 1: scenery
        // that holds still on both sides; pixel 2: text that leaves after this frame
        let before = frame([(20, 20, 20), (90, 90, 90), (250, 250, 250)])
        let now = frame([(250, 250, 250), (90, 90, 90), (250, 250, 250)])
        let after = frame([(250, 250, 250), (90, 90, 90), (20, 20, 20)])
        let opaque = AlphaMap(width: 3, height: 1, values: [1, 1, 1])
        var settings = TemporalAlphaSettings()
        settings.change = 20
        var ahead = AlphaMap(width: 3, height: 1, values: [0, 0, 0])
        TemporalAlpha.borrow(&ahead, frame: now, from: [(opaque, now, true)], past: [before], future: [after], settings: settings)
        XCTAssertEqual(ahead.values, [1, 0, 0], "from a frame ahead: only the pixel that just appeared")
        var behind = AlphaMap(width: 3, height: 1, values: [0, 0, 0])
        TemporalAlpha.borrow(&behind, frame: now, from: [(opaque, now, false)], past: [before], future: [after], settings: settings)
        XCTAssertEqual(behind.values, [0, 0, 1], "from a frame behind: only the pixel about to leave")
        settings.change = 0
        var any = AlphaMap(width: 3, height: 1, values: [0, 0, 0])
        TemporalAlpha.borrow(&any, frame: now, from: [(opaque, now, true)], past: [before], future: [after], settings: settings)
        XCTAssertEqual(any.values, [1, 1, 1], "without the change test every unchanged pixel borrows")
    }

    /// With `fade`, a pixel between the frame behind and a neighbour ahead (a cue fading in)
    /// borrows too; a pixel still at the background, off the line between them, or barely changed
    /// does not.
    func testFadeBorrowsPixelsBetweenBackgroundAndText() {
        let before = frame([(20, 20, 20), (20, 20, 20), (100, 100, 100), (200, 200, 200)])
        let now = frame([(120, 130, 110), (24, 20, 20), (160, 40, 160), (206, 206, 206)])
        let ahead = frame([(250, 250, 250), (250, 250, 250), (200, 200, 200), (212, 212, 212)])
        let opaque = AlphaMap(width: 4, height: 1, values: [1, 1, 1, 1])
        var settings = TemporalAlphaSettings()
        settings.tolerance = 5
        settings.fade = 40
        var alpha = AlphaMap(width: 4, height: 1, values: [0, 0, 0, 0])
        TemporalAlpha.borrow(&alpha, frame: now, from: [(opaque, ahead, true)], past: [before], future: [], settings: settings)
        XCTAssertEqual(alpha.values, [1, 0, 0, 0])
        // a fade out: the neighbour behind holds the text, the frame after it the background
        var out = AlphaMap(width: 4, height: 1, values: [0, 0, 0, 0])
        TemporalAlpha.borrow(&out, frame: now, from: [(opaque, ahead, false)], past: [], future: [before], settings: settings)
        XCTAssertEqual(out.values, [1, 0, 0, 0])
        settings.fade = 0
        var off = AlphaMap(width: 4, height: 1, values: [0, 0, 0, 0])
        TemporalAlpha.borrow(&off, frame: now, from: [(opaque, ahead, true)], past: [before], future: [], settings: settings)
        XCTAssertEqual(off.values, [0, 0, 0, 0])
    }

    /// On frames large enough to be split over threads (and skipped eight pixels at a time where no
    /// neighbour is sure), `borrow` gives the same α and the same raised pixels as a plain loop
    /// over the pixels, neighbour after neighbour, with the change and the fade tests both on.
    func testBorrowOnALargeFrameEqualsAPlainPixelLoop() {
        let (w, h) = (640, 240)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        func picture(_ base: Int) -> RGBFrame {
            RGBFrame(width: w, height: h, pixels: (0..<(3 * w * h)).map { _ in UInt8(base + Int(next() % 60)) })
        }
        func alphaMap() -> AlphaMap {
            AlphaMap(width: w, height: h, values: (0..<(w * h)).map { _ in
                let r = next() % 10
                return r < 5 ? 0 : r < 7 ? Float(r) / 10 : 1
            })
        }
        let now = picture(100), before = picture(80), after = picture(120)
        let neighbours = [(alpha: alphaMap(), frame: picture(100), ahead: true), (alpha: alphaMap(), frame: picture(95), ahead: false)]
        let start = alphaMap()
        for (change, fade) in [(0, 40), (20, 0), (10, 30)] {
            var settings = TemporalAlphaSettings()
            settings.tolerance = 30
            settings.change = change
            settings.fade = fade
            var fast = start
            let raised = TemporalAlpha.borrow(&fast, frame: now, from: neighbours, past: [before], future: [after], settings: settings)
            // the plain loop
            var plain = start.values
            var plainRaised: [Int] = []
            func diff(_ a: RGBFrame, _ b: RGBFrame, _ i: Int) -> Int {
                (0..<3).map { abs(Int(a.pixels[3 * i + $0]) - Int(b.pixels[3 * i + $0])) }.max()!
            }
            for n in neighbours {
                let other = n.ahead ? [before] : [after]
                for i in 0..<(w * h) where n.alpha.values[i] >= settings.core && n.alpha.values[i] > plain[i] {
                    if diff(now, n.frame, i) <= settings.tolerance {
                        if change > 0 && !other.contains(where: { diff(now, $0, i) > change }) { continue }
                    } else {
                        guard fade > 0 else { continue }
                        let fading = other.allSatisfy { o in
                            var apart = false
                            for c in 0..<3 {
                                let (pv, qv, ov) = (Int(now.pixels[3 * i + c]), Int(n.frame.pixels[3 * i + c]), Int(o.pixels[3 * i + c]))
                                if abs(qv - ov) > fade { apart = true }
                                if pv < min(qv, ov) - settings.tolerance || pv > max(qv, ov) + settings.tolerance { return false }
                            }
                            let sum = (0..<3).reduce(0) { $0 + abs(Int(now.pixels[3 * i + $1]) - Int(n.frame.pixels[3 * i + $1])) }
                            return apart && diff(now, o, i) > settings.tolerance && sum > settings.tolerance
                        }
                        if !fading { continue }
                    }
                    if plain[i] == 0 { plainRaised.append(i) }
                    plain[i] = n.alpha.values[i]
                }
            }
            XCTAssertEqual(fast.values, plain, "change \(change), fade \(fade)")
            XCTAssertEqual(raised, plainRaised.sorted(), "change \(change), fade \(fade)")
            XCTAssertGreaterThan(raised.count, 100, "the case raises pixels (change \(change), fade \(fade))")
            XCTAssertNotEqual(fast.values, start.values)
        }
    }

    /// The memory may record a pixel the head marks in this frame when it differs from every
    /// neighbour that is sure of text there (the cue is a frame or two away, not here).
    func testReleasedPixelsDifferFromEveryConfidentNeighbour() {
        // pixel 0: background now, text in both neighbours; 1: text now and in one neighbour;
        // 2: no neighbour sure of text; 3: α 0 here
        let now = frame([(30, 30, 30), (250, 250, 250), (30, 30, 30), (30, 30, 30)])
        let next = frame([(250, 250, 250), (250, 250, 250), (250, 250, 250), (250, 250, 250)])
        let later = frame([(250, 250, 250), (30, 30, 30), (250, 250, 250), (250, 250, 250)])
        let own = AlphaMap(width: 4, height: 1, values: [0.5, 1, 0.5, 0])
        let sure = AlphaMap(width: 4, height: 1, values: [1, 1, 0.5, 1])
        let released = TemporalAlpha.released(own, frame: now, neighbours: [(sure, next), (sure, later)], settings: TemporalAlphaSettings())
        XCTAssertEqual(released, [0])
    }

    /// Frames for `leads`: 300 pixels of textured background with ±2 levels of noise per frame;
    /// the first 200 show text (240) in the frames of `cue`, or `fade` of the way to it in `faint`.
    private func cueFrames(count: Int, cue: Set<Int>, faint: Set<Int> = [], fade: Float = 0.3) -> [RGBFrame] {
        (0..<count).map { k in
            frame((0..<300).map { i in
                let bg = Float(60 + (i * 37) % 100 + (i * 7 + k * 13) % 5 - 2)
                let v = i < 200 && cue.contains(k) ? 240 : i < 200 && faint.contains(k) ? bg + fade * (240 - bg) : bg
                return (UInt8(v), UInt8(v), UInt8(v))
            })
        }
    }

    /// α `value` on the 200 text pixels, 0 elsewhere.
    private func textAlpha(_ value: Float) -> AlphaMap {
        AlphaMap(width: 300, height: 1, values: (0..<300).map { $0 < 200 ? value : 0 })
    }

    /// A clean frame whose window sees a cue coming leads (the memory takes it as scenery); a
    /// frame showing the cue fading in, a frame between two cues, or one with too few sure
    /// pixels does not.
    func testLeadIsACleanFrameBesideACue() {
        let settings = TemporalAlphaSettings()
        XCTAssertEqual(settings.lead, 1)
        let strong = textAlpha(1), footprint = textAlpha(0.9)
        let frames = cueFrames(count: 6, cue: [3, 4, 5])
        let heads = [0: textAlpha(0), 1: textAlpha(0), 3: strong, 4: strong]
        XCTAssertTrue(TemporalAlpha.leads(footprint, t: 2, frames: frames, heads: heads, settings: settings))
        // the same frame showing 30 % or 10 % of the cue (a fade-in) is not clean
        for fade: Float in [0.3, 0.1] {
            let fading = cueFrames(count: 6, cue: [3, 4, 5], faint: [2], fade: fade)
            XCTAssertFalse(TemporalAlpha.leads(footprint, t: 2, frames: fading, heads: heads, settings: settings), "fade \(fade)")
        }
        // after a cue (text before, none after): the mirror case
        let ended = cueFrames(count: 6, cue: [0, 1])
        XCTAssertTrue(TemporalAlpha.leads(footprint, t: 2, frames: ended, heads: [0: strong, 1: strong, 3: textAlpha(0), 4: textAlpha(0)],
                                          settings: settings))
        // the video's first frame, the cue two frames in: compared with the clean frame after it,
        // whose head α also marks the cue (same colour, so not sure of text)
        let start = cueFrames(count: 5, cue: [2, 3, 4])
        XCTAssertTrue(TemporalAlpha.leads(footprint, t: 0, frames: start, heads: [1: footprint, 2: strong], settings: settings))
        // between two cues: sure pixels on both sides
        let between = cueFrames(count: 6, cue: [0, 1, 3, 4])
        XCTAssertFalse(TemporalAlpha.leads(footprint, t: 2, frames: between, heads: [0: strong, 1: strong, 3: strong, 4: strong],
                                           settings: settings))
        // too few of the frame's α pixels are sure of text
        var share = settings
        share.leadShare = 0.9
        let wide = AlphaMap(width: 300, height: 1, values: [Float](repeating: 0.9, count: 300))
        XCTAssertTrue(TemporalAlpha.leads(wide, t: 2, frames: frames, heads: heads, settings: settings))
        XCTAssertFalse(TemporalAlpha.leads(wide, t: 2, frames: frames, heads: heads, settings: share))
    }

    func testAppearingTextMatchesOneSideAndIsFarFromEveryFrameOfTheOther() {
        // five 6×1 frames, t = 2; the head is sure of text (α 1) at every pixel in frames 3 and 4
        // only, and at pixel 5 in frames 0 and 1 only
        func frame(_ values: [UInt8]) -> RGBFrame {
            var f = RGBFrame(width: 6, height: 1)
            for (i, v) in values.enumerated() { f.pixels[3 * i] = v; f.pixels[3 * i + 1] = v; f.pixels[3 * i + 2] = v }
            return f
        }
        let frames = [frame([20, 20, 20, 20, 200, 230]),     // 0
                      frame([20, 22, 200, 20, 200, 230]),    // 1
                      frame([230, 20, 230, 230, 200, 230]),  // 2 (t)
                      frame([230, 20, 230, 200, 200, 20]),   // 3
                      frame([232, 20, 230, 230, 200, 20])]   // 4
        let sure = AlphaMap(width: 6, height: 1, values: [1, 1, 1, 1, 1, 0])
        let beforeSure = AlphaMap(width: 6, height: 1, values: [0, 0, 0, 0, 0, 1])
        let heads = [0: beforeSure, 1: beforeSure, 3: sure, 4: sure]
        let settings = TemporalAlphaSettings()
        // 0: a cue's text, the same ahead, far from both frames behind: appearing
        // 1: unchanged everywhere (the halo of the head's α): scenery
        // 2: the same ahead, but within 40 levels of frame 1 behind (something moving): scenery
        // 3: differs from frame 3 ahead: matches no side
        // 4: the same on both sides
        // 5: the same as the frames behind, which are sure of text there, far from both ahead: leaving
        XCTAssertEqual(TemporalAlpha.appearingText(Array(0..<6), t: 2, frames: frames, heads: heads, reach: 2, settings: settings), [0, 5])
        // a side without head α counts as not read; no frame behind: nothing to compare with
        XCTAssertEqual(TemporalAlpha.appearingText([0], t: 2, frames: frames, heads: [3: sure, 4: sure], reach: 2, settings: settings), [])
        XCTAssertEqual(TemporalAlpha.appearingText([0], t: 2, frames: frames, heads: [1: beforeSure, 3: sure, 4: sure], reach: 2, settings: settings), [0])
        var strict = settings
        strict.appearingDifference = 220   // pixel 0 is 210 levels from frame 0: no longer far enough
        XCTAssertEqual(TemporalAlpha.appearingText([0, 5], t: 2, frames: frames, heads: heads, reach: 2, settings: strict), [])
    }

    func testAppearingTextSideMustBeSurerOfTextThanTheOther() {
        // A cue starts at frame 2 of a video; t = 1 is its last clean frame. The head's window at
        // frame 0 already sees the cue (sure there), as it does in frames 2 and 3. The pixel matches
        // frame 0 and is far from frames 2 and 3, as the text of a cue leaving would be, but it is the scenery
        // before the text: the side it matches is less sure of text (1 frame) than the other (2).
        func frame(_ v: UInt8) -> RGBFrame {
            var f = RGBFrame(width: 1, height: 1)
            f.pixels = [v, v, v]
            return f
        }
        let frames = [frame(40), frame(42), frame(230), frame(231)]
        let sure = AlphaMap(width: 1, height: 1, values: [1])
        let heads = [0: sure, 2: sure, 3: sure]
        let settings = TemporalAlphaSettings()
        XCTAssertEqual(TemporalAlpha.appearingText([0], t: 1, frames: frames, heads: heads, reach: 2, settings: settings), [],
                       "the clean frame's pixel is not taken for leaving text")
        // frame 2, the cue's first frame: the text matches frames 3 (and would match 4), surer than 0 and 1
        let notSure = AlphaMap(width: 1, height: 1, values: [0])
        XCTAssertEqual(TemporalAlpha.appearingText([0], t: 2, frames: frames + [frame(230)], heads: [0: sure, 1: notSure, 3: sure, 4: sure],
                                                   reach: 2, settings: settings), [0])
    }

    func testSettingsParsing() throws {
        XCTAssertEqual(TemporalAlphaSettings(parsing: "reach=1,tolerance=8,core=0.9").map { [$0.reach, $0.tolerance] }, [1, 8])
        XCTAssertEqual(TemporalAlphaSettings(parsing: "core=0.9")?.core, 0.9)
        XCTAssertEqual(TemporalAlphaSettings(parsing: "change=24")?.change, 24)
        XCTAssertEqual(TemporalAlphaSettings(parsing: "fade=40")?.fade, 40)
        XCTAssertEqual(TemporalAlphaSettings(parsing: "release=0")?.release, 0)
        XCTAssertNil(TemporalAlphaSettings(parsing: "release=2"))
        XCTAssertEqual(TemporalAlphaSettings(parsing: "lead=0,lshare=0.2,lfade=0.1").map { [Float($0.lead), $0.leadShare, $0.leadFade] }, [0, 0.2, 0.1])
        XCTAssertNil(TemporalAlphaSettings(parsing: "lead=2"))
        XCTAssertEqual(TemporalAlphaSettings().keepAppearingText, 1, "on by default")
        XCTAssertEqual(TemporalAlphaSettings(parsing: "bkeep=0,bdiff=30").map { [$0.keepAppearingText, $0.appearingDifference] }, [0, 30])
        XCTAssertNil(TemporalAlphaSettings(parsing: "bkeep=2"))
        // the release's own reach, and the frames either side the engine needs for both
        XCTAssertEqual(TemporalAlphaSettings(parsing: "rreach=4").map { [$0.releaseReach, $0.span] }, [4, 4])
        XCTAssertEqual(TemporalAlphaSettings(parsing: "rreach=4,release=0")?.span, 2)
        XCTAssertEqual(TemporalAlphaSettings(parsing: "reach=3,rreach=1")?.span, 3)
        XCTAssertNil(TemporalAlphaSettings(parsing: "reach=1.5"))
        XCTAssertNil(TemporalAlphaSettings(parsing: "core=0"))
        XCTAssertNil(TemporalAlphaSettings(parsing: "radius=2"))
        XCTAssertEqual(try LiteEngine.configured(environment: [:]).temporalAlpha, TemporalAlphaSettings())
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "0"]).temporalAlpha)
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "reach=0"]).temporalAlpha)
        let one = try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "reach=1"])
        XCTAssertEqual(one.temporalAlpha?.reach, 1)
        XCTAssertEqual(one.contextRadius, LiteArchitecture.radius + 2, "the release still compares with 2 frames either side")
        let short = try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "reach=1,rreach=1"])
        XCTAssertEqual(short.contextRadius, LiteArchitecture.radius + 1)
        let long = try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "rreach=4"])
        XCTAssertEqual(long.contextRadius, LiteArchitecture.radius + 4)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "tol=3"])) {
            XCTAssertTrue("\($0)".contains("reach, tolerance, core, change, fade, release, rreach, bkeep, bdiff, lead"))
        }
    }
}

// The box finder (SubtitleBoxFinder): a dark semi-transparent box around the text α marks is found
// from the frame alone and divided out, giving back the scenery under it; the glyphs inside get
// α = 1, the rest of the box α = 0; scenery that is not a box (no box, a dark band wider than the
// text's surroundings, a box whose side is hidden unless it was found in the frame before, a
// bright stroke hugging a dark band's edge) is left alone; a glyph's horizontal stroke inside a box
// neither splits nor drops it (on large frames too, where its edge spreads over rows), nor does a
// headline stroke close it early, nor α on scenery above the line beyond its side; stacked boxes
// are found through their doubly dark overlap, and an edge seen only in such dark rows never
// drops a box. A layer found through the engine's coarser look needs some of the engine's own
// glyphs inside its boxes, and the look is skipped only where it could not change a thing. A box
// and its drop shadow are both found; a cue's box found in earlier frames is kept where the finder
// misses it, or finds pieces of it, while it still fits the frame.
import XCTest
import ClearMedia
import ClearSubtitles
@testable import ClearLite

final class SubtitleBoxTests: XCTestCase {
    let w = 640, h = 360

    struct Scene {
        var frame: RGBFrame
        var clean: [Float]
        var alpha: AlphaMap
        var glyphs: [Bool]
    }

    /// `EngineFixtures.boxedScene` with α 0.9 on the glyphs grown by 2 px (the head's α).
    func scene(boxes: [(y0: Int, y1: Int, x0: Int, x1: Int, t: Float)], glyphRows: [ClosedRange<Int>],
               glyphX: Int = 200, glyphEnd: Int = 440) -> Scene {
        let (frame, clean, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: boxes, glyphRows: glyphRows,
                                                               glyphX: glyphX, glyphEnd: glyphEnd)
        return Scene(frame: frame, clean: clean, alpha: headAlpha(glyphs), glyphs: glyphs)
    }

    /// α 0.9 on `glyphs` (a w × h mask) grown by 2 px: the head's α.
    func headAlpha(_ glyphs: [Bool]) -> AlphaMap {
        var a = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w where glyphs[y * w + x] {
                for yy in max(0, y - 2)...min(h - 1, y + 2) { for xx in max(0, x - 2)...min(w - 1, x + 2) { a[yy * w + xx] = 0.9 } }
            }
        }
        return AlphaMap(width: w, height: h, values: a)
    }

    /// Mean and largest |frame − clean| over the pixels of rows × columns at least 4 px from any glyph.
    func error(_ frame: RGBFrame, _ s: Scene, rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> (mean: Float, max: Float) {
        Self.error(frame, clean: s.clean, glyphs: s.glyphs, rows: rows, columns: columns)
    }

    static func error(_ frame: RGBFrame, clean: [Float], glyphs: [Bool], rows: ClosedRange<Int>, columns: ClosedRange<Int>) -> (mean: Float, max: Float) {
        let (w, h) = (frame.width, frame.height)
        var sum: Float = 0, n = 0, worst: Float = 0
        for y in rows {
            for x in columns {
                var nearGlyph = false
                for yy in max(0, y - 4)...min(h - 1, y + 4) where !nearGlyph { for xx in max(0, x - 4)...min(w - 1, x + 4) where glyphs[yy * w + xx] { nearGlyph = true; break } }
                if nearGlyph { continue }
                for c in 0..<3 {
                    let e = abs(Float(frame.pixels[(y * w + x) * 3 + c]) - clean[(y * w + x) * 3 + c])
                    sum += e; n += 1; worst = max(worst, e)
                }
            }
        }
        return (sum / Float(max(n, 1)), worst)
    }

    /// Finds the boxes of `frame` around `glyphs` (the head's α on them), asserts they are one box
    /// at rows `top`…`bottom` (±1), and that dividing it out gives the scenery back (mean error
    /// under 1.5 levels over `rows` × columns 185…454, away from the glyphs).
    func assertOneBoxDividedOut(_ frame: RGBFrame, clean: [Float], glyphs: [Bool], top: Int, bottom: Int, rows: ClosedRange<Int>,
                                _ label: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let alpha = headAlpha(glyphs)
        let layers = SubtitleBoxFinder.find(frame: frame, alpha: alpha)
        let boxes = layers.flatMap(\.boxes)
        XCTAssertEqual(boxes.count, 1, "\(label)\(boxes)", file: file, line: line)
        let box = try XCTUnwrap(boxes.first, file: file, line: line)
        XCTAssertLessThanOrEqual(abs(box.top - top), 1, file: file, line: line)
        XCTAssertLessThanOrEqual(abs(box.bottom - bottom), 1, file: file, line: line)
        var divided = frame, dividedAlpha = alpha
        SubtitleBoxFinder.unblend(&divided, alpha: &dividedAlpha, layers: layers)
        XCTAssertLessThan(Self.error(divided, clean: clean, glyphs: glyphs, rows: rows, columns: 185...454).mean, 1.5,
                          "\(label)the whole box is divided out", file: file, line: line)
    }

    func testABoxAroundTheTextIsFoundAndDividedOut() throws {
        let s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        let layers = SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha)
        XCTAssertEqual(layers.count, 1)
        let box = try XCTUnwrap(layers.first?.boxes.first)
        XCTAssertEqual(layers.first?.boxes.count, 1)
        XCTAssertLessThanOrEqual(abs(box.top - 280), 1); XCTAssertLessThanOrEqual(abs(box.bottom - 329), 1)
        XCTAssertLessThanOrEqual(abs(box.x0 - 180), 2); XCTAssertLessThanOrEqual(abs(box.x1 - 459), 2)
        let before = error(s.frame, s, rows: 283...326, columns: 185...454)
        var frame = s.frame, alpha = s.alpha
        let inside = SubtitleBoxFinder.unblend(&frame, alpha: &alpha, layers: layers)
        XCTAssertEqual(inside.count, 50 * 280, accuracy: 2 * 280 + 4 * 50, "every pixel of the box, no other")
        let after = error(frame, s, rows: 283...326, columns: 185...454)
        XCTAssertGreaterThan(before.mean, 40, "the box darkens the scenery")
        XCTAssertLessThan(after.mean, 1.5, "the division gives the scenery back")
        XCTAssertLessThanOrEqual(after.max, 4)
        // α: 1 on the glyphs, 0 on the box away from them; outside the box untouched
        XCTAssertTrue((293...316).allSatisfy { y in alpha.values[y * w + 205] == 1 })
        XCTAssertEqual(alpha.values[285 * w + 190], 0)
        XCTAssertEqual(alpha.values[300 * w + 227], 0, "between two glyphs, 15 px from each")
        for y in [0, 100, 270, 340] { for x in stride(from: 0, to: w, by: 7) {
            XCTAssertEqual(frame.pixels[(y * w + x) * 3], s.frame.pixels[(y * w + x) * 3], "outside the box the frame is untouched")
        } }
    }

    /// A glyph's horizontal stroke across the line (CJK 一, 二, 電…) makes two edges inside the box
    /// as strong as the box's own: over bright scenery they match its step (the box would be split
    /// in two at the stroke), over darker scenery they do not (the box would be dropped for them).
    /// The box is found whole either way: the stroke's bright side is a glyph, brighter than the
    /// box lets any scenery through.
    func testAGlyphsHorizontalStrokeNeitherSplitsNorDropsTheBox() throws {
        for base: Float in [225, 120] {
            let (frame, clean, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: [(270, 339, 180, 459, 0.4)],
                                                                   glyphRows: [283...299, 310...326], glyphX: 200, glyphEnd: 440,
                                                                   base: base, amplitude: 8, strokes: [(303, 306, 195, 445)])
            try assertOneBoxDividedOut(frame, clean: clean, glyphs: glyphs, top: 270, bottom: 339, rows: 273...336,
                                       "scenery at \(base), not split at the stroke or dropped: ")
        }
        // a bright stroke hugging a dark band's edge (a black outline around a Devanagari headline
        // looks so) explains nothing: a subtitle box pads its text
        let (frame, _, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: [(270, 339, 180, 459, 0.4)],
                                                           glyphRows: [283...299, 310...326], glyphX: 200, glyphEnd: 440,
                                                           base: 120, amplitude: 8, strokes: [(272, 275, 195, 445)])
        XCTAssertTrue(SubtitleBoxFinder.find(frame: frame, alpha: headAlpha(glyphs)).isEmpty)
    }

    /// A headline stroke with the glyphs hanging from it (Devanagari's): the dark box meets the
    /// bright stroke in a step like the box's bottom, which closes the box early, and the stroke's
    /// lower edge, broken by the stems, opens no top for the box's real bottom. The box is found
    /// whole: a box closed by a glyph's stroke ends at the next bottom within a line's height.
    func testAHeadlineStrokeDoesNotCloseTheBoxEarly() throws {
        let (frame, clean, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: [(262, 335, 180, 459, 0.4)],
                                                               glyphRows: [289...322], glyphX: 200, glyphEnd: 440,
                                                               base: 225, amplitude: 8, strokes: [(283, 288, 195, 430)])
        try assertOneBoxDividedOut(frame, clean: clean, glyphs: glyphs, top: 262, bottom: 335, rows: 265...332)
    }

    /// The head's α on scenery above the line (a lamp, a face), joined into the line's group and
    /// reaching past the box's side, is no text of the box's: the boxes must span the columns that
    /// hold glyphs at their own rows or within half a line of them.
    func testAlphaOnSceneryAboveTheLineDoesNotHideItsBox() throws {
        var s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        for y in 248...255 { for x in 400...560 { s.alpha.values[y * w + x] = 0.9 } }
        let boxes = SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).flatMap(\.boxes)
        XCTAssertEqual(boxes.count, 1, "\(boxes)")
        let box = try XCTUnwrap(boxes.first)
        XCTAssertLessThanOrEqual(abs(box.top - 280), 1); XCTAssertLessThanOrEqual(abs(box.bottom - 329), 1)
        // at the box's rows the same α still counts: the box must span it
        var beside = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        for y in 293...316 { for x in 470...560 { beside.alpha.values[y * w + x] = 0.9 } }
        XCTAssertTrue(SubtitleBoxFinder.find(frame: beside.frame, alpha: beside.alpha).isEmpty)
    }

    /// On a 1080-row frame a glyph's edge, once coded, spreads over two or three rows: over dark
    /// scenery the row just past a stroke's transition is still darker than a glyph, the next one
    /// is the glyph. The stroke is read there too, and does not drop the box.
    func testAGlyphsSoftStrokeOnALargeFrameDoesNotDropTheBox() throws {
        let (W, H) = (960, 1080)
        var (frame, _, glyphs) = EngineFixtures.boxedScene(width: W, height: H, boxes: [(815, 905, 180, 779, 0.4)],
                                                           glyphRows: [830...850, 866...890], glyphX: 200, glyphEnd: 760,
                                                           base: 60, amplitude: 8, strokes: [(851, 865, 195, 765)])
        // between the bars the stroke's first two rows and last two rows ramp from the box to the glyph
        for (y, share, beside) in [(851, Float(0.25), 849), (852, 0.6, 849), (864, 0.6, 867), (865, 0.25, 867)] {
            for x in 195...765 where x < 200 || (x - 200) % 30 >= 12 {
                for c in 0..<3 {
                    let dark = Float(frame.pixels[(beside * W + x) * 3 + c])
                    frame.pixels[(y * W + x) * 3 + c] = UInt8((dark + share * (255 - dark)).rounded())
                }
            }
        }
        var a = [Float](repeating: 0, count: W * H)
        for y in 0..<H { for x in 0..<W where glyphs[y * W + x] {
            for yy in max(0, y - 3)...min(H - 1, y + 3) { for xx in max(0, x - 3)...min(W - 1, x + 3) { a[yy * W + xx] = 0.9 } }
        } }
        let boxes = SubtitleBoxFinder.find(frame: frame, alpha: AlphaMap(width: W, height: H, values: a)).flatMap(\.boxes)
        XCTAssertEqual(boxes.count, 1, "\(boxes)")
        let box = try XCTUnwrap(boxes.first)
        XCTAssertLessThanOrEqual(abs(box.top - 815), 1); XCTAssertLessThanOrEqual(abs(box.bottom - 905), 1)
    }

    func testStackedBoxesOfTwoLinesMultiply() {
        // two lines' boxes overlapping by 11 rows (libass draws one box per line)
        let s = scene(boxes: [(240, 299, 180, 459, 0.45), (289, 348, 180, 459, 0.45)], glyphRows: [253...276, 310...333])
        let layers = SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha)
        XCTAssertEqual(layers.flatMap(\.boxes).count, 2)
        var frame = s.frame, alpha = s.alpha
        SubtitleBoxFinder.unblend(&frame, alpha: &alpha, layers: layers)
        let overlap = error(frame, s, rows: 291...297, columns: 185...454)
        XCTAssertLessThan(overlap.mean, 3, "the overlap, darkened twice, comes back too")
        XCTAssertLessThan(error(frame, s, rows: 243...345, columns: 185...454).mean, 2)
    }

    /// Three lines' boxes over dim scenery: where two overlap, the scenery is darkened twice, too
    /// dark for the usual tolerance of an edge's columns (a portrait frame's wrapped cue looks so).
    /// The overlap's edges are taken within a wider one, and every box is found and divided out.
    func testStackedBoxesOverDimSceneryAreFoundThroughTheirDarkOverlap() throws {
        let boxes: [(y0: Int, y1: Int, x0: Int, x1: Int, t: Float)] = [(200, 251, 180, 459, 0.36), (242, 293, 180, 459, 0.36),
                                                                         (284, 335, 180, 459, 0.36)]
        let (frame, clean, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: boxes, glyphRows: [213...238, 255...280, 297...322],
                                                               glyphX: 200, glyphEnd: 440, base: 70, amplitude: 8)
        let layers = SubtitleBoxFinder.find(frame: frame, alpha: headAlpha(glyphs))
        let found = layers.flatMap(\.boxes).sorted { $0.top < $1.top }
        XCTAssertEqual(found.count, 3, "\(found)")
        for (f, b) in zip(found, boxes) {
            XCTAssertLessThanOrEqual(abs(f.top - b.y0), 1); XCTAssertLessThanOrEqual(abs(f.bottom - b.y1), 1)
        }
        var divided = frame, alpha = headAlpha(glyphs)
        SubtitleBoxFinder.unblend(&divided, alpha: &alpha, layers: layers)
        XCTAssertLessThan(Self.error(divided, clean: clean, glyphs: glyphs, rows: 244...249, columns: 185...454).mean, 3,
                          "the overlaps, darkened twice, come back")
        XCTAssertLessThan(Self.error(divided, clean: clean, glyphs: glyphs, rows: 203...332, columns: 185...454).mean, 2)
    }

    /// An edge found only within that wider tolerance may close a box but never drops one: dim
    /// scenery inside a box that steps darker across the line (a shadow, a dark coat) stays scenery.
    func testADimSceneryEdgeInsideABoxDoesNotDropIt() throws {
        var (frame, _, glyphs) = EngineFixtures.boxedScene(width: w, height: h, boxes: [(260, 325, 180, 459, 0.36)],
                                                           glyphRows: [273...296], glyphX: 200, glyphEnd: 440, base: 70, amplitude: 4)
        // below row 312 the scenery under the box is 0.45 as bright: a step as strong as the box's
        // own, in rows too dark for the usual tolerance
        for y in 312..<h { for x in 180...459 where !glyphs[y * w + x] {
            for c in 0..<3 { frame.pixels[(y * w + x) * 3 + c] = UInt8((Float(frame.pixels[(y * w + x) * 3 + c]) * 0.45).rounded()) }
        } }
        let boxes = SubtitleBoxFinder.find(frame: frame, alpha: headAlpha(glyphs)).flatMap(\.boxes)
        XCTAssertEqual(boxes.count, 1, "\(boxes)")
        let box = try XCTUnwrap(boxes.first)
        XCTAssertLessThanOrEqual(abs(box.top - 260), 1); XCTAssertLessThanOrEqual(abs(box.bottom - 325), 1)
    }

    /// A box with a drop shadow (libass BorderStyle 3 with Shadow > 0: the box again, offset by a
    /// few pixels, under it) is two nested boxes, whose transmissions multiply. An edge inside them
    /// that is weaker than the box's own but as strong as the shadow's (a thin serif stroke, dim
    /// scenery) is no missing box: it is weighed against the strongest box holding it, so neither
    /// box is dropped and the doubly dark inside comes back.
    func testABoxAndItsDropShadowAreBothFoundDespiteAnEdgeInside() throws {
        var (frame, clean, glyphs) = EngineFixtures.boxedScene(width: w, height: h,
                                                               boxes: [(270, 339, 180, 459, 0.3), (272, 341, 182, 461, 0.55)],
                                                               glyphRows: [283...306], glyphX: 200, glyphEnd: 440, base: 230, amplitude: 8)
        // from row 320 down the scenery is half as bright, across the frame: inside the boxes a
        // step stronger than 3/4 of the shadow's, weaker than 3/4 of the box's
        for y in 320..<h { for x in 0..<w where !glyphs[y * w + x] {
            for c in 0..<3 {
                clean[(y * w + x) * 3 + c] *= 0.5
                frame.pixels[(y * w + x) * 3 + c] = UInt8((Float(frame.pixels[(y * w + x) * 3 + c]) * 0.5).rounded())
            }
        } }
        let layers = SubtitleBoxFinder.find(frame: frame, alpha: headAlpha(glyphs))
        let found = layers.flatMap(\.boxes).sorted { $0.top < $1.top }
        XCTAssertEqual(found.count, 2, "\(found)")
        guard found.count == 2 else { return }
        XCTAssertLessThanOrEqual(abs(found[0].top - 270), 1); XCTAssertLessThanOrEqual(abs(found[0].bottom - 339), 1)
        XCTAssertLessThanOrEqual(abs(found[1].top - 272), 1); XCTAssertLessThanOrEqual(abs(found[1].bottom - 341), 1)
        var divided = frame, alpha = headAlpha(glyphs)
        SubtitleBoxFinder.unblend(&divided, alpha: &alpha, layers: layers)
        XCTAssertLessThan(Self.error(divided, clean: clean, glyphs: glyphs, rows: 275...336, columns: 185...454).mean, 2,
                          "the inside, darkened by both, comes back")
    }

    /// A layer found in one frame still fits a later frame of the cue where the box is the same,
    /// whatever the scenery under it; not a frame without the box, nor one whose α holds no glyph in
    /// it, nor one where another box lies over the layer's, its top a few rows above.
    func testAKeptLayerFitsOnlyFramesThatStillShowItsBox() throws {
        let s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        let layer = try XCTUnwrap(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).first)
        XCTAssertTrue(SubtitleBoxFinder.stillFits(layer, frame: s.frame, alpha: s.alpha))
        let (other, _, _) = EngineFixtures.boxedScene(width: w, height: h, boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316],
                                                      glyphX: 200, glyphEnd: 440, base: 90, amplitude: 30)
        XCTAssertTrue(SubtitleBoxFinder.stillFits(layer, frame: other, alpha: s.alpha), "other scenery under the same box")
        XCTAssertFalse(SubtitleBoxFinder.stillFits(layer, frame: scene(boxes: [], glyphRows: [293...316]).frame, alpha: s.alpha),
                       "the box is gone")
        XCTAssertFalse(SubtitleBoxFinder.stillFits(layer, frame: scene(boxes: [(280, 329, 180, 459, 0.8)], glyphRows: [293...316]).frame,
                                                   alpha: s.alpha), "another box, far lighter")
        XCTAssertFalse(SubtitleBoxFinder.stillFits(layer, frame: s.frame, alpha: AlphaMap(width: w, height: h, values: [Float](repeating: 0, count: w * h))),
                       "no glyph in the box")
        // the box of the layer under another one whose top lies 3 rows above its own (a layer that
        // models only a drop shadow, not the box over it)
        let covered = scene(boxes: [(277, 326, 180, 459, 0.5), (280, 329, 180, 459, 0.4)], glyphRows: [293...316]).frame
        XCTAssertFalse(SubtitleBoxFinder.stillFits(layer, frame: covered, alpha: s.alpha), "a box over the layer's, a few rows above")
    }

    /// The kept boxes stand in for those found when the finder found nothing, pieces of them, or
    /// more inside them; not when it found them all again, one for one, nor a box beyond them.
    func testKeptBoxesStandInOnlyForLess() {
        let box = SubtitleBoxRect(top: 617, bottom: 681, x0: 567, x1: 709), shadow = SubtitleBoxRect(top: 619, bottom: 683, x0: 569, x1: 711)
        let kept = [box, shadow]
        XCTAssertTrue(LiteEngine.keptBoxesExplainMore(kept: kept, found: []))
        XCTAssertTrue(LiteEngine.keptBoxesExplainMore(kept: kept, found: [box]), "the shadow missed (the box is within sameRows of it)")
        XCTAssertTrue(LiteEngine.keptBoxesExplainMore(kept: kept, found: [SubtitleBoxRect(top: 619, bottom: 636, x0: 569, x1: 711), box]),
                      "the shadow split by a stroke")
        XCTAssertTrue(LiteEngine.keptBoxesExplainMore(kept: kept, found: [box, shadow, SubtitleBoxRect(top: 649, bottom: 659, x0: 569, x1: 609)]),
                      "a band between two strokes found beyond them")
        XCTAssertFalse(LiteEngine.keptBoxesExplainMore(kept: kept, found: [SubtitleBoxRect(top: 618, bottom: 681, x0: 566, x1: 709), shadow]),
                       "found again: the new measurement is kept")
        XCTAssertFalse(LiteEngine.keptBoxesExplainMore(kept: kept, found: [SubtitleBoxRect(top: 500, bottom: 560, x0: 567, x1: 709)]),
                       "a box elsewhere: another cue's")
        XCTAssertFalse(LiteEngine.keptBoxesExplainMore(kept: [box], found: [SubtitleBoxRect(top: 617, bottom: 681, x0: 500, x1: 709)]),
                       "a box wider than the kept one")
    }

    func testTheSameBoxInTwoLayersIsDividedOnce() throws {
        let s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        let layer = try XCTUnwrap(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).first)
        var once = s.frame, twice = s.frame, a1 = s.alpha, a2 = s.alpha
        let single = SubtitleBoxFinder.unblend(&once, alpha: &a1, layers: [layer])
        let double = SubtitleBoxFinder.unblend(&twice, alpha: &a2, layers: [layer, layer])
        XCTAssertEqual(twice, once)
        XCTAssertEqual(double, single)
    }

    /// A layer found through the coarser look (`LiteEngine.holdsOwnGlyphs`) is kept only where the
    /// engine's own α has glyphs inside its boxes, at least a tenth of those of the α the finder read;
    /// a box's pixels count once however many of the layer's boxes cover them.
    func testALayerFromTheCoarserLookNeedsTheEnginesOwnGlyphs() throws {
        let s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        let layer = try XCTUnwrap(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).first)
        let glyph = SubtitleBoxSettings().glyph
        let read = layer.glyphPixels(s.alpha, at: glyph)
        XCTAssertGreaterThan(read, 100)
        var doubled = layer
        doubled.boxes += layer.boxes
        XCTAssertEqual(doubled.glyphPixels(s.alpha, at: glyph), read)
        // the engine's own α keeps every n-th glyph pixel of the α the finder read
        func own(keepingEvery n: Int) -> AlphaMap {
            var a = s.alpha, k = 0
            for i in a.values.indices where a.values[i] >= glyph {
                if k % n != 0 { a.values[i] = 0 }
                k += 1
            }
            return a
        }
        XCTAssertTrue(LiteEngine.holdsOwnGlyphs(layer, own: s.alpha, read: s.alpha, glyph: glyph))
        XCTAssertTrue(LiteEngine.holdsOwnGlyphs(layer, own: own(keepingEvery: 5), read: s.alpha, glyph: glyph))
        XCTAssertFalse(LiteEngine.holdsOwnGlyphs(layer, own: own(keepingEvery: 20), read: s.alpha, glyph: glyph))
        let none = AlphaMap(width: s.alpha.width, height: s.alpha.height, values: [Float](repeating: 0, count: s.alpha.values.count))
        XCTAssertFalse(LiteEngine.holdsOwnGlyphs(layer, own: none, read: s.alpha, glyph: glyph))
    }

    /// The coarser look is skipped (`LiteEngine.coarseLookCanMatter`) only where it cannot change
    /// the frame or the box memory: the engine's own α has no glyph pixel, so the guard drops
    /// whatever the look would find, and no boxes are remembered for it to count a miss against.
    func testTheCoarserLookIsSkippedOnlyWhereItCannotMatter() throws {
        let s = scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316])
        let layer = try XCTUnwrap(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).first)
        let glyph = SubtitleBoxSettings().glyph
        // the engine's own α: the same text, but every value below the glyph level
        var faint = s.alpha
        for i in faint.values.indices { faint.values[i] = min(faint.values[i], glyph * 0.9) }
        XCTAssertFalse(faint.isEmpty)
        XCTAssertFalse(LiteEngine.holdsOwnGlyphs(layer, own: faint, read: s.alpha, glyph: glyph),
                       "the skip relies on the guard dropping every layer where the engine's α has no glyph")
        XCTAssertFalse(LiteEngine.coarseLookCanMatter(own: faint, glyph: glyph, remembered: []))
        XCTAssertTrue(LiteEngine.coarseLookCanMatter(own: faint, glyph: glyph, remembered: layer.boxes))
        XCTAssertTrue(LiteEngine.coarseLookCanMatter(own: s.alpha, glyph: glyph, remembered: []))
    }

    func testTextWithoutABoxIsLeftAlone() {
        let s = scene(boxes: [], glyphRows: [293...316])
        XCTAssertTrue(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).isEmpty)
    }

    func testADarkBandWiderThanTheTextsSurroundingsIsNotABox() {
        // scenery darker in a band across the frame (a shadow, a table edge): a top and a bottom
        // edge, but no sides near the text
        let s = scene(boxes: [(280, 329, 0, 639, 0.4)], glyphRows: [293...316])
        XCTAssertTrue(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).isEmpty)
    }

    func testABoxWithAHiddenSideNeedsThePreviousFrame() throws {
        // the scenery right of the box (a dark wall, all rows) is as dark as the box, so the box's
        // right side shows no step
        let s = scene(boxes: [(280, 329, 180, 459, 0.4), (0, 359, 460, 639, 0.4)], glyphRows: [293...316])
        XCTAssertTrue(SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha).isEmpty)
        let seen = SubtitleBoxFinder.find(frame: scene(boxes: [(280, 329, 180, 459, 0.4)], glyphRows: [293...316]).frame,
                                          alpha: s.alpha)
        let previous = seen.flatMap(\.boxes)
        XCTAssertEqual(previous.count, 1)
        let again = SubtitleBoxFinder.find(frame: s.frame, alpha: s.alpha, previous: previous)
        XCTAssertEqual(again.flatMap(\.boxes).count, 1, "the same box as in the frame before")
    }

    /// In the engine: the head (here: α on bright pixels) finds the glyphs, the finder the box
    /// around them; the box comes back as the scenery, every pixel outside it bit-identical.
    func testTheEngineDividesTheBoxOutAndLeavesTheRestAlone() throws {
        let (fw, fh) = (320, 180)
        let scene = EngineFixtures.boxedScene(width: fw, height: fh, boxes: [(120, 159, 60, 259, 0.4)], glyphRows: [130...149],
                                              glyphX: 80, glyphEnd: 240, base: 110, amplitude: 40)
        let frames = [RGBFrame](repeating: scene.frame, count: 5)
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        // the fixture's restoration weights are random; the shipped network's residual is its bias
        // (MODEL_CARD.md "The restoration network"), so the fill alone stands for it
        engine.restorationNetwork = false
        let out = try engine.clean(frames)
        for output in out {
            let inBox = Self.error(output, clean: scene.clean, glyphs: scene.glyphs, rows: 123...156, columns: 64...255)
            XCTAssertLessThan(inBox.mean, 2, "the box's scenery comes back")
            for y in 0..<fh { for x in 0..<fw where !(118...161).contains(y) || !(58...261).contains(x) {
                let p = (y * fw + x) * 3
                XCTAssertEqual(output.pixels[p..<(p + 3)], scene.frame.pixels[p..<(p + 3)], "(\(x), \(y)) outside the box")
            } }
        }
        engine.subtitleBoxes = nil
        engine.beginVideo()
        let kept = try engine.clean(frames)
        XCTAssertGreaterThan(Self.error(kept[2], clean: scene.clean, glyphs: scene.glyphs, rows: 123...156, columns: 64...255).mean, 30,
                             "without the finder the box stays")
    }

    /// In the engine, a frame of the cue where the finder finds no box (here: α on a bright blob
    /// beside the box, which the box's text line then spans, so the boxes no longer span its text)
    /// keeps the box of the frames before, which still fits it; without keeping, the box stays there.
    func testTheEngineKeepsTheCuesBoxWhereTheFinderMissesIt() throws {
        let (fw, fh) = (320, 180)
        let scene = EngineFixtures.boxedScene(width: fw, height: fh, boxes: [(120, 159, 60, 259, 0.4)], glyphRows: [130...149],
                                              glyphX: 80, glyphEnd: 240, base: 110, amplitude: 40)
        var blob = scene.frame
        for y in 130...149 { for x in 264...299 { for c in 0..<3 { blob.pixels[(y * fw + x) * 3 + c] = 255 } } }
        let frames = [RGBFrame](repeating: scene.frame, count: 4) + [RGBFrame](repeating: blob, count: 6)
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        engine.restorationNetwork = false
        XCTAssertTrue(SubtitleBoxFinder.find(frame: blob, alpha: try engine.alphaMap(frames, at: 7)).isEmpty,
                      "the finder alone misses the box beside the blob")
        let out = try engine.clean(frames)
        for t in 4..<frames.count {
            XCTAssertLessThan(Self.error(out[t], clean: scene.clean, glyphs: scene.glyphs, rows: 123...156, columns: 64...255).mean, 2,
                              "frame \(t): the kept box is divided out")
        }
        XCTAssertFalse(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BOXES": "nokeep"]).keepBoxes)
        XCTAssertTrue(try LiteEngine.configured(environment: [:]).keepBoxes)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BOXES": "no"]))
        engine.keepBoxes = false
        engine.beginVideo()
        let missed = try engine.clean(frames)
        XCTAssertGreaterThan(Self.error(missed[7], clean: scene.clean, glyphs: scene.glyphs, rows: 123...156, columns: 64...255).mean, 30,
                             "without keeping, the box stays")
    }

    /// Each pixel is divided by the transmission of the first layer whose boxes hold it, no darker
    /// than `minTransmission`; pixels outside every box by 1.
    func testDivisionTransmissionsFollowTheFirstLayerThatHoldsAPixel() {
        let fw = 20
        func layer(x0: Int, y0: Int, t: Float) -> SubtitleBoxLayer {
            SubtitleBoxLayer(x0: x0, y0: y0, width: 4, height: 2, transmission: [Float](repeating: t, count: 8),
                             sides: [Bool](repeating: false, count: 8), boxes: [SubtitleBoxRect(top: y0, bottom: y0 + 1, x0: x0, x1: x0 + 3)])
        }
        let layers = [layer(x0: 2, y0: 1, t: 0.5), layer(x0: 4, y0: 1, t: 0.02)]
        let pixels = [1 * fw + 2, 1 * fw + 5, 2 * fw + 7, 0, 3 * fw + 3]
        XCTAssertEqual(SubtitleBoxFinder.divisionTransmissions(pixels, layers: layers, width: fw), [0.5, 0.5, 0.08, 1, 1])
    }

    /// A box so dark that dividing it out multiplies the coding noise tenfold: with the weighing on
    /// (`SubtitleBoxSettings.divisionNoise`, off by default) the engine weighs the division against
    /// a fill of the frame as it is, and the box's scenery comes back closer than from the division
    /// alone; pixels outside the box stay untouched either way.
    func testAVeryDarkBoxWeighsTheDivisionAgainstTheFill() throws {
        let (fw, fh) = (320, 180)
        let scene = EngineFixtures.boxedScene(width: fw, height: fh, boxes: [(120, 159, 60, 259, 0.1)], glyphRows: [130...149],
                                              glyphX: 80, glyphEnd: 240, base: 110, amplitude: 8)
        var rng = SeededRandom(seed: 5)
        var frames: [RGBFrame] = []
        for _ in 0..<5 {   // coding noise of ±2 levels on the scenery, fresh in every frame
            var f = scene.frame
            for i in 0..<(fw * fh) where !scene.glyphs[i] {
                for c in 0..<3 { f.pixels[i * 3 + c] = UInt8(max(0, min(255, Int(f.pixels[i * 3 + c]) + Int.random(in: -2...2, using: &rng)))) }
            }
            frames.append(f)
        }
        func boxError(_ engine: LiteEngine) throws -> Float {
            engine.beginVideo()
            let out = try engine.clean(frames)
            for y in 0..<fh { for x in 0..<fw where !(118...161).contains(y) || !(58...261).contains(x) {
                let p = (y * fw + x) * 3
                XCTAssertEqual(out[2].pixels[p..<(p + 3)], frames[2].pixels[p..<(p + 3)], "(\(x), \(y)) outside the box")
            } }
            return Self.error(out[2], clean: scene.clean, glyphs: scene.glyphs, rows: 123...156, columns: 64...255).mean
        }
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        engine.restorationNetwork = false
        engine.subtitleBoxes?.divisionNoise = 0.01
        let weighed = try boxError(engine)
        engine.subtitleBoxes?.divisionNoise = nil
        let divided = try boxError(engine)
        XCTAssertLessThan(divided, 30, "the division alone finds and divides the box")
        XCTAssertLessThan(weighed, 0.8 * divided, "weighed against the fill, the noise the division multiplies shrinks")
        XCTAssertNil(try LiteEngine.configured(environment: [:]).subtitleBoxes?.divisionNoise, "off by default")
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BOXES": "noise=0.02"]).subtitleBoxes?.divisionNoise, 0.02)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_BOXES": "noise=x"]))
    }

    /// Whatever the frame and α (boxes of any size and place, cut by the frame's edge, stacked,
    /// noise, stray α, previous boxes near or far), the finder and the division return without
    /// trapping and only change pixels inside the boxes they report.
    func testArbitraryFramesNeverTrap() {
        var rng = SeededRandom(seed: 17)
        var found = 0
        for trial in 0..<80 {
            let (fw, fh) = trial % 4 == 3 ? (Int.random(in: 16...240, using: &rng), Int.random(in: 16...160, using: &rng))
                                           : (Int.random(in: 160...320, using: &rng), Int.random(in: 90...200, using: &rng))
            // a line of text, centred or anywhere, and boxes around it (padded, cut by the frame's
            // edge, stacked), or anywhere
            let lineHeight = Int.random(in: 10...26, using: &rng)
            let ty0 = Int.random(in: 0..<max(1, fh - lineHeight), using: &rng), ty1 = min(fh - 1, ty0 + lineHeight)
            let gx = trial % 4 == 3 ? Int.random(in: 0..<fw, using: &rng) : Int.random(in: fw / 5...fw / 3, using: &rng)
            let gEnd = trial % 4 == 3 ? Int.random(in: gx...fw, using: &rng) : fw - gx
            var boxes: [(y0: Int, y1: Int, x0: Int, x1: Int, t: Float)] = []
            for k in 0..<Int.random(in: 0...3, using: &rng) {
                let pad = Int.random(in: -2...14, using: &rng), t = Float.random(in: 0.1...0.9, using: &rng)
                switch (trial + k) % 3 {
                case 0: boxes.append((ty0 - pad, ty1 + pad, gx - pad, gEnd + pad, t))
                case 1: boxes.append((ty0 - pad + lineHeight / 2, ty1 + pad + lineHeight, gx - pad, gEnd + pad + Int.random(in: -20...20, using: &rng), t))
                default: boxes.append((Int.random(in: -10..<fh, using: &rng), Int.random(in: 0..<fh + 10, using: &rng),
                                       Int.random(in: -10..<fw, using: &rng), Int.random(in: 0..<fw + 10, using: &rng), t))
                }
            }
            var (frame, _, glyphs) = EngineFixtures.boxedScene(width: fw, height: fh, boxes: boxes, glyphRows: [ty0 + 3...ty1 - 3],
                                                               glyphX: gx, glyphEnd: gEnd)
            if trial % 5 == 0 { for i in frame.pixels.indices { frame.pixels[i] = UInt8.random(in: 0...255, using: &rng) } }
            var a = [Float](repeating: 0, count: fw * fh)
            for y in 0..<fh { for x in 0..<fw where glyphs[y * fw + x] {
                for yy in max(0, y - 2)...min(fh - 1, y + 2) { for xx in max(0, x - 2)...min(fw - 1, x + 2) { a[yy * fw + xx] = 0.9 } }
            } }
            let stray = trial % 3 == 0 ? 20 : 2000   // stray α: dense in a third of the frames
            for i in a.indices where Int.random(in: 0..<stray, using: &rng) == 0 { a[i] = Float.random(in: 0...1, using: &rng) }
            var alpha = AlphaMap(width: fw, height: fh, values: a)
            let previous = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                SubtitleBoxRect(top: ty0 + Int.random(in: -20...5, using: &rng), bottom: ty1 + Int.random(in: -5...20, using: &rng),
                                x0: Int.random(in: -5..<fw, using: &rng), x1: Int.random(in: -5..<fw + 5, using: &rng))
            }
            let layers = SubtitleBoxFinder.find(frame: frame, alpha: alpha, previous: previous)
            if !layers.isEmpty { found += 1 }
            let before = frame
            let inside = Set(SubtitleBoxFinder.unblend(&frame, alpha: &alpha, layers: layers))
            for i in 0..<(fw * fh) where !inside.contains(i) {
                XCTAssertEqual(frame.pixels[(3 * i)..<(3 * i + 3)], before.pixels[(3 * i)..<(3 * i + 3)])
            }
        }
        XCTAssertGreaterThanOrEqual(found, 5, "some of the frames hold a box the finder takes")
    }
}

// The glyph hole (GlyphHole): inside the head's blob over a line of text, the fill's hole keeps the
// text (what differs from the blob's fill by much, and what shares its colours: fill and outline)
// grown by a pixel, and gives the scenery between the strokes back; the fill from that tighter hole
// is closer to the scenery. A cue too faint to show sure pixels, a blob the text explains nearly
// all of, a blob over a dark box (what it would release is darker than the surroundings), and
// pixels fixed elsewhere (the glyphs inside a box) keep their hole; in the engine,
// released pixels come back as the input's own bytes.
import XCTest
import ClearMedia
@testable import ClearLite

final class GlyphHoleTests: XCTestCase {
    let (w, h) = (120, 40)

    /// A region of scenery (a diagonal ramp with a checker of waves, so a fill across a wide hole misses it)
    /// with a line of white glyphs outlined in black (`level` of their full contrast), and α = 1 on
    /// a blob around the whole line. Planar [3, h, w] in [0, 1].
    func scene(level: Float = 1) -> (image: [Float], clean: [Float], text: [Bool], alpha: [Float]) {
        let n = w * h
        var image = [Float](repeating: 0, count: 3 * n), clean = image
        var text = [Bool](repeating: false, count: n), alpha = [Float](repeating: 0, count: n)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                for c in 0..<3 {
                    let v = 0.35 + 0.25 * Float(x + y) / Float(w + h) + 0.12 * sin(Float(x) / 2.5 + Float(c)) * cos(Float(y) / 2.1)
                        + 0.05 * Float(c)
                    clean[c * n + i] = v; image[c * n + i] = v
                }
                if (10...29).contains(y), (8...111).contains(x) { alpha[i] = 1 }
            }
        }
        // glyphs: vertical strokes 2 px wide every 9 px with a 1-px black outline, and a crossbar
        for x0 in stride(from: 14, to: 104, by: 9) {
            for y in 14...25 {
                for x in (x0 - 1)...(x0 + 2) {
                    let i = y * w + x, fill = (x0...(x0 + 1)).contains(x) && (15...24).contains(y)
                    text[i] = true
                    for c in 0..<3 { image[c * n + i] = clean[c * n + i] + level * ((fill ? 1 : 0) - clean[c * n + i]) }
                }
            }
        }
        return (image, clean, text, alpha)
    }

    func directionalFill(_ image: [Float], hole: [Float]) -> [Float] {
        var out = image
        let holes = hole.map { $0 > 0 ? UInt8(1) : 0 }
        out.withUnsafeMutableBufferPointer { o in holes.withUnsafeBufferPointer {
            HoleFill.directional(o.baseAddress!, channels: 3, width: w, height: h, hole: $0.baseAddress!, reach: 48, sigma: 20 / 255)
        } }
        return out
    }

    func meanError(_ a: [Float], _ b: [Float], at pixels: [Int]) -> Float {
        let n = w * h
        var s: Float = 0
        for i in pixels { for c in 0..<3 { s += abs(a[c * n + i] - b[c * n + i]) } }
        return s * 255 / Float(3 * max(1, pixels.count))
    }

    func testTheHoleKeepsTheTextAndGivesTheSceneryBetweenTheStrokesBack() throws {
        let s = scene()
        let blobFill = directionalFill(s.image, hole: s.alpha)
        let tight = try XCTUnwrap(GlyphHole.tighten(image: s.image, fill: blobFill, alpha: s.alpha, fixed: nil, width: w, height: h))
        let n = w * h
        for i in 0..<n where s.text[i] { XCTAssertEqual(tight[i], 1, "text pixel (\(i % w), \(i / w)) stays in the hole") }
        for i in 0..<n where s.alpha[i] == 0 { XCTAssertEqual(tight[i], 0) }
        // away from the text by more than the grown pixel, the scenery is given back
        let far = (0..<n).filter { i in
            s.alpha[i] > 0 && !(-2...2).contains { dy in (-2...2).contains { dx in
                let (x, y) = (i % w + dx, i / w + dy)
                return x >= 0 && x < w && y >= 0 && y < h && s.text[y * w + x]
            } }
        }
        XCTAssertGreaterThan(far.count, 500)
        XCTAssertEqual(far.filter { tight[$0] > 0 }.count, 0, "scenery two pixels or more from the text leaves the hole")
        // the fill of the tighter hole is closer to the scenery under the blob
        let blobPixels = (0..<n).filter { s.alpha[$0] > 0 }
        let tightFill = directionalFill(s.image, hole: tight)
        XCTAssertLessThan(meanError(tightFill, s.clean, at: blobPixels), 0.7 * meanError(blobFill, s.clean, at: blobPixels))
    }

    func testAFaintCueADarkBoxAndFixedPixelsKeepTheirHole() throws {
        let faint = scene(level: 0.1)
        XCTAssertTrue(GlyphHole.tighten(image: faint.image, fill: directionalFill(faint.image, hole: faint.alpha), alpha: faint.alpha,
                                        fixed: nil, width: w, height: h) == nil, "no sure text: the blob stays the hole")
        // the blob over a dark box the finder did not take (the scenery at 40 % inside it), filled
        // from the box's own dark pixels: what the text leaves of the blob is darkened scenery
        var boxed = scene()
        let n = w * h
        for i in 0..<n where boxed.alpha[i] > 0 && !boxed.text[i] { for c in 0..<3 { boxed.image[c * n + i] *= 0.4 } }
        var darkFill = boxed.image
        for i in 0..<n where boxed.text[i] { for c in 0..<3 { darkFill[c * n + i] = 0.4 * boxed.clean[c * n + i] } }
        XCTAssertTrue(GlyphHole.tighten(image: boxed.image, fill: darkFill, alpha: boxed.alpha, fixed: nil, width: w, height: h) == nil,
                      "released pixels darker than the surroundings")
        var blind = GlyphHoleSettings()
        blind.releasedBrightness = 0
        XCTAssertNotNil(GlyphHole.tighten(image: boxed.image, fill: darkFill, alpha: boxed.alpha, fixed: nil, width: w, height: h, settings: blind),
                        "without the brightness test it would release them")
        let s = scene()
        let fill = directionalFill(s.image, hole: s.alpha)
        let fixed = (0..<(w * h)).map { $0 % w < 60 }
        let tight = try XCTUnwrap(GlyphHole.tighten(image: s.image, fill: fill, alpha: s.alpha, fixed: fixed, width: w, height: h))
        for i in 0..<(w * h) where fixed[i] { XCTAssertEqual(tight[i], s.alpha[i]) }
        XCTAssertTrue((0..<(w * h)).contains { !fixed[$0] && s.alpha[$0] > 0 && tight[$0] == 0 })
        // a blob the text explains nearly all of keeps its hole
        let whole = try XCTUnwrap(GlyphHole.tighten(image: s.image, fill: fill, alpha: s.alpha, fixed: nil, width: w, height: h))
        let released = Float((0..<(w * h)).filter { s.alpha[$0] > 0 && whole[$0] == 0 }.count) / Float(s.alpha.filter { $0 > 0 }.count)
        var strict = GlyphHoleSettings()
        strict.minimumRelease = min(1, released + 0.05)
        XCTAssertTrue(GlyphHole.tighten(image: s.image, fill: fill, alpha: s.alpha, fixed: nil, width: w, height: h, settings: strict) == nil,
                      "released \(released) of the blob, less than \(strict.minimumRelease)")
    }

    func testSettingsParseAndTheEngineSwitch() throws {
        XCTAssertEqual(GlyphHoleSettings(parsing: "strong=30,palette=20,share=0.3,minimum=5,grow=2,release=0.3,brightness=0.5")?.grow, 2)
        XCTAssertEqual(GlyphHoleSettings(parsing: "release=0.3")?.minimumRelease, 0.3)
        XCTAssertEqual(GlyphHoleSettings(parsing: "strong=30")?.strong, 30)
        XCTAssertNil(GlyphHoleSettings(parsing: "grow=-1"))
        XCTAssertNil(GlyphHoleSettings(parsing: "colour=3"))
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_GLYPH_HOLE": "1"]).glyphHole, GlyphHoleSettings())
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_GLYPH_HOLE": "0"]).glyphHole)
        XCTAssertEqual(try LiteEngine.configured(environment: ["CLEARSUB_LITE_GLYPH_HOLE": "palette=10"]).glyphHole?.palette, 10)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_GLYPH_HOLE": "yes"]))
    }

    /// In the engine, with the scenery moving under a cue (no memory), the glyph hole changes only
    /// pixels around the cue, and some of the pixels it gives back come out as the input's own bytes.
    func testTheEngineGivesReleasedPixelsBackUnchanged() throws {
        let (fw, fh) = (320, 180)
        var frames: [RGBFrame] = []
        for t in 0..<5 {
            var px = [UInt8](repeating: 0, count: fw * fh * 3)
            for y in 0..<fh { for x in 0..<fw { for c in 0..<3 {
                px[(y * fw + x) * 3 + c] = UInt8(90 + 50 * sin(Float(x + 3 * t) / 7 + Float(c)) * cos(Float(y) / 11))
            } } }
            for x0 in stride(from: 80, to: 240, by: 10) { for y in 140...155 { for x in x0..<(x0 + 3) { for c in 0..<3 { px[(y * fw + x) * 3 + c] = 255 } } } }
            frames.append(RGBFrame(width: fw, height: fh, pixels: px))
        }
        let engine = LiteEngine(weights: try EngineFixtures.brightnessWeights())
        engine.restorationNetwork = false
        engine.backgroundMemory = nil
        engine.glyphHole = GlyphHoleSettings()
        let tight = try engine.clean(frames)
        engine.glyphHole = nil
        let blob = try engine.clean(frames)
        var released = 0
        for i in 0..<(fw * fh) {
            let p = i * 3
            let (t, b, input) = (tight[2].pixels[p..<(p + 3)], blob[2].pixels[p..<(p + 3)], frames[2].pixels[p..<(p + 3)])
            if !(128...167).contains(i / fw) { XCTAssertEqual(t, b, "(\(i % fw), \(i / fw)) away from the cue") }
            if t != b && t == input { released += 1 }
        }
        XCTAssertGreaterThan(released, 0, "some scenery between the strokes is given back as it is")
    }
}

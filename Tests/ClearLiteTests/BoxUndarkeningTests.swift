// Box un-darkening: the gain of a semi-transparent dark box is found across the α edge and the
// texture under it comes back within a few levels; glyphs keep the restoration; outlined text
// without a box, and a box over a flat background, are left to the restoration.
import XCTest
@testable import ClearLite
import ClearMedia
import ClearTensor

final class BoxUndarkeningTests: XCTestCase {
    static let (w, h) = (256, 160)
    static let box = (x0: 40, y0: 60, x1: 216, y1: 116)

    static func background(_ x: Int, _ y: Int) -> Float {
        125 + 70 * Float(sin(Double(x) / 23) * cos(Double(y) / 17)) + 25 * Float(sin(Double(x + 2 * y) / 41))
    }

    static func isGlyph(_ x: Int, _ y: Int) -> Bool {
        x >= box.x0 + 12 && x < box.x1 - 12 && (x - box.x0) % 24 < 5 && y >= box.y0 + 12 && y < box.y1 - 12
    }

    /// Texture, a box of gain `gain` over `box` (nil: no box), white glyph bars inside it with a
    /// black 2-px outline when `outline`; α = 1 on the box grown by 3 px.
    static func scene(gain: Float?, outline: Bool = false, flat: Bool = false) -> (RGBFrame, AlphaMap) {
        var f = RGBFrame(width: w, height: h)
        var a = [Float](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w {
            var v = flat ? 120 : background(x, y)
            let inBox = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1
            if inBox, let gain { v *= gain }
            if isGlyph(x, y) { v = 250 }
            if outline, !isGlyph(x, y), (-2...2).contains(where: { d in isGlyph(x + d, y) || isGlyph(x, y + d) }) { v = 10 }
            let p = (y * w + x) * 3
            for c in 0..<3 { f.pixels[p + c] = UInt8(max(0, min(255, v.rounded()))) }
            if x >= box.x0 - 3 && x < box.x1 + 3 && y >= box.y0 - 3 && y < box.y1 + 3 { a[y * w + x] = 1 }
        } }
        return (f, AlphaMap(width: w, height: h, values: a))
    }

    func testBoxGainIsFoundAndTheTextureComesBack() throws {
        let (frame, alpha) = Self.scene(gain: 0.4)
        let region = TileRegion(x: 0, y: 0, width: Self.w, height: Self.h)
        let u = BoxUndarkening()
        let g = try XCTUnwrap(u.gain(region: region, alpha: alpha, frame: frame), "a dark box over texture")
        XCTAssertEqual(g, 0.4, accuracy: 0.03)
        let restored = Tensor(shape: [1, 3, Self.h, Self.w], dtype: .f32)
        restored.f32.update(repeating: 0.5, count: restored.count)
        let written = u.apply(gain: g, to: restored, region: region, alpha: alpha, frame: frame)
        XCTAssertGreaterThan(written, (Self.box.x1 - Self.box.x0) * (Self.box.y1 - Self.box.y0) / 2)
        var worst: Float = 0, glyphWritten = 0
        for y in Self.box.y0..<Self.box.y1 { for x in Self.box.x0..<Self.box.x1 {
            let v = restored.f32[y * Self.w + x] * 255
            if Self.isGlyph(x, y) { if v != 127.5 { glyphWritten += 1 }; continue }
            if v != 127.5 { worst = max(worst, abs(v - Self.background(x, y))) }
        } }
        XCTAssertEqual(glyphWritten, 0, "glyph pixels keep the restoration")
        XCTAssertLessThan(worst, 8, "texture under the box within a few levels (gain error × level)")
    }

    func testOutlinedTextWithoutBoxAndFlatBackgroundAreLeftAlone() {
        let region = TileRegion(x: 0, y: 0, width: Self.w, height: Self.h)
        let (text, textAlpha) = Self.scene(gain: nil, outline: true)
        XCTAssertNil(BoxUndarkening().gain(region: region, alpha: textAlpha, frame: text), "no box: nothing is darkened")
        let (flat, flatAlpha) = Self.scene(gain: 0.4, flat: true)
        XCTAssertNil(BoxUndarkening().gain(region: region, alpha: flatAlpha, frame: flat), "flat background: gain not identifiable")
    }
}

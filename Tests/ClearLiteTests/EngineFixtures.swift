// Hand-set weights for engine tests: α depends only on the centre frame's red channel
// (α ≈ sigmoid(100·relu(R − 0.8) − 6)), so bright marks get α > 0 and everything else α = 0
// after thresholding — a deterministic occlusion head to test the engine's bookkeeping.
import ClearLite
import ClearMedia
import ClearTensor
import Foundation

enum EngineFixtures {
    static func brightnessWeights() throws -> LiteWeights {
        let w = try LiteWeights(layers: LiteArchitecture.engineLayers, seed: 5)
        func zero(_ name: String) { for t in [w.weight(name).value, w.bias(name).value] { t.f32.update(repeating: 0, count: t.count) } }
        for l in LiteArchitecture.occlusion { zero(l.name) }
        let c1 = w.weight("occ.c1").value.f32      // [12, 6, 3, 3]: out 0 ← input ch 0 (centre R), centre tap
        c1[0 * 54 + 0 * 9 + 4] = 1
        w.bias("occ.c1").value.f32[0] = -0.8
        let c7 = w.weight("occ.c7").value.f32      // [12, 24, 1, 1]: out 0 ← c1 channel 0 (index 12 of the concat)
        c7[12] = 1
        let c8 = w.weight("occ.c8").value.f32      // [1, 12, 3, 3]
        c8[4] = 100
        w.bias("occ.c8").value.f32[0] = -6
        return w
    }

    /// A textured dark frame (values ≤ 180) with white bars where `marks` says.
    static func frame(width: Int, height: Int, seed: Int, marks: [(Int, Int, Int, Int)] = []) -> RGBFrame {
        var f = RGBFrame(width: width, height: height)
        for y in 0..<height { for x in 0..<width {
            let p = (y * width + x) * 3
            f.pixels[p] = UInt8((x * 3 + y + seed * 7) % 160)
            f.pixels[p + 1] = UInt8((x + y * 2 + seed) % 180)
            f.pixels[p + 2] = UInt8((x * y + seed) % 120)
        } }
        for (x0, y0, w, h) in marks { for y in y0..<(y0 + h) { for x in x0..<(x0 + w) {
            let p = (y * width + x) * 3
            f.pixels[p] = 255; f.pixels[p + 1] = 255; f.pixels[p + 2] = 255
        } } }
        return f
    }

    /// Smooth, textured scenery (levels `base` ± `amplitude`·1.5, a different phase per channel)
    /// under dark boxes (rows y0...y1, columns x0...x1, transmission t; boxes multiply), with
    /// white bars as glyphs (12 px wide, every 30 px from `glyphX` up to `glyphEnd`) at `glyphRows`,
    /// and white `strokes` (rectangles: a glyph's horizontal stroke): the frame, the clean scenery
    /// (RGB, unrounded) and where the glyphs are.
    static func boxedScene(width w: Int, height h: Int, boxes: [(y0: Int, y1: Int, x0: Int, x1: Int, t: Float)],
                           glyphRows: [ClosedRange<Int>], glyphX: Int, glyphEnd: Int,
                           base: Float = 140, amplitude: Float = 60,
                           strokes: [(y0: Int, y1: Int, x0: Int, x1: Int)] = []) -> (frame: RGBFrame, clean: [Float], glyphs: [Bool]) {
        var px = [UInt8](repeating: 0, count: w * h * 3), clean = [Float](repeating: 0, count: w * h * 3)
        var glyphs = [Bool](repeating: false, count: w * h)
        for s in strokes { for y in max(0, s.y0)...min(h - 1, s.y1) { for x in max(0, s.x0)...min(w - 1, s.x1) { glyphs[y * w + x] = true } } }
        for rows in glyphRows {
            for y in rows where y >= 0 && y < h { for x0 in stride(from: glyphX, to: glyphEnd, by: 30) { for x in x0..<min(w, x0 + 12) { glyphs[y * w + x] = true } } }
        }
        for y in 0..<h {
            for x in 0..<w {
                var t: Float = 1
                for b in boxes where y >= b.y0 && y <= b.y1 && x >= b.x0 && x <= b.x1 { t *= b.t }
                for c in 0..<3 {
                    let (fx, fy, fc) = (Float(x), Float(y), Float(c))
                    let wave: Float = sin(fx / 9 + fc) * cos(fy / 13 - fc)
                    let diagonal: Float = sin((fx + fy) / 23 + 2 * fc)
                    let bg = base + amplitude * wave + amplitude / 2 * diagonal
                    clean[(y * w + x) * 3 + c] = bg
                    px[(y * w + x) * 3 + c] = glyphs[y * w + x] ? 255 : UInt8((bg * t).rounded())
                }
            }
        }
        return (RGBFrame(width: w, height: h, pixels: px), clean, glyphs)
    }
}

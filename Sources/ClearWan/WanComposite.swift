// Puts the model's changes back onto the original frames at their original resolution (design §3:
// pixels away from the subtitles come back untouched). clearsub's own step; CLEAR returns the model
// output at model resolution (that is `--raw-output`).
//
// Choice (the spec is silent): the model output D is compared with the VAE's reconstruction R of the
// same input (the control latents decoded), not with the input itself, so the VAE's own loss of detail
// does not count as a change. Per model pixel c = max over R, G, B of |D − R| (0…255);
// α = clamp((c − low)/(high − low), 0, 1), dilated by `dilate` pixels (max filter) so glyph edges and
// outlines are covered, then smoothed by a 3×3 box. α and D are mapped back through the inverse of the
// cover-resize + crop (bilinear, half-pixel centres); source pixels outside the crop get α = 0.
// out = α·D + (1 − α)·original, rounded; where α = 0 the original byte is kept exactly.
import ClearMedia

public struct WanComposite: Sendable, Equatable {
    /// Change (in 8-bit levels) below which a pixel is untouched, and at which it is fully replaced.
    public var low: Float = 12
    public var high: Float = 32
    public var dilate = 2

    public init() {}

    /// α at model resolution from the model output and the VAE reconstruction of its input.
    public func alpha(output d: RGBFrame, reference r: RGBFrame) -> [Float] {
        precondition(d.width == r.width && d.height == r.height)
        let (w, h) = (d.width, d.height)
        var a = [Float](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            var c: Int = 0
            for k in 0..<3 { c = max(c, abs(Int(d.pixels[i * 3 + k]) - Int(r.pixels[i * 3 + k]))) }
            a[i] = min(max((Float(c) - low) / (high - low), 0), 1)
        }
        if dilate > 0 { a = Self.filter(a, w, h, radius: dilate, max: true) }
        a = Self.filter(a, w, h, radius: 1, max: false)
        return a.map { $0 < 1.0 / 512 ? 0 : $0 }
    }

    /// Separable max filter or box mean of radius `radius` (edges clamped).
    static func filter(_ a: [Float], _ w: Int, _ h: Int, radius: Int, max useMax: Bool) -> [Float] {
        var tmp = a, out = a
        let n = Float(2 * radius + 1)
        for y in 0..<h {
            for x in 0..<w {
                var v: Float = 0
                for dx in -radius...radius {
                    let s = a[y * w + min(max(x + dx, 0), w - 1)]
                    v = useMax ? Swift.max(v, s) : v + s
                }
                tmp[y * w + x] = useMax ? v : v / n
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                var v: Float = 0
                for dy in -radius...radius {
                    let s = tmp[min(max(y + dy, 0), h - 1) * w + x]
                    v = useMax ? Swift.max(v, s) : v + s
                }
                out[y * w + x] = useMax ? v : v / n
            }
        }
        return out
    }

    /// The source-size frame: `model` (model resolution) blended onto `original` with `alpha`
    /// (model resolution); with `alpha` nil every pixel comes from the model (edges extended over the crop).
    public static func compose(original: RGBFrame, model: RGBFrame, alpha: [Float]?, geometry g: WanGeometry) -> RGBFrame {
        let (w, h, mw, mh) = (original.width, original.height, model.width, model.height)
        var out = original.pixels
        let sx = Float(g.resizedWidth) / Float(w), sy = Float(g.resizedHeight) / Float(h)
        for y in 0..<h {
            let my = g.isIdentity ? Float(y) : (Float(y) + 0.5) * sy - 0.5 - Float(g.cropTop)
            if alpha != nil && (my < -0.5 || my > Float(mh) - 0.5) { continue }
            let cy = min(max(my, 0), Float(mh - 1))
            let y0 = Int(cy), y1 = min(y0 + 1, mh - 1), fy = cy - Float(y0)
            for x in 0..<w {
                let mx = g.isIdentity ? Float(x) : (Float(x) + 0.5) * sx - 0.5 - Float(g.cropLeft)
                if alpha != nil && (mx < -0.5 || mx > Float(mw) - 0.5) { continue }
                let cx = min(max(mx, 0), Float(mw - 1))
                let x0 = Int(cx), x1 = min(x0 + 1, mw - 1), fx = cx - Float(x0)
                func sample(_ v: (Int) -> Float) -> Float {
                    let top = v(y0 * mw + x0) * (1 - fx) + v(y0 * mw + x1) * fx
                    let bottom = v(y1 * mw + x0) * (1 - fx) + v(y1 * mw + x1) * fx
                    return top * (1 - fy) + bottom * fy
                }
                var a: Float = 1
                if let alpha {
                    a = sample { alpha[$0] }
                    if a <= 0 { continue }
                }
                let o = (y * w + x) * 3
                for k in 0..<3 {
                    let m = sample { Float(model.pixels[$0 * 3 + k]) }
                    let v = a * m + (1 - a) * Float(original.pixels[o + k])
                    out[o + k] = UInt8(min(max(v.rounded(), 0), 255))
                }
            }
        }
        return RGBFrame(width: w, height: h, pixels: out)
    }
}

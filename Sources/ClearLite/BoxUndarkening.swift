// Semi-transparent subtitle boxes: under a box of opacity a and colour C the picture is still
// there, darkened — I = (1 − a)·B + a·C. For the usual dark box (C ≈ 0) that is I = g·B with one
// gain g = 1 − a per box, so B = I / g recovers the texture that the restoration network can
// only guess. The gain is fitted across the edge of the α region: pixels a few pixels inside it
// (under the box) against the nearest pixels just outside (the same background, not darkened),
// on every row and column that crosses the edge. The fit is used only when it looks like a box:
// the inside is darker than the outside by a gain in `gainRange` (the median ratio of the
// pairs), and the ratios agree (interquartile range ≤ `maximumRatioSpread` of the median:
// texture seen through a box, not glyphs and outlines). It is applied only on box pixels: where
// I / g would be brighter than white (the glyphs and their anti-aliased edges, widened by
// `glyphMargin`) the restoration stays. Numbers chosen on training footage (MODEL_CARD.md).
// No reference implementation: a rule of this project (MODEL_CARD.md "Boxes").
import ClearMedia
import ClearTensor

public struct BoxUndarkening: Sendable, Equatable {
    /// Depths (pixels from the α edge) sampled as "under the box".
    public var insideDepth: ClosedRange<Int> = 6...10
    /// Distance (pixels outside the α edge) of the background sample.
    public var outsideDistance = 2
    public var gainRange: ClosedRange<Float> = 0.15...0.8
    /// The ratios inside / outside must agree: interquartile range at most this share of the
    /// median (boxes on training footage: 0.16–0.31; outlined text without a box: 0.5 and more).
    public var maximumRatioSpread: Float = 0.35
    public var minimumPairs = 200
    /// The outside samples must vary at least this much (luma standard deviation, 0…255): over a
    /// flat background nothing shows that the inside follows the outside (a uniform dark patch
    /// would pass), and the restoration handles flat backgrounds well anyway.
    public var minimumSpread: Float = 6
    public var glyphMargin = 1
    /// α at or above this is under the box (the stretched α of `AlphaMap`).
    public var minimumAlpha: Float = 0.8

    public init() {}

    /// The fitted gain (inside ≈ gain · outside, luma) for the α region inside `region`, or nil
    /// when the region does not look like a box.
    public func gain(region r: TileRegion, alpha: AlphaMap, frame: RGBFrame) -> Float? {
        let (fw, fh) = (frame.width, frame.height)
        let x0 = max(0, r.x), y0 = max(0, r.y), x1 = min(fw, r.x + r.width), y1 = min(fh, r.y + r.height)
        guard x1 > x0, y1 > y0 else { return nil }
        let px = frame.pixels, av = alpha.values
        @inline(__always) func luma(_ x: Int, _ y: Int) -> Float {
            let p = (y * fw + x) * 3
            return 0.299 * Float(px[p]) + 0.587 * Float(px[p + 1]) + 0.114 * Float(px[p + 2])
        }
        var sOut: Float = 0, sOutOut: Float = 0
        var n = 0
        var ratios: [Float] = []
        func pair(_ inside: Float, _ outside: Float) {
            guard inside <= outside + 8 else { return }   // brighter than the background: a glyph, not a box
            sOut += outside; sOutOut += outside * outside
            n += 1
            if outside >= 16 { ratios.append(inside / outside) }
        }
        // Scans along one line of the region: `at(i)` maps position i to (x, y), `count` positions.
        func scan(_ count: Int, _ at: (Int) -> (Int, Int)) {
            var i = 0
            while i < count {
                let (x, y) = at(i)
                guard av[y * fw + x] > 0 else { i += 1; continue }
                var j = i
                while j + 1 < count, case let (xx, yy) = at(j + 1), av[yy * fw + xx] > 0 { j += 1 }
                // run [i, j] of α > 0; its two edges
                let o = outsideDistance
                if j - i + 1 > 2 * insideDepth.upperBound {
                    if i - o >= 0 {
                        let (ox, oy) = at(i - o)
                        if av[oy * fw + ox] == 0 {
                            for d in insideDepth { let (ix, iy) = at(i + d); if av[iy * fw + ix] >= 0.99 { pair(luma(ix, iy), luma(ox, oy)) } }
                        }
                    }
                    if j + o < count {
                        let (ox, oy) = at(j + o)
                        if av[oy * fw + ox] == 0 {
                            for d in insideDepth { let (ix, iy) = at(j - d); if av[iy * fw + ix] >= 0.99 { pair(luma(ix, iy), luma(ox, oy)) } }
                        }
                    }
                }
                i = j + 1
            }
        }
        for y in y0..<y1 { scan(x1 - x0) { (x0 + $0, y) } }
        for x in x0..<x1 { scan(y1 - y0) { (x, y0 + $0) } }
        guard n >= minimumPairs else { return nil }
        let m = Float(n)
        let varOut = sOutOut / m - (sOut / m) * (sOut / m)
        guard varOut.squareRoot() >= minimumSpread else { return nil }
        // inside = g · outside (a dark box): the median ratio, robust to the corners of the α
        // region, where a scan runs along α's margin outside the box itself
        guard ratios.count * 2 >= n else { return nil }
        ratios.sort()
        let g = ratios[ratios.count / 2]
        let spread = ratios[3 * ratios.count / 4] - ratios[ratios.count / 4]
        guard gainRange.contains(g), spread <= maximumRatioSpread * g else { return nil }
        return g
    }

    /// Writes I / gain into `restored` ([1, 3, h, w] in [0, 1], region coordinates) at the
    /// region's pixels with α ≥ 0.99 that are box, not glyph; returns how many pixels it wrote.
    @discardableResult
    public func apply(gain g: Float, to restored: Tensor, region r: TileRegion, alpha: AlphaMap, frame: RGBFrame) -> Int {
        let (fw, fh) = (frame.width, frame.height)
        let rw = r.width, rh = r.height, plane = rw * rh
        let px = frame.pixels, av = alpha.values
        // glyph pixels: I / g beyond white on any channel, or α below full
        var glyph = [Bool](repeating: true, count: plane)
        for y in 0..<rh where r.y + y >= 0 && r.y + y < fh {
            for x in 0..<rw where r.x + x >= 0 && r.x + x < fw {
                let fx = r.x + x, fy = r.y + y, p = (fy * fw + fx) * 3
                guard av[fy * fw + fx] >= minimumAlpha else { continue }
                let brightest = Float(max(px[p], px[p + 1], px[p + 2]))
                glyph[y * rw + x] = brightest / g > 255
            }
        }
        // widen the glyph mask by glyphMargin (anti-aliased edges are partly glyph)
        var keep = [Bool](repeating: false, count: plane)
        let mgn = glyphMargin
        for y in 0..<rh {
            for x in 0..<rw {
                var near = false
                for yy in max(0, y - mgn)...min(rh - 1, y + mgn) where !near {
                    for xx in max(0, x - mgn)...min(rw - 1, x + mgn) where glyph[yy * rw + xx] { near = true; break }
                }
                keep[y * rw + x] = !near
            }
        }
        let out = restored.f32
        var written = 0
        for y in 0..<rh {
            for x in 0..<rw where keep[y * rw + x] {
                let p = ((r.y + y) * fw + r.x + x) * 3
                for c in 0..<3 { out[c * plane + y * rw + x] = min(Float(px[p + c]) / g, 255) / 255 }
                written += 1
            }
        }
        return written
    }
}

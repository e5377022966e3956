// Push-pull hole filling (Gortler et al. 1996, "The Lumigraph" §3.3 pull-push; the same
// scattered-data interpolation used by image-pyramid inpainting): a pyramid of weighted colour
// sums is pulled down until every cell has support, then pushed back up, each level keeping its
// own known colour and taking the coarser level's (bilinearly upsampled) colour where it has none.
// The lite restoration network starts from this fill of the detected subtitle region and only
// learns the correction (design §4 "restoration"): known pixels come back exactly. The engine
// refines it with `directional` (interpolation along rows and columns between ends that agree;
// MODEL_CARD.md "The directional fill"), which keeps the push-pull value where it has no two ends,
// and smooths the result over the hole (`smooth`, a binomial blur; MODEL_CARD.md "Smoothing the fill").
// Rows of each level (and the rows and columns of `directional`) are computed in parallel
// (independent, so the result does not depend on the split).
import ClearTensor
import Foundation

public enum HoleFill {
    /// Fills `channels` planes of `width`×`height` at `image` (planar, in place) wherever
    /// `hole[i] != 0`. Pixels outside the hole are not modified. If every pixel is a hole the
    /// image is left as it is (nothing to fill from).
    public static func fill(_ image: UnsafeMutablePointer<Float>, channels: Int, width: Int, height: Int,
                            hole: UnsafePointer<UInt8>) {
        let n = width * height
        var anyHole = false, anyKnown = false
        for i in 0..<n { if hole[i] != 0 { anyHole = true } else { anyKnown = true }; if anyHole && anyKnown { break } }
        guard anyHole, anyKnown else { return }
        // Level 0: premultiplied colour and weight (1 known, 0 hole).
        var levels: [(w: Int, h: Int, weight: [Float], colour: [Float])] = []
        var weight = [Float](repeating: 0, count: n), colour = [Float](repeating: 0, count: n * channels)
        for i in 0..<n where hole[i] == 0 {
            weight[i] = 1
            for c in 0..<channels { colour[c * n + i] = image[c * n + i] }
        }
        levels.append((width, height, weight, colour))
        // Pull: 2×2 sums, normalised so a cell's weight is at most 1 (its colour a weighted mean).
        while true {
            let cur = levels[levels.count - 1]
            if cur.w == 1 && cur.h == 1 { break }
            if !cur.weight.contains(where: { $0 == 0 }) { break }
            let (nw, nh) = ((cur.w + 1) / 2, (cur.h + 1) / 2), m = nw * nh, pn = cur.w * cur.h
            var w2 = [Float](repeating: 0, count: m), c2 = [Float](repeating: 0, count: m * channels)
            w2.withUnsafeMutableBufferPointer { w2p in c2.withUnsafeMutableBufferPointer { c2p in
            cur.weight.withUnsafeBufferPointer { cwp in cur.colour.withUnsafeBufferPointer { ccp in
                let (w2o, c2o, cwi, cci) = (w2p.baseAddress!, c2p.baseAddress!, cwp.baseAddress!, ccp.baseAddress!)
                parallelFor(nh, minChunk: max(1, 4096 / max(nw, 1))) { rows in  // rows are independent
                    var cs = [Float](repeating: 0, count: channels)
                    for y in rows { for x in 0..<nw {
                        var ws: Float = 0
                        for c in 0..<channels { cs[c] = 0 }
                        for yy in (2 * y)..<min(2 * y + 2, cur.h) { for xx in (2 * x)..<min(2 * x + 2, cur.w) {
                            let j = yy * cur.w + xx
                            ws += cwi[j]
                            for c in 0..<channels { cs[c] += cci[c * pn + j] }
                        } }
                        let k = y * nw + x
                        if ws > 1 { for c in 0..<channels { cs[c] /= ws }; ws = 1 }
                        w2o[k] = ws
                        for c in 0..<channels { c2o[c * m + k] = cs[c] }
                    } }
                }
            } } } }
            levels.append((nw, nh, w2, c2))
        }
        // Push: from the coarsest level down, colour = own + (1 − weight) · upsampled coarser colour.
        var top = levels[levels.count - 1]
        var coarse = [Float](repeating: 0, count: top.w * top.h * channels)
        let tn = top.w * top.h
        for k in 0..<tn {
            let wk = top.weight[k]
            for c in 0..<channels { coarse[c * tn + k] = wk > 0 ? top.colour[c * tn + k] / wk : 0 }
        }
        var (cw, ch) = (top.w, top.h)
        for l in stride(from: levels.count - 2, through: 0, by: -1) {
            top = levels[l]
            let (fw, fh) = (top.w, top.h), fn = fw * fh, cn = cw * ch
            var next = [Float](repeating: 0, count: fn * channels)
            let (ccw, cch) = (cw, ch)
            next.withUnsafeMutableBufferPointer { np in coarse.withUnsafeBufferPointer { cp in
            top.weight.withUnsafeBufferPointer { twp in top.colour.withUnsafeBufferPointer { tcp in
                let (no, co, tw, tc) = (np.baseAddress!, cp.baseAddress!, twp.baseAddress!, tcp.baseAddress!)
                parallelFor(fh, minChunk: max(1, 4096 / max(fw, 1))) { rows in  // rows are independent
                    for y in rows {
                        // Bilinear sample of the coarser level at this pixel's centre (half-pixel convention).
                        let sy = max(0, min(Float(cch - 1), (Float(y) + 0.5) / 2 - 0.5))
                        let y0 = Int(sy), y1 = min(y0 + 1, cch - 1), ty = sy - Float(y0)
                        for x in 0..<fw {
                            let k = y * fw + x
                            let wk = tw[k]
                            let sx = max(0, min(Float(ccw - 1), (Float(x) + 0.5) / 2 - 0.5))
                            let x0 = Int(sx), x1 = min(x0 + 1, ccw - 1), tx = sx - Float(x0)
                            for c in 0..<channels {
                                let base = c * cn
                                let up = (co[base + y0 * ccw + x0] * (1 - tx) + co[base + y0 * ccw + x1] * tx) * (1 - ty)
                                    + (co[base + y1 * ccw + x0] * (1 - tx) + co[base + y1 * ccw + x1] * tx) * ty
                                no[c * fn + k] = tc[c * fn + k] + (1 - wk) * up
                            }
                        }
                    }
                }
            } } } }
            coarse = next; (cw, ch) = (fw, fh)
        }
        for i in 0..<n where hole[i] != 0 {
            for c in 0..<channels { image[c * n + i] = coarse[c * n + i] }
        }
    }

    /// Directional fill for thin holes (an edge-aware variant of the linear interpolation across
    /// scratches used in film restoration): along the row and along the column through a hole
    /// pixel, the nearest known pixels on both sides within `reach` give the linear interpolation
    /// between them; each direction counts with weight 1/span² · exp(−(d/`sigma`)²), d the largest
    /// channel difference of its two ends, so a direction whose ends agree (an edge or a flat
    /// area crossing the hole) dominates one that jumps across an edge. Pixels where neither
    /// direction has both ends within reach keep the push-pull fill. Same layout and contract as
    /// `fill`; values in [0, 1], `sigma` in the same units.
    public static func directional(_ image: UnsafeMutablePointer<Float>, channels: Int, width: Int, height: Int,
                                   hole: UnsafePointer<UInt8>, reach: Int, sigma: Float) {
        fill(image, channels: channels, width: width, height: height, hole: hole)   // the fallback; known pixels unchanged
        let n = width * height
        var num = [Float](repeating: 0, count: n * channels), den = [Float](repeating: 0, count: n)
        num.withUnsafeMutableBufferPointer { np in den.withUnsafeMutableBufferPointer { dp in
            let (no, dn) = (np.baseAddress!, dp.baseAddress!)
            // one line (a row or a column) of `count` pixels starting at `start`, `step` apart
            func line(start: Int, step: Int, count: Int) {
                var last = -1
                var previous = [Int](repeating: -1, count: count)
                for k in 0..<count { if hole[start + k * step] == 0 { last = k }; previous[k] = last }
                var next = -1
                for k in stride(from: count - 1, through: 0, by: -1) {
                    let i = start + k * step
                    if hole[i] == 0 { next = k; continue }
                    let a = previous[k]
                    guard a >= 0, next >= 0, k - a <= reach, next - k <= reach else { continue }
                    let (ia, ib) = (start + a * step, start + next * step)
                    let (da, db) = (Float(k - a), Float(next - k)), span = da + db
                    var d: Float = 0
                    for c in 0..<channels { d = max(d, abs(image[c * n + ia] - image[c * n + ib])) }
                    let w = exp(-(d / sigma) * (d / sigma)) / (span * span)
                    dn[i] += w
                    for c in 0..<channels { no[c * n + i] += w * (image[c * n + ia] * db + image[c * n + ib] * da) / span }
                }
            }
            parallelFor(height, minChunk: 16) { rows in for y in rows { line(start: y * width, step: 1, count: width) } }
            parallelFor(width, minChunk: 16) { cols in for x in cols { line(start: x, step: width, count: height) } }
        } }
        for i in 0..<n where hole[i] != 0 && den[i] > 0 {
            for c in 0..<channels { image[c * n + i] = num[c * n + i] / den[i] }
        }
    }

    /// Smooths a fill: `passes` times, every hole pixel (`hole[i] != 0`) takes the separable
    /// [1 4 6 4 1]/16 binomial blur of the image around it (edges clamped), the known pixels
    /// staying as they are and feeding the blur. Softens the streaks and blocks a directional fill
    /// leaves where the scenery on the two sides of the hole differs. Same layout as `fill`.
    public static func smooth(_ image: UnsafeMutablePointer<Float>, channels: Int, width: Int, height: Int,
                              hole: UnsafePointer<UInt8>, passes: Int) {
        guard passes > 0, width > 0, height > 0 else { return }
        let n = width * height
        var rows = [Float](repeating: 0, count: n)
        let taps: [Float] = [1, 4, 6, 4, 1].map { $0 / 16 }
        for _ in 0..<passes {
            for c in 0..<channels {
                let plane = image + c * n
                rows.withUnsafeMutableBufferPointer { rp in
                    let r = rp.baseAddress!
                    parallelFor(height, minChunk: 16) { part in   // horizontal pass, rows independent
                        for y in part { for x in 0..<width {
                            var v: Float = 0
                            for k in -2...2 { v += taps[k + 2] * plane[y * width + min(max(x + k, 0), width - 1)] }
                            r[y * width + x] = v
                        } }
                    }
                    parallelFor(height, minChunk: 16) { part in   // vertical pass into the hole pixels only
                        for y in part { for x in 0..<width where hole[y * width + x] != 0 {
                            var v: Float = 0
                            for k in -2...2 { v += taps[k + 2] * r[min(max(y + k, 0), height - 1) * width + x] }
                            plane[y * width + x] = v
                        } }
                    }
                }
            }
        }
    }
}

// Temporal warping error (Lai et al., "Learning Blind Video Temporal Consistency", ECCV 2018):
// frame t of the candidate is warped onto frame t+1 with the optical flow of the *reference*
// (backward warping, bilinear sampling), and compared with candidate frame t+1 on the pixels that
// are visible in both frames. Occlusions follow the forward–backward consistency rule of Sundaram,
// Brox & Keutzer, "Dense point trajectories by GPU-accelerated large displacement optical flow"
// (ECCV 2010): with f the flow t+1 → t and b the flow t → t+1, pixel p of frame t+1 is kept when
//   |f(p) + b(p + f(p))|² < 0.01 (|f(p)|² + |b(p + f(p))|²) + 0.5
// and p + f(p) lies inside frame t. Differences from Lai et al.: the error here is the mean
// *absolute* difference over RGB on the 0–255 scale (Lai et al. report a squared L2 distance on
// 0–1 values), per pair, then averaged over pairs.
import ClearMedia

/// Sum of absolute differences over the kept pixels of one frame pair (all three channels).
public struct WarpingErrorSum: Sendable, Equatable {
    public var absoluteSum: Double
    /// Pixels kept (not occluded, in bounds).
    public var pixels: Int
    /// Pixels in the frame.
    public var total: Int

    /// Mean absolute error per channel value (0–255 scale), nil when no pixel was kept.
    public var meanAbsoluteError: Double? { pixels > 0 ? absoluteSum / Double(3 * pixels) : nil }
}

public enum Warp {
    /// Bilinear sample of channel `c` of an RGB frame at (x, y), which must lie inside the frame.
    @inline(__always)
    static func sampleRGB(_ p: UnsafePointer<UInt8>, width w: Int, height h: Int, _ x: Float, _ y: Float)
        -> (Float, Float, Float)
    {
        let x0 = min(Int(x), max(w - 2, 0)), y0 = min(Int(y), max(h - 2, 0))
        let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
        let fx = x - Float(x0), fy = y - Float(y0)
        let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
        let a = p + 3 * (y0 * w + x0), b = p + 3 * (y0 * w + x1), c = p + 3 * (y1 * w + x0), d = p + 3 * (y1 * w + x1)
        @inline(__always) func s(_ k: Int) -> Float {
            w00 * Float(a[k]) + w10 * Float(b[k]) + w01 * Float(c[k]) + w11 * Float(d[k])
        }
        return (s(0), s(1), s(2))
    }

    /// Whether pixel p of frame t+1 is visible in frame t: p + f(p) in bounds and the
    /// Sundaram et al. forward–backward check passes. `f`: flow t+1 → t, `b`: flow t → t+1.
    @inline(__always)
    static func isVisible(x: Int, y: Int, f: FlowField, b: FlowField) -> (Bool, Float, Float) {
        let w = f.width, h = f.height
        let i = y * w + x
        let fu = f.u.data[i], fv = f.v.data[i]
        let qx = Float(x) + fu, qy = Float(y) + fv
        guard qx >= 0, qy >= 0, qx <= Float(w - 1), qy <= Float(h - 1) else { return (false, qx, qy) }
        let bu = b.u.sample(qx, qy), bv = b.v.sample(qx, qy)
        let su = fu + bu, sv = fv + bv
        let ok = su * su + sv * sv < 0.01 * (fu * fu + fv * fv + bu * bu + bv * bv) + 0.5
        return (ok, qx, qy)
    }

    /// The visibility mask of frame t+1 (1 = kept): in-bounds and forward–backward consistent.
    public static func visibility(backward f: FlowField, forward b: FlowField) -> BinaryMask {
        let w = f.width, h = f.height
        var bits = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w where isVisible(x: x, y: y, f: f, b: b).0 { bits[y * w + x] = 1 } }
        return BinaryMask(width: w, height: h, bits: bits)
    }

    /// Candidate frame t warped onto t+1 (`f`: flow t+1 → t) compared with candidate frame t+1,
    /// over the visible pixels.
    public static func warpingError(previous: RGBFrame, current: RGBFrame,
                                    backward f: FlowField, forward b: FlowField) -> WarpingErrorSum {
        let w = current.width, h = current.height
        precondition(previous.width == w && previous.height == h && f.width == w && f.height == h
                     && b.width == w && b.height == h, "Warp: frame and flow sizes differ")
        let parts: [(Double, Int)] = previous.pixels.withUnsafeBufferPointer { pp in
            current.pixels.withUnsafeBufferPointer { pc in
                let sp = UnsafeBufferPointerBox(pp), sc = UnsafeBufferPointerBox(pc)
                return Parallel.mapRows(h) { rows in
                    var sum = 0.0, n = 0
                    for y in rows {
                        var rowSum: Float = 0
                        for x in 0..<w {
                            let (ok, qx, qy) = isVisible(x: x, y: y, f: f, b: b)
                            if !ok { continue }
                            let (r, g, bl) = sampleRGB(sp.base, width: w, height: h, qx, qy)
                            let c = sc.base + 3 * (y * w + x)
                            rowSum += abs(r - Float(c[0])) + abs(g - Float(c[1])) + abs(bl - Float(c[2]))
                            n += 1
                        }
                        sum += Double(rowSum)
                    }
                    return (sum, n)
                }
            }
        }
        return WarpingErrorSum(absoluteSum: parts.reduce(0) { $0 + $1.0 }, pixels: parts.reduce(0) { $0 + $1.1 },
                               total: w * h)
    }
}

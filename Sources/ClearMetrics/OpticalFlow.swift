// Dense optical flow by polynomial expansion, after G. Farnebäck, "Two-frame motion estimation
// based on polynomial expansion" (SCIA 2003), coarse to fine:
//  1. Each frame's luma is approximated around every pixel by a quadratic polynomial
//     f(p) ≈ pᵀA p + bᵀp + c, fitted by weighted least squares with a Gaussian applicability
//     (computed with separable correlations and the inverse Gram matrix of the basis
//     {1, x, y, x², y², xy}).
//  2. With a prior displacement d̃, A = (A₁(p) + A₂(p + d̃)) / 2 and
//     Δb = −½ (b₂(p + d̃) − b₁(p)) + A d̃; the displacement d solves A d = Δb in the least-squares
//     sense over a Gaussian neighbourhood: d = (Σ w AᵀA + εI)⁻¹ (Σ w AᵀΔb + ε d̃). The small ε
//     keeps the prior where the image has no texture.
//  3. A Gaussian pyramid (scale 0.5) is processed from the coarsest level; each level refines the
//     upsampled flow of the level above with a few iterations of step 2.
// For speed the flow is computed at a height of at most `maxHeight` pixels and the field is
// upsampled (bilinear, vectors rescaled) to the frame size. Convention (as OpenCV's
// calcOpticalFlowFarneback): first(p) ≈ second(p + flow(p)).
import Foundation

/// A dense flow field: `u` horizontal, `v` vertical displacement in pixels.
public struct FlowField: Sendable {
    public let u: Plane
    public let v: Plane
    public var width: Int { u.width }
    public var height: Int { u.height }

    public init(u: Plane, v: Plane) {
        precondition(u.width == v.width && u.height == v.height, "FlowField: component sizes differ")
        self.u = u
        self.v = v
    }

    public init(width: Int, height: Int, u: Float = 0, v: Float = 0) {
        self.init(u: Plane(width: width, height: height, fill: u), v: Plane(width: width, height: height, fill: v))
    }

    /// The field resampled to another size, its vectors scaled by the size ratio.
    public func resized(width: Int, height: Int) -> FlowField {
        if width == self.width && height == self.height { return self }
        let ru = Filter.resize(u, width: width, height: height)
        let rv = Filter.resize(v, width: width, height: height)
        let sx = Float(width) / Float(self.width), sy = Float(height) / Float(self.height)
        Parallel.forRows(height) { rows in
            for i in (rows.lowerBound * width)..<(rows.upperBound * width) { ru.data[i] *= sx; rv.data[i] *= sy }
        }
        return FlowField(u: ru, v: rv)
    }

    /// Mean endpoint error against `other` over pixels at least `margin` pixels from the border.
    public func meanEndpointError(to other: FlowField, margin: Int = 0) -> Double {
        precondition(width == other.width && height == other.height, "FlowField: sizes differ")
        var sum = 0.0, n = 0
        for y in margin..<max(margin, height - margin) {
            for x in margin..<max(margin, width - margin) {
                let du = Double(u[x, y] - other.u[x, y]), dv = Double(v[x, y] - other.v[x, y])
                sum += (du * du + dv * dv).squareRoot()
                n += 1
            }
        }
        return n > 0 ? sum / Double(n) : 0
    }
}

public struct FarnebackParameters: Sendable, Equatable {
    /// The flow is computed on frames downscaled to at most this height (nil: full resolution).
    public var maxHeight: Int? = 360
    /// Size ratio between pyramid levels.
    public var pyramidScale: Double = 0.5
    /// At most this many pyramid levels (including the finest) …
    public var maxLevels: Int = 5
    /// … and none whose shorter side is below this.
    public var minLevelSide: Int = 24
    /// Refinement iterations per level.
    public var iterations: Int = 3
    /// Polynomial expansion: applicability radius (window 2n + 1) and Gaussian σ.
    public var polyRadius: Int = 2
    public var polySigma: Double = 1.1
    /// Gaussian σ of the neighbourhood over which the displacement equations are averaged.
    public var windowSigma: Double = 2.0
    /// Tikhonov weight pulling the solution towards the prior displacement.
    public var regularization: Float = 0.05

    public init() {}
}

/// The quadratic-polynomial coefficients of one image: b = (bx, by), A = [[axx, axy/2], [axy/2, ayy]].
struct PolynomialExpansion: Sendable {
    let width: Int
    let height: Int
    /// Interleaved (bx, by, axx, ayy, axy) per pixel.
    let coefficients: Plane

    init(_ image: Plane, radius n: Int, sigma: Double) {
        width = image.width
        height = image.height
        let w = width, h = height
        let taps = 2 * n + 1
        let g = (-n...n).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        // Gram matrix of the basis {1, x, y, x², y², xy} under the applicability g(x)·g(y).
        var gram = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 6)
        for (j, gy) in g.enumerated() {
            for (i, gx) in g.enumerated() {
                let x = Double(i - n), y = Double(j - n)
                let basis = [1, x, y, x * x, y * y, x * y]
                for r in 0..<6 { for c in 0..<6 { gram[r][c] += gx * gy * basis[r] * basis[c] } }
            }
        }
        let inv = Self.invert(gram)
        // Rows 1…5 of G⁻¹ (the coefficients we keep), as Float.
        let ginv: [Float] = (1..<6).flatMap { r in (0..<6).map { Float(inv[r][$0]) } }
        let g0 = g.map(Float.init), g1 = (0..<taps).map { Float(g[$0]) * Float($0 - n) }
        let g2 = (0..<taps).map { Float(g[$0]) * Float(($0 - n) * ($0 - n)) }
        // Row pass: h0 = Σ g f, h1 = Σ g·x f, h2 = Σ g·x² f (clamped borders), interleaved.
        let rowPass = Plane(width: 3 * w, height: h)
        Parallel.forRows(h) { rows in
            for y in rows {
                let src = image.data + y * w, dst = rowPass.data + y * 3 * w
                for x in 0..<w {
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0
                    for t in 0..<taps {
                        let f = src[min(max(x + t - n, 0), w - 1)]
                        s0 += g0[t] * f
                        s1 += g1[t] * f
                        s2 += g2[t] * f
                    }
                    dst[3 * x] = s0; dst[3 * x + 1] = s1; dst[3 * x + 2] = s2
                }
            }
        }
        let out = Plane(width: 5 * w, height: h)
        Parallel.forRows(h) { rows in
            for y in rows {
                let dst = out.data + y * 5 * w
                for x in 0..<w {
                    // Projections onto 1, x, y, x², y², xy.
                    var p = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
                    for t in 0..<taps {
                        let row = rowPass.data + min(max(y + t - n, 0), h - 1) * 3 * w + 3 * x
                        let h0 = row[0], h1 = row[1], h2 = row[2]
                        p.0 += g0[t] * h0
                        p.1 += g0[t] * h1
                        p.2 += g1[t] * h0
                        p.3 += g0[t] * h2
                        p.4 += g2[t] * h0
                        p.5 += g1[t] * h1
                    }
                    for r in 0..<5 {
                        let m = 6 * r
                        dst[5 * x + r] = ginv[m] * p.0 + ginv[m + 1] * p.1 + ginv[m + 2] * p.2
                            + ginv[m + 3] * p.3 + ginv[m + 4] * p.4 + ginv[m + 5] * p.5
                    }
                }
            }
        }
        coefficients = out
    }

    /// Gauss–Jordan inverse with partial pivoting (the 6 × 6 Gram matrix is well conditioned).
    static func invert(_ m: [[Double]]) -> [[Double]] {
        let n = m.count
        var a = m
        var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            inv.swapAt(col, pivot)
            let d = a[col][col]
            for j in 0..<n { a[col][j] /= d; inv[col][j] /= d }
            for r in 0..<n where r != col {
                let f = a[r][col]
                if f == 0 { continue }
                for j in 0..<n { a[r][j] -= f * a[col][j]; inv[r][j] -= f * inv[col][j] }
            }
        }
        return inv
    }
}

/// One frame prepared for flow estimation: its pyramid of polynomial expansions. Build it once
/// per frame and reuse it for both directions and both neighbouring pairs.
public final class FlowFrame: @unchecked Sendable {
    public let fullWidth: Int
    public let fullHeight: Int
    public let parameters: FarnebackParameters
    let levels: [PolynomialExpansion]

    /// `luma`: the frame's luma, 0–255 scale, at full resolution.
    public init(luma: Plane, parameters: FarnebackParameters = FarnebackParameters()) {
        fullWidth = luma.width
        fullHeight = luma.height
        self.parameters = parameters
        let (w0, h0) = Self.flowSize(width: luma.width, height: luma.height, maxHeight: parameters.maxHeight)
        let base = Filter.resize(luma, width: w0, height: h0)
        var lv: [PolynomialExpansion] = []
        var scale = 1.0
        for k in 0..<max(1, parameters.maxLevels) {
            let w = Int((Double(w0) * scale).rounded()), h = Int((Double(h0) * scale).rounded())
            if k > 0 && min(w, h) < parameters.minLevelSide { break }
            let img = k == 0 ? base : Filter.resize(base, width: w, height: h)
            lv.append(PolynomialExpansion(img, radius: parameters.polyRadius, sigma: parameters.polySigma))
            scale *= parameters.pyramidScale
        }
        levels = lv
    }

    /// Size the flow is computed at: the frame scaled to at most `maxHeight` rows.
    static func flowSize(width: Int, height: Int, maxHeight: Int?) -> (Int, Int) {
        guard let mh = maxHeight, height > mh else { return (width, height) }
        let s = Double(mh) / Double(height)
        return (max(1, Int((Double(width) * s).rounded())), mh)
    }
}

public enum OpticalFlow {
    /// Dense flow from `first` to `second` at full frame resolution: first(p) ≈ second(p + flow(p)).
    public static func farneback(from first: FlowFrame, to second: FlowFrame) -> FlowField {
        precondition(first.fullWidth == second.fullWidth && first.fullHeight == second.fullHeight
                     && first.levels.count == second.levels.count, "OpticalFlow: frames differ in size")
        let p = first.parameters
        var flow: FlowField?
        for k in stride(from: first.levels.count - 1, through: 0, by: -1) {
            let e1 = first.levels[k], e2 = second.levels[k]
            var d = flow?.resized(width: e1.width, height: e1.height) ?? FlowField(width: e1.width, height: e1.height)
            for _ in 0..<max(1, p.iterations) {
                d = refine(e1, e2, prior: d, windowSigma: p.windowSigma, regularization: p.regularization,
                           polyRadius: p.polyRadius)
            }
            flow = d
        }
        return flow!.resized(width: first.fullWidth, height: first.fullHeight)
    }

    /// Convenience: flow between two luma planes (0–255 scale).
    public static func farneback(from first: Plane, to second: Plane,
                                 parameters: FarnebackParameters = FarnebackParameters()) -> FlowField {
        farneback(from: FlowFrame(luma: first, parameters: parameters), to: FlowFrame(luma: second, parameters: parameters))
    }

    /// One Farnebäck iteration at one level: the displacement equations around the prior,
    /// averaged over a Gaussian neighbourhood, and solved per pixel.
    static func refine(_ e1: PolynomialExpansion, _ e2: PolynomialExpansion, prior: FlowField,
                       windowSigma: Double, regularization eps: Float, polyRadius: Int) -> FlowField {
        let w = e1.width, h = e1.height
        // Per pixel: G = AᵀA (g11, g12, g22) and h = AᵀΔb (h1, h2), as five planes.
        let terms = (0..<5).map { _ in Plane(uninitializedWidth: w, height: h) }
        let c1 = e1.coefficients.data, c2 = e2.coefficients.data
        let t0 = terms[0].data, t1 = terms[1].data, t2 = terms[2].data, t3 = terms[3].data, t4 = terms[4].data
        let pu = prior.u.data, pv = prior.v.data
        let ptrs = UnsafeSendable((c1, c2, t0, t1, t2, t3, t4, pu, pv))
        // Weight by distance to the nearest border: 1 from `polyRadius + 1` pixels inwards,
        // falling off towards the edge (the fit there leans on replicated pixels).
        let ramp = polyRadius + 1
        let borderWeight: [Float] = (0..<max(w, h)).map { (d: Int) -> Float in
            let t = Float(d + 1) / Float(ramp + 1)
            return d >= ramp ? 1 : t * t
        }
        Parallel.forRows(h) { rows in
            let (c1, c2, t0, t1, t2, t3, t4, pu, pv) = ptrs.value
            for y in rows {
                for x in 0..<w {
                    let i = y * w + x
                    let dx = pu[i], dy = pv[i]
                    let px = Float(x) + dx, py = Float(y) + dy
                    let r1 = c1 + 5 * i
                    guard px >= 0, py >= 0, px <= Float(w - 1), py <= Float(h - 1) else {
                        t0[i] = 0; t1[i] = 0; t2[i] = 0; t3[i] = 0; t4[i] = 0
                        continue
                    }
                    // Bilinear sample of the second frame's coefficients at p + d̃.
                    let x0 = min(Int(px), max(w - 2, 0)), y0 = min(Int(py), max(h - 2, 0))
                    let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                    let fx = px - Float(x0), fy = py - Float(y0)
                    let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
                    let q00 = c2 + 5 * (y0 * w + x0), q10 = c2 + 5 * (y0 * w + x1)
                    let q01 = c2 + 5 * (y1 * w + x0), q11 = c2 + 5 * (y1 * w + x1)
                    @inline(__always) func s(_ k: Int) -> Float { w00 * q00[k] + w10 * q10[k] + w01 * q01[k] + w11 * q11[k] }
                    let bx2 = s(0), by2 = s(1), axx2 = s(2), ayy2 = s(3), axy2 = s(4)
                    // Expansions near a border see replicated pixels: trust them less.
                    let bw = min(borderWeight[min(x, w - 1 - x)], borderWeight[min(y, h - 1 - y)],
                                 borderWeight[min(Int(px), w - 1 - Int(px))], borderWeight[min(Int(py), h - 1 - Int(py))])
                    let a11 = 0.5 * (r1[2] + axx2) * bw, a22 = 0.5 * (r1[3] + ayy2) * bw, a12 = 0.25 * (r1[4] + axy2) * bw
                    let db1 = -0.5 * (bx2 - r1[0]) * bw + a11 * dx + a12 * dy
                    let db2 = -0.5 * (by2 - r1[1]) * bw + a12 * dx + a22 * dy
                    t0[i] = a11 * a11 + a12 * a12
                    t1[i] = a12 * (a11 + a22)
                    t2[i] = a12 * a12 + a22 * a22
                    t3[i] = a11 * db1 + a12 * db2
                    t4[i] = a12 * db1 + a22 * db2
                }
            }
        }
        let avg = terms.map { Filter.gaussianBlur($0, sigma: windowSigma) }
        let out = FlowField(u: Plane(uninitializedWidth: w, height: h), v: Plane(uninitializedWidth: w, height: h))
        let solve = UnsafeSendable((avg[0].data, avg[1].data, avg[2].data, avg[3].data, avg[4].data, pu, pv,
                                    out.u.data, out.v.data))
        Parallel.forRows(h) { rows in
            let (a0, a1, a2, a3, a4, pu, pv, ou, ov) = solve.value
            for i in (rows.lowerBound * w)..<(rows.upperBound * w) {
                let g11 = a0[i] + eps, g12 = a1[i], g22 = a2[i] + eps
                let h1 = a3[i] + eps * pu[i], h2 = a4[i] + eps * pv[i]
                let det = g11 * g22 - g12 * g12
                if det > 0 && det.isFinite {
                    ou[i] = (g22 * h1 - g12 * h2) / det
                    ov[i] = (g11 * h2 - g12 * h1) / det
                } else {
                    ou[i] = pu[i]
                    ov[i] = pv[i]
                }
            }
        }
        withExtendedLifetime((terms, avg, prior, e1, e2)) {}
        return out
    }
}

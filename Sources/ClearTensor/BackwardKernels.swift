// Swift gradient kernels (f32) for the autograd tape: activation derivatives and the backward
// passes of LayerNorm, GroupNorm, softmax and RMSNorm.
// Matches: the analytic derivatives of torch's silu, sigmoid, relu, gelu (erf and tanh forms)
// and of layer_norm / group_norm with affine parameters, softmax and Wan's RMSNorm.
import Foundation

/// Elementwise f(a) or f(a, b) over same-shape f32 tensors, in parallel.
func mapF32(_ a: Tensor, _ f: (Float) -> Float) -> Tensor {
    let x = a.toF32(), out = Tensor(shape: a.shape, dtype: .f32, zeroed: false)
    defer { x.keepAlive() }
    let px = UnsafePointer(x.f32), po = out.f32
    parallelFor(a.count, minChunk: 4096) { r in for i in r { po[i] = f(px[i]) } }
    return out
}

func zipMapF32(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(a.shape == b.shape, "zipMapF32 \(a.shape) vs \(b.shape)")
    let x = a.toF32(), y = b.toF32(), out = Tensor(shape: a.shape, dtype: .f32, zeroed: false)
    defer { x.keepAlive(); y.keepAlive() }
    let px = UnsafePointer(x.f32), py = UnsafePointer(y.f32), po = out.f32
    parallelFor(a.count, minChunk: 4096) { r in for i in r { po[i] = f(px[i], py[i]) } }
    return out
}

extension Activation {
    /// d act(x) / dx.
    func derivative(_ x: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .sigmoid: let s = 1 / (1 + exp(-x)); return s * (1 - s)
        case .silu: let s = 1 / (1 + exp(-x)); return s * (1 + x * (1 - s))
        case .geluErf:
            let cdf = 0.5 * (1 + erf(x / 2.0.squareRoot().float)), pdf = exp(-0.5 * x * x) / (2 * Float.pi).squareRoot()
            return cdf + x * pdf
        case .geluTanh:
            let c = (2 / Float.pi).squareRoot(), u = c * (x + 0.044715 * x * x * x), t = tanh(u)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        }
    }
}

private extension Double { var float: Float { Float(self) } }

extension Ops {
    /// LayerNorm (last dim) backward: returns (dx, dweight, dbias); dweight is nil without a weight.
    static func layerNormBackward(_ x: Tensor, dy: Tensor, weight: Tensor?, eps: Float) -> (Tensor, Tensor?, Tensor?) {
        let c = x.shape.last!, rows = x.count / c
        return normBackward(x, dy: dy, groups: rows, groupSize: c, channels: c, channelOf: { _, i in i }, weight: weight, eps: eps)
    }

    /// GroupNorm backward for x [N, C, …] with `groups` groups.
    static func groupNormBackward(_ x: Tensor, dy: Tensor, groups: Int, weight: Tensor?, eps: Float) -> (Tensor, Tensor?, Tensor?) {
        let n = x.shape[0], c = x.shape[1], sp = x.count / (n * c), cg = c / groups
        return normBackward(x, dy: dy, groups: n * groups, groupSize: cg * sp, channels: c,
                            channelOf: { g, i in (g % groups) * cg + i / sp }, weight: weight, eps: eps)
    }

    /// Shared normalisation backward: x is split into `groups` contiguous groups of `groupSize`;
    /// element i of group g uses affine channel channelOf(g, i).
    /// dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·w, dw = Σ dy·x̂, db = Σ dy.
    static func normBackward(_ x: Tensor, dy: Tensor, groups: Int, groupSize m: Int, channels: Int,
                             channelOf: (Int, Int) -> Int, weight: Tensor?, eps: Float) -> (Tensor, Tensor?, Tensor?) {
        let xf = x.toF32(), gf = dy.toF32(), wf = weight?.toF32()
        defer { xf.keepAlive(); gf.keepAlive(); wf?.keepAlive() }
        let dx = Tensor(shape: x.shape, dtype: .f32, zeroed: false)
        let px = UnsafePointer(xf.f32), pg = UnsafePointer(gf.f32), pw = wf.map { UnsafePointer($0.f32) }, pd = dx.f32
        var dw = [Double](repeating: 0, count: channels), db = dw
        for g in 0..<groups {
            let base = g * m
            var mean = 0.0
            for i in 0..<m { mean += Double(px[base + i]) }
            mean /= Double(m)
            var v = 0.0
            for i in 0..<m { let d = Double(px[base + i]) - mean; v += d * d }
            let inv = 1 / (v / Double(m) + Double(eps)).squareRoot()
            var s1 = 0.0, s2 = 0.0
            for i in 0..<m {
                let ch = channelOf(g, i), xh = (Double(px[base + i]) - mean) * inv, gy = Double(pg[base + i])
                let dxh = gy * Double(pw?[ch] ?? 1)
                s1 += dxh; s2 += dxh * xh
                dw[ch] += gy * xh; db[ch] += gy
            }
            s1 /= Double(m); s2 /= Double(m)
            for i in 0..<m {
                let ch = channelOf(g, i), xh = (Double(px[base + i]) - mean) * inv
                let dxh = Double(pg[base + i]) * Double(pw?[ch] ?? 1)
                pd[base + i] = Float(inv * (dxh - s1 - xh * s2))
            }
        }
        func tensor(_ v: [Double]) -> Tensor {
            let t = Tensor(shape: [channels], dtype: .f32, zeroed: false)
            for i in 0..<channels { t.f32[i] = Float(v[i]) }
            return t
        }
        return (dx, weight == nil ? nil : tensor(dw), tensor(db))
    }
}

extension Ops {
    /// Softmax backward from the forward output y: dx = y ⊙ (dy − Σ_axis dy ⊙ y) (f32).
    /// Matches: torch's _softmax_backward_data.
    static func softmaxBackward(y: Tensor, dy: Tensor, axis ax: Int) -> Tensor {
        let yf = y.toF32(), gf = dy.toF32()
        defer { yf.keepAlive(); gf.keepAlive() }
        let n = y.shape[ax], inner = y.shape[(ax + 1)...].reduce(1, *), outer = y.count / max(n * inner, 1)
        let dx = Tensor(shape: y.shape, dtype: .f32, zeroed: false)
        let py = UnsafePointer(yf.f32), pg = UnsafePointer(gf.f32), pd = dx.f32
        parallelFor(outer * inner, minChunk: max(1, 4096 / max(n, 1))) { r in
            for line in r {
                let base = (line / inner) * n * inner + line % inner
                var dot = 0.0
                for j in 0..<n { let i = base + j * inner; dot += Double(py[i]) * Double(pg[i]) }
                let d = Float(dot)
                for j in 0..<n { let i = base + j * inner; pd[i] = py[i] * (pg[i] - d) }
            }
        }
        return dx
    }

    /// RMSNorm (last dim) backward, f32: with r = 1/√(mean(x²)+eps) and u = dy ⊙ w,
    /// dx = r·u − x·r³·mean(u ⊙ x), dw = Σ_rows dy ⊙ x·r. Matches: autograd of Wan's RMSNorm in f32.
    static func rmsNormBackward(_ x: Tensor, dy: Tensor, weight: Tensor?, eps: Float) -> (Tensor, Tensor?) {
        let c = x.shape.last!, rows = x.count / c
        let xf = x.toF32(), gf = dy.toF32(), wf = weight?.toF32()
        defer { xf.keepAlive(); gf.keepAlive(); wf?.keepAlive() }
        let dx = Tensor(shape: x.shape, dtype: .f32, zeroed: false)
        let px = UnsafePointer(xf.f32), pg = UnsafePointer(gf.f32), pw = wf.map { UnsafePointer($0.f32) }, pd = dx.f32
        var dw = [Double](repeating: 0, count: c)
        for r in 0..<rows {
            let base = r * c
            var ss = 0.0, ux = 0.0
            for i in 0..<c {
                let xv = Double(px[base + i]); ss += xv * xv
                ux += Double(pg[base + i]) * Double(pw?[i] ?? 1) * xv
            }
            let inv = 1 / (ss / Double(c) + Double(eps)).squareRoot(), k = inv * inv * inv * ux / Double(c)
            for i in 0..<c {
                let xv = Double(px[base + i]), g = Double(pg[base + i])
                pd[base + i] = Float(inv * g * Double(pw?[i] ?? 1) - xv * k)
                dw[i] += g * xv * inv
            }
        }
        guard weight != nil else { return (dx, nil) }
        let t = Tensor(shape: [c], dtype: .f32, zeroed: false)
        for i in 0..<c { t.f32[i] = Float(dw[i]) }
        return (dx, t)
    }
}

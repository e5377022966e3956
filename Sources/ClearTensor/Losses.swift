// Training losses on the tape (mean reduction).
// Matches: torch.nn.functional.l1_loss, mse_loss, binary_cross_entropy_with_logits,
// torchvision.ops.sigmoid_focal_loss (mean), and SSIM with an 11×11 Gaussian window (σ = 1.5),
// valid filtering, C1 = (0.01·L)², C2 = (0.03·L)² (the pytorch_msssim formulation).
import Foundation

extension Tape {
    public func l1Loss(_ pred: Variable, _ target: Variable) throws -> Variable {
        let d = try sub(pred, target)
        let y = mapF32(d.value) { abs($0) }
        let a = record(y, [d]) { g in [zipMapF32(g, d.value) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }] }
        return mean(a)
    }

    public func mseLoss(_ pred: Variable, _ target: Variable) throws -> Variable {
        let d = try sub(pred, target)
        return mean(try mul(d, d))
    }

    /// Elementwise BCE on logits: max(z, 0) − z·t + log(1 + e^(−|z|)).
    public func bceWithLogitsElementwise(_ logits: Variable, _ target: Variable) throws -> Variable {
        guard logits.shape == target.shape else {
            throw TensorError.shapeMismatch(op: "bceWithLogits", expected: logits.shape, got: target.shape, hint: "targets must match the logits")
        }
        let y = zipMapF32(logits.value, target.value) { z, t in max(z, 0) - z * t + log1p(exp(-abs(z))) }
        return record(y, [logits, target]) { g in
            let dz = zipMapF32(zipMapF32(logits.value, target.value) { z, t in 1 / (1 + exp(-z)) - t }, g) { $0 * $1 }
            let dt = zipMapF32(logits.value, g) { z, gg in -z * gg }
            return [dz, dt]
        }
    }

    public func bceWithLogits(_ logits: Variable, _ target: Variable) throws -> Variable {
        mean(try bceWithLogitsElementwise(logits, target))
    }

    /// Sigmoid focal loss: α_t·(1 − p_t)^γ·BCE, p_t = p·t + (1 − p)(1 − t), α_t = α·t + (1 − α)(1 − t).
    public func focalLoss(_ logits: Variable, _ target: Variable, alpha: Float = 0.25, gamma: Float = 2) throws -> Variable {
        let ce = try bceWithLogitsElementwise(logits, target)
        let p = try activation(logits, .sigmoid)
        let t = target.value.toF32()
        let pt = try add(try mul(p, constant(mapF32(t) { 2 * $0 - 1 })), constant(mapF32(t) { 1 - $0 }))
        let modulating = pow(affine(pt, scale: -1, shift: 1), gamma)
        var loss = try mul(ce, modulating)
        if alpha >= 0 { loss = try mul(loss, constant(mapF32(t) { alpha * $0 + (1 - alpha) * (1 - $0) })) }
        return mean(loss)
    }

    /// Mean SSIM of x and y ([N, C, H, W], H and W ≥ window). Use `1 − ssim` as a loss.
    public func ssim(_ x: Variable, _ y: Variable, dataRange: Float = 1, window: Int = 11, sigma: Float = 1.5) throws -> Variable {
        guard x.shape == y.shape, x.value.rank == 4, x.shape[2] >= window, x.shape[3] >= window else {
            throw TensorError.shapeMismatch(op: "ssim", expected: x.shape, got: y.shape, hint: "need equal [N, C, H, W] shapes with H, W ≥ \(window)")
        }
        let c = x.shape[1]
        let g1 = (0..<window).map { i -> Double in let d = Double(i - window / 2); return exp(-d * d / (2 * Double(sigma * sigma))) }
        let s = g1.reduce(0, +)
        var k: [Float] = []
        for ch in 0..<c { _ = ch; for i in 0..<window { for j in 0..<window { k.append(Float(g1[i] * g1[j] / (s * s))) } } }
        let w = constant(try Tensor(shape: [c, 1, window, window], values: k))
        func blur(_ v: Variable) throws -> Variable { try conv2d(v, weight: w, groups: c) }
        let c1 = (0.01 * dataRange) * (0.01 * dataRange), c2 = (0.03 * dataRange) * (0.03 * dataRange)
        let mx = try blur(x), my = try blur(y)
        let mx2 = try mul(mx, mx), my2 = try mul(my, my), mxy = try mul(mx, my)
        let sx = try sub(try blur(try mul(x, x)), mx2), sy = try sub(try blur(try mul(y, y)), my2)
        let sxy = try sub(try blur(try mul(x, y)), mxy)
        let num = try mul(affine(mxy, scale: 2, shift: c1), affine(sxy, scale: 2, shift: c2))
        let den = try mul(affine(try add(mx2, my2), scale: 1, shift: c1), affine(try add(sx, sy), scale: 1, shift: c2))
        return mean(try div(num, den))
    }
}

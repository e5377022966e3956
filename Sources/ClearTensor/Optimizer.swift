// Adam and AdamW on `Parameter`s.
// Matches: torch.optim.Adam (L2 weight decay added to the gradient) and torch.optim.AdamW
// (decoupled decay p ← p − lr·wd·p before the Adam step), both with bias correction.

public final class Adam {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// true: AdamW (decoupled weight decay); false: Adam with L2 decay in the gradient.
    public let decoupled: Bool
    public let parameters: [Parameter]
    private var m: [Tensor], v: [Tensor]
    public private(set) var step = 0

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters; self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.eps = eps; self.weightDecay = weightDecay; self.decoupled = decoupled
        m = parameters.map { Tensor(shape: $0.value.shape, dtype: .f32, zeroed: true) }
        v = m.map { Tensor(shape: $0.shape, dtype: .f32, zeroed: true) }
    }

    public static func adamW(_ parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 1e-2) -> Adam {
        Adam(parameters, learningRate: learningRate, weightDecay: weightDecay, decoupled: true)
    }

    /// One update (in place: `Parameter` owns its storage) of every parameter that has a gradient.
    public func update() {
        step += 1
        let bc1 = 1 - Foundation.pow(beta1, Float(step)), bc2 = 1 - Foundation.pow(beta2, Float(step))
        let (lr, b1, b2, eps, wd, decoupled) = (learningRate, beta1, beta2, eps, weightDecay, decoupled)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad?.toF32() else { continue }
            defer { g.keepAlive() }
            let pv = p.value.f32, pg = UnsafePointer(g.f32), pm = m[i].f32, pvv = v[i].f32
            parallelFor(p.value.count, minChunk: 4096) { r in
                for j in r {
                    var grad = pg[j]
                    if decoupled { pv[j] -= lr * wd * pv[j] } else { grad += wd * pv[j] }
                    pm[j] = b1 * pm[j] + (1 - b1) * grad
                    pvv[j] = b2 * pvv[j] + (1 - b2) * grad * grad
                    pv[j] -= lr * (pm[j] / bc1) / ((pvv[j] / bc2).squareRoot() + eps)
                }
            }
            p.value.markMutated()  // drops pre-packed copies of the old values
        }
    }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

import Foundation

// Activations and softmax, f32 and bf16, on oneDNN primitives (eltwise_forward, softmax_forward);
// Swift SIMD kernels (VectorMath.swift) for SiLU, tanh-GELU, sigmoid, ReLU and last-axis softmax,
// used instead when ClearTensor is built for a specific CPU (CLEARSUB_TARGET_CPU, Package.swift),
// where they beat oneDNN 2.6's bf16 eltwise / softmax.
// Matches: torch.nn.functional.silu, gelu(approximate="tanh"), gelu (exact erf), sigmoid,
// softmax(dim=axis).
import CDNNL

public enum Activation: String, Sendable, CaseIterable {
    case silu, geluTanh, geluErf, sigmoid, relu

    var alg: dnnl_alg_kind_t {
        switch self {
        case .silu: return dnnl_eltwise_swish  // x·sigmoid(alpha·x) with alpha = 1
        case .geluTanh: return dnnl_eltwise_gelu_tanh
        case .geluErf: return dnnl_eltwise_gelu_erf
        case .sigmoid: return dnnl_eltwise_logistic
        case .relu: return dnnl_eltwise_relu
        }
    }
    var alpha: Float { self == .silu ? 1 : 0 }
}

extension Ops {
    /// Elementwise activation; output has the input's shape and dtype. On oneDNN's eltwise
    /// primitive (runtime-dispatched JIT) in the portable build; with CLEARSUB_WIDE_SIMD, SiLU,
    /// tanh-GELU, sigmoid and ReLU run as the Swift SIMD kernels of `swiftActivation`.
    public static func activation(_ x: Tensor, _ act: Activation) throws -> Tensor {
        if VMath.wide, let y = swiftActivation(x, act) { return y }
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if x.count == 0 { return out }
        let md = try dnnlDesc([x.count], x.dtype)
        let prim = try DNNL.shared.primitive("eltwise|\(act)|\(x.count)|\(x.dtype)", op: "\(act)") { _ in
            var d = dnnl_eltwise_desc_t()
            var m = md
            try dnnlCheck(dnnl_eltwise_forward_desc_init(&d, dnnl_forward_inference, act.alg, &m, act.alpha, 0), "\(act)", "dnnl_eltwise_forward_desc_init")
            return try DNNL.shared.makePD(&d, op: "\(act)")
        }
        try DNNL.shared.execute(prim, [(DNNLArg.src, md, x.raw), (DNNLArg.dst, md, out.raw)], op: "\(act)")
        return out
    }

    public static func silu(_ x: Tensor) throws -> Tensor { try activation(x, .silu) }
    public static func gelu(_ x: Tensor, approximateTanh: Bool = false) throws -> Tensor { try activation(x, approximateTanh ? .geluTanh : .geluErf) }
    public static func sigmoid(_ x: Tensor) throws -> Tensor { try activation(x, .sigmoid) }

    /// Swift SIMD activation kernels (bf16 converted in-register); nil for erf-GELU, which has none.
    static func swiftActivation(_ x: Tensor, _ act: Activation) -> Tensor? {
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        let split = x.dtype == .bf16
        let src = ElementPointer(x, split: split), dst = ElementPointer(out, split: split)
        switch act {
        case .silu:
            vectorMap(src, dst, count: x.count) { v in v / (1 + VMath.exp(-v)) }
        case .sigmoid:
            vectorMap(src, dst, count: x.count) { v in VMath.sigmoid(v) }
        case .relu:
            vectorMap(src, dst, count: x.count) { v in v.replacing(with: 0, where: v .< 0) }
        case .geluTanh:
            // 0.5·x·(1 + tanh(u)) = x / (1 + e^(−2u)), u = √(2/π)·(x + 0.044715·x³)
            vectorMap(src, dst, count: x.count) { v in
                let u2 = (v + 0.044_715 * v * v * v) * -1.595_769_121_605_730_7  // −2·√(2/π)
                return v / (1 + VMath.exp(u2))
            }
        case .geluErf:
            return nil
        }
        return out
    }

    /// Softmax along `axis` (default: last).
    public static func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        let ax = try x.axis(axis, op: "softmax")
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if x.count == 0 { return out }
        if ax == x.rank - 1 && VMath.wide { softmaxLastAxis(x, out); return out }
        let md = try dnnlDesc(x.shape, x.dtype)
        let prim = try DNNL.shared.primitive("softmax|\(x.shape)|\(ax)|\(x.dtype)", op: "softmax") { _ in
            var d = dnnl_softmax_desc_t()
            var m = md
            try dnnlCheck(dnnl_softmax_forward_desc_init(&d, dnnl_forward_inference, &m, Int32(ax)), "softmax", "dnnl_softmax_forward_desc_init")
            return try DNNL.shared.makePD(&d, op: "softmax")
        }
        try DNNL.shared.execute(prim, [(DNNLArg.src, md, x.raw), (DNNLArg.dst, md, out.raw)], op: "softmax")
        return out
    }
}

/// Softmax over contiguous rows (the last axis): max, then e^(x−max) with its sum (kept in an f32
/// row buffer), then scaling by 1/sum; bf16 rows are widened and rounded in-register.
func softmaxLastAxis(_ x: Tensor, _ out: Tensor) {
    let c = x.shape[x.rank - 1], rows = x.count / c
    let split = x.dtype == .bf16  // lane order is irrelevant here: buf is written and read back alike
    let src = ElementPointer(x, split: split), dst = ElementPointer(out, split: split)
    parallelForDynamic(rows, grain: max(1, 32768 / c)) { range in
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: c + 16)
        defer { buf.deallocate() }
        for r in range {
            let base = r * c
            var i = 0
            var mv = Vec16(repeating: -.infinity)
            while i + 16 <= c { mv = VMath.max(mv, src.load(base + i)); i += 16 }
            var m = mv.max()
            while i < c { m = Swift.max(m, src.scalar(base + i)); i += 1 }
            let mvec = Vec16(repeating: m)
            var sv = Vec16(repeating: 0)
            i = 0
            while i + 16 <= c {
                let e = VMath.exp(src.load(base + i) - mvec)
                VMath.store(e, buf + i); sv += e; i += 16
            }
            var sum = sv.sum()
            if i < c {
                let e = VMath.exp(src.load(base + i, count: c - i) - mvec)
                for k in 0..<(c - i) { buf[i + k] = e[k]; sum += e[k] }
            }
            let inv = Vec16(repeating: 1 / sum)
            i = 0
            while i + 16 <= c { dst.store(VMath.load(UnsafePointer(buf + i)) * inv, base + i); i += 16 }
            if i < c { dst.store(VMath.loadPartial(UnsafePointer(buf + i), c - i) * inv, base + i, count: c - i) }
        }
    }
}

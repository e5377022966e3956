// Activations and softmax on oneDNN primitives (eltwise_forward, softmax_forward), f32 and bf16.
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
    /// Elementwise activation; output has the input's shape and dtype.
    public static func activation(_ x: Tensor, _ act: Activation) throws -> Tensor {
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

    /// Softmax along `axis` (default: last).
    public static func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        let ax = try x.axis(axis, op: "softmax")
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if x.count == 0 { return out }
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

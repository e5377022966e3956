// Activations and softmax, f32 and bf16, on oneDNN primitives (eltwise_forward, softmax_forward);
// Swift SIMD kernels (ClearSIMD) for SiLU, tanh-GELU, sigmoid, ReLU and last-axis softmax, used
// instead when the CPU runs the AVX-512 kernel set (KernelDispatch.swift), where they beat
// oneDNN 2.6's bf16 eltwise / softmax.
// Matches: torch.nn.functional.silu, gelu(approximate="tanh"), gelu (exact erf), sigmoid,
// softmax(dim=axis).
import CDNNL
import ClearSIMD

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
    /// primitive (runtime-dispatched JIT) on CPUs without AVX-512; with the AVX-512 kernel set,
    /// SiLU, tanh-GELU, sigmoid and ReLU run as the Swift SIMD kernels of `swiftActivation`.
    public static func activation(_ x: Tensor, _ act: Activation) throws -> Tensor {
        if KernelDispatch.active.wide, let y = swiftActivation(x, act) { return y }
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

    /// The Swift SIMD activation kernels of the active kernel set (bf16 converted in-register);
    /// nil for erf-GELU, which has none.
    static func swiftActivation(_ x: Tensor, _ act: Activation) -> Tensor? {
        let kernel: ActivationKernel
        switch act {
        case .silu: kernel = .silu
        case .sigmoid: kernel = .sigmoid
        case .relu: kernel = .relu
        case .geluTanh: kernel = .geluTanh
        case .geluErf: return nil
        }
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        let split = x.dtype == .bf16
        let src = ElementPointer(x, split: split), dst = ElementPointer(out, split: split)
        let kernels = KernelDispatch.active
        parallelForDynamic(x.count, grain: 1 << 16) { r in kernels.activation(kernel, src, dst, r) }
        return out
    }

    /// Softmax along `axis` (default: last).
    public static func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
        let ax = try x.axis(axis, op: "softmax")
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if x.count == 0 { return out }
        if ax == x.rank - 1 && KernelDispatch.active.wide { softmaxLastAxis(x, out); return out }
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

/// Softmax over contiguous rows (the last axis) with the active kernel set; bf16 rows are
/// widened and rounded in-register (lane order is irrelevant: the row buffer is written and read
/// back alike).
func softmaxLastAxis(_ x: Tensor, _ out: Tensor) {
    let c = x.shape[x.rank - 1], rows = x.count / c
    let split = x.dtype == .bf16
    let src = ElementPointer(x, split: split), dst = ElementPointer(out, split: split)
    let kernels = KernelDispatch.active
    parallelForDynamic(rows, grain: max(1, 32768 / c)) { range in kernels.softmaxRows(src, dst, columns: c, rows: range) }
}

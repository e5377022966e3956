// 2-D/3-D convolution and 2-D transposed convolution on oneDNN (convolution_forward,
// deconvolution_forward), with stride, padding, dilation and groups.
// Matches: torch.nn.functional.conv2d / conv3d / conv_transpose2d (NCHW / NCDHW tensors, weights
// in PyTorch layout [O, C/g, k…] and [C, O/g, k…] for the transposed conv).
// Internally the primitive picks its preferred (blocked) layouts; inputs/outputs are reordered.
import CDNNL

/// Spatial parameters of a convolution, validated against PyTorch's rules.
public struct ConvParams: Sendable, Hashable {
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var groups: Int
    public var outputPadding: [Int]

    public init(stride: [Int], padding: [Int], dilation: [Int], groups: Int = 1, outputPadding: [Int]? = nil) {
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        self.outputPadding = outputPadding ?? [Int](repeating: 0, count: stride.count)
    }

    /// Same value for every spatial axis.
    public static func uniform(_ spatial: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1, outputPadding: Int = 0) -> ConvParams {
        ConvParams(stride: .init(repeating: stride, count: spatial), padding: .init(repeating: padding, count: spatial),
                   dilation: .init(repeating: dilation, count: spatial), groups: groups,
                   outputPadding: .init(repeating: outputPadding, count: spatial))
    }
}

/// Shared oneDNN plumbing for convolution-like primitives: runs a primitive whose src/weights/dst
/// were created with format `any`, reordering plain buffers to and from the chosen layouts.
struct LayoutAdapter {
    /// Returns a pointer holding `plain` data in layout `want` (reordering into `scratch` if needed).
    static func input(_ key: String, plain: dnnl_memory_desc_t, _ ptr: UnsafeMutableRawPointer, want: dnnl_memory_desc_t,
                      scratch: inout [Tensor]) throws -> UnsafeMutableRawPointer {
        if dnnlEqual(plain, want) { return ptr }
        let t = scratchBuffer(bytes: dnnlSize(want))
        scratch.append(t)
        try DNNL.shared.reorder(key: key, from: plain, ptr, to: want, t.raw)
        return t.raw
    }

    /// A buffer for an output in layout `have`; call `finish` to reorder it to `plain`.
    static func output(plain: dnnl_memory_desc_t, _ ptr: UnsafeMutableRawPointer, have: dnnl_memory_desc_t,
                       scratch: inout [Tensor]) -> UnsafeMutableRawPointer {
        if dnnlEqual(plain, have) { return ptr }
        let t = scratchBuffer(bytes: dnnlSize(have))
        scratch.append(t)
        return t.raw
    }

    /// Zeroed byte buffer (zero so that blocked layouts get zero padding), counted by TensorMemory.
    static func scratchBuffer(bytes: Int) -> Tensor {
        Tensor(shape: [(bytes + 1) / 2], dtype: .bf16, zeroed: true)
    }

    static func finish(_ key: String, plain: dnnl_memory_desc_t, _ ptr: UnsafeMutableRawPointer, have: dnnl_memory_desc_t,
                       from buf: UnsafeMutableRawPointer) throws {
        if buf != ptr { try DNNL.shared.reorder(key: key, from: have, buf, to: plain, ptr) }
    }
}

extension Ops {
    /// 2-D convolution: x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O].
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                              dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, .uniform(2, stride: stride, padding: padding, dilation: dilation, groups: groups))
    }

    /// 3-D convolution: x [N, C, D, H, W], weight [O, C/groups, kd, kh, kw], bias [O].
    public static func conv3d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1, 1], padding: [Int] = [0, 0, 0],
                              dilation: [Int] = [1, 1, 1], groups: Int = 1) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, ConvParams(stride: stride, padding: padding, dilation: dilation, groups: groups))
    }

    /// Transposed 2-D convolution: x [N, C, H, W], weight [C, O/groups, kh, kw] (PyTorch layout), bias [O].
    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                       outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Tensor {
        try conv(x, weight: weight, bias: bias, .uniform(2, stride: stride, padding: padding, dilation: dilation,
                                                          groups: groups, outputPadding: outputPadding), transposed: true)
    }

    /// N-d (1–3 spatial axes) convolution or transposed convolution.
    public static func conv(_ x: Tensor, weight: Tensor, bias: Tensor?, _ p: ConvParams, transposed: Bool = false) throws -> Tensor {
        let op = transposed ? "convTranspose" : "conv"
        let sp = x.rank - 2
        guard sp >= 1, sp <= 3, weight.rank == x.rank else {
            throw TensorError.invalidShape(op: op, shape: x.shape, reason: "x must be [N, C, spatial…] (1–3 spatial axes) and weight of the same rank (weight \(weight.shape))")
        }
        guard p.stride.count == sp, p.padding.count == sp, p.dilation.count == sp, p.outputPadding.count == sp,
              p.groups >= 1, p.stride.allSatisfy({ $0 >= 1 }), p.dilation.allSatisfy({ $0 >= 1 }), p.padding.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: op, reason: "stride/padding/dilation need \(sp) values each (stride, dilation ≥ 1, padding ≥ 0), groups ≥ 1; got \(p)")
        }
        guard x.dtype == weight.dtype else {
            throw TensorError.unsupportedDType(op: op, dtype: weight.dtype, hint: "weight dtype must equal input dtype \(x.dtype)")
        }
        let g = p.groups, n = x.shape[0], c = x.shape[1]
        let k = Array(weight.shape.dropFirst(2)), inSp = Array(x.shape.dropFirst(2))
        let o: Int
        if transposed {
            guard weight.shape[0] == c, c % g == 0 else {
                throw TensorError.shapeMismatch(op: op, expected: [c, -1] + k, got: weight.shape, hint: "transposed-conv weight is [C_in, C_out/groups, k…] with C_in divisible by groups")
            }
            o = weight.shape[1] * g
        } else {
            guard c % g == 0, weight.shape[1] == c / g, weight.shape[0] % g == 0 else {
                throw TensorError.shapeMismatch(op: op, expected: [-1, c / g] + k, got: weight.shape, hint: "conv weight is [C_out, C_in/groups, k…]; C_in \(c) and C_out must be divisible by groups \(g)")
            }
            o = weight.shape[0]
        }
        if let bias { guard bias.count == o else {
            throw TensorError.shapeMismatch(op: op, expected: [o], got: bias.shape, hint: "bias needs one value per output channel")
        } }
        var outSp: [Int] = []
        for i in 0..<sp {
            let ext = p.dilation[i] * (k[i] - 1) + 1
            let v = transposed ? (inSp[i] - 1) * p.stride[i] - 2 * p.padding[i] + ext + p.outputPadding[i]
                               : (inSp[i] + 2 * p.padding[i] - ext) / p.stride[i] + 1
            guard v >= 1, transposed || inSp[i] + 2 * p.padding[i] >= ext else {
                throw TensorError.invalidShape(op: op, shape: x.shape, reason: "kernel \(k) with \(p) gives an empty output")
            }
            outSp.append(v)
        }
        let outDims = [n, o] + outSp
        let out = Tensor(shape: outDims, dtype: x.dtype, zeroed: false)

        // oneDNN descriptors: weights grouped as [g, O/g, I/g, k…] when groups > 1.
        let wDims: [Int], wStrides: [Int]
        let ws = Tensor.contiguousStrides(weight.shape)
        let kStr = Array(ws.dropFirst(2))
        if transposed {  // PyTorch [C, O/g, k…] = [g, C/g, O/g, k…]; oneDNN wants [g, O/g, C/g, k…]
            let cg = c / g, og = o / g
            let sO = ws[1], sI = ws[0], sG = cg * ws[0]
            wDims = g > 1 ? [g, og, cg] + k : [og, cg] + k
            wStrides = g > 1 ? [sG, sO, sI] + kStr : [sO, sI] + kStr
        } else {
            let og = o / g
            wDims = g > 1 ? [g, og, c / g] + k : weight.shape
            wStrides = g > 1 ? [og * ws[0]] + ws : ws
        }
        let xPlain = try dnnlDesc(x.shape, x.dtype), yPlain = try dnnlDesc(outDims, x.dtype)
        let wPlain = try dnnlDesc(wDims, x.dtype, strides: wStrides)
        let key = "\(op)|\(x.shape)|\(wDims)\(wStrides)|\(x.dtype)|\(p)|\(bias != nil)"
        let prim = try DNNL.shared.primitive(key, op: op) { _ in
            var xd = try dnnlDescAny(x.shape, x.dtype), yd = try dnnlDescAny(outDims, x.dtype), wd = try dnnlDescAny(wDims, x.dtype)
            var bd = try dnnlDesc([o], .f32)
            let st = p.stride.map { Int64($0) }, dl = p.dilation.map { Int64($0 - 1) }
            let pl = p.padding.map { Int64($0) }
            var pr: [Int64] = []
            for i in 0..<sp {
                if transposed {
                    pr.append(Int64(p.padding[i] - p.outputPadding[i]))
                } else {
                    // right padding that makes oneDNN's size formula give PyTorch's output size
                    let span = (outSp[i] - 1) * p.stride[i] + p.dilation[i] * (k[i] - 1) + 1
                    pr.append(Int64(span - inSp[i] - p.padding[i]))
                }
            }
            if transposed {
                var d = dnnl_deconvolution_desc_t()
                try withUnsafeMutablePointer(to: &bd) { bp in
                    try dnnlCheck(dnnl_dilated_deconvolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_deconvolution_direct,
                        &xd, &wd, bias == nil ? nil : bp, &yd, st, dl, pl, pr), op, "dnnl_dilated_deconvolution_forward_desc_init")
                }
                return try DNNL.shared.makePD(&d, op: op)
            } else {
                var d = dnnl_convolution_desc_t()
                try withUnsafeMutablePointer(to: &bd) { bp in
                    try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_convolution_direct,
                        &xd, &wd, bias == nil ? nil : bp, &yd, st, dl, pl, pr), op, "dnnl_dilated_convolution_forward_desc_init")
                }
                return try DNNL.shared.makePD(&d, op: op)
            }
        }
        var scratch: [Tensor] = []
        let xs = try LayoutAdapter.input(key + "|src", plain: xPlain, x.raw, want: prim.desc(dnnl_query_src_md), scratch: &scratch)
        let wsrc = try LayoutAdapter.input(key + "|w", plain: wPlain, weight.raw, want: prim.desc(dnnl_query_weights_md), scratch: &scratch)
        let yHave = prim.desc(dnnl_query_dst_md)
        let yb = LayoutAdapter.output(plain: yPlain, out.raw, have: yHave, scratch: &scratch)
        let biasF32 = bias?.toF32()
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNLArg.src, prim.desc(dnnl_query_src_md), xs), (DNNLArg.weights, prim.desc(dnnl_query_weights_md), wsrc),
            (DNNLArg.dst, yHave, yb),
        ]
        if let b = biasF32 { args.append((DNNLArg.bias, try dnnlDesc([o], .f32), b.raw)) }
        try DNNL.shared.execute(prim, args, op: op)
        try LayoutAdapter.finish(key + "|dst", plain: yPlain, out.raw, have: yHave, from: yb)
        return out
    }
}

// 2-D/3-D convolution and 2-D transposed convolution on oneDNN (convolution_forward,
// deconvolution_forward), with stride, padding, dilation and groups.
// Matches: torch.nn.functional.conv2d / conv3d / conv_transpose2d (NCHW / NCDHW tensors, weights
// in PyTorch layout [O, C/g, k…] and [C, O/g, k…] for the transposed conv).
// Internally the primitive picks its preferred (blocked / channels-last) layouts: weights are
// reordered once and cached per weight storage (LayoutAdapter.packedWeights), activations are
// converted per call (channels-last by the Swift transpose in LayoutTranspose.swift).
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
        try convert(key, from: plain, ptr, to: want, t.raw, toChannelsLast: true)
        return t.raw
    }

    /// Weights in layout `want`, reordered once per weight storage and cached on the storage
    /// (`TensorStorage.derivedValue`), so repeated calls with the same weight tensor skip the
    /// reorder. The packed copy is dropped by `markMutated()`, and it is also checked against a
    /// fingerprint of the plain weights on every use, so in-place writes that did not call
    /// `markMutated()` (a gradient check poking values) are caught and repacked, never used stale.
    static func packedWeights(_ key: String, _ weight: Tensor, plain: dnnl_memory_desc_t, want: dnnl_memory_desc_t,
                              scratch: inout [Tensor]) throws -> UnsafeMutableRawPointer {
        if dnnlEqual(plain, want) { return weight.raw }
        let bytes = dnnlSize(plain)
        func pack() throws -> PackedWeights {
            let t = scratchBuffer(bytes: dnnlSize(want))
            let fp = ContentFingerprint.of(weight.raw, bytes: bytes)
            try DNNL.shared.reorder(key: key, from: plain, weight.raw, to: want, t.raw)
            return PackedWeights(t, fingerprint: fp)
        }
        var packed = try weight.storage.derivedValue("packed|" + key, pack)
        if packed.fingerprint != ContentFingerprint.of(weight.raw, bytes: bytes) {
            weight.storage.markMutated()
            packed = try weight.storage.derivedValue("packed|" + key, pack)
        }
        scratch.append(packed.tensor)
        return packed.tensor.raw
    }

    /// Plain row-major -> `want` (or back when `toChannelsLast` is false): the channels-first <->
    /// channels-last case runs on the fast Swift transpose, every other layout on a oneDNN reorder.
    static func convert(_ key: String, from src: dnnl_memory_desc_t, _ srcPtr: UnsafeMutableRawPointer,
                        to dst: dnnl_memory_desc_t, _ dstPtr: UnsafeMutableRawPointer, toChannelsLast: Bool) throws {
        let plain = toChannelsLast ? src : dst, other = toChannelsLast ? dst : src
        if let (dims, size) = try channelsLastPair(plain: plain, other: other) {
            let n = dims[0], c = dims[1], sp = dims.dropFirst(2).reduce(1, *)
            transposeBatched(srcPtr, dstPtr, batches: n, rows: toChannelsLast ? c : sp, cols: toChannelsLast ? sp : c, elementSize: size)
            return
        }
        try DNNL.shared.reorder(key: key, from: src, srcPtr, to: dst, dstPtr)
    }

    /// (dims, element size) when `plain` is a dense row-major [N, C, spatial…] descriptor and
    /// `other` is exactly its channels-last layout; nil otherwise.
    static func channelsLastPair(plain: dnnl_memory_desc_t, other: dnnl_memory_desc_t) throws -> ([Int], Int)? {
        let rank = Int(plain.ndims)
        guard rank >= 3, rank <= 5, plain.data_type == other.data_type,
              plain.data_type == dnnl_f32 || plain.data_type == dnnl_bf16 else { return nil }
        let dims = withUnsafeBytes(of: plain.dims) { Array($0.bindMemory(to: Int64.self).prefix(rank)).map { Int($0) } }
        let dt: DType = plain.data_type == dnnl_f32 ? .f32 : .bf16
        guard dnnlEqual(plain, try dnnlDesc(dims, dt)),
              dnnlEqual(other, try dnnlDesc(dims, dt, strides: Tensor.channelsLastStrides(dims))) else { return nil }
        return (dims, dt.size)
    }

    /// A buffer for an output in layout `have`; call `finish` to reorder it to `plain`.
    static func output(plain: dnnl_memory_desc_t, _ ptr: UnsafeMutableRawPointer, have: dnnl_memory_desc_t,
                       scratch: inout [Tensor]) -> UnsafeMutableRawPointer {
        if dnnlEqual(plain, have) { return ptr }
        let t = scratchBuffer(bytes: dnnlSize(have))
        scratch.append(t)
        return t.raw
    }

    /// Byte buffer counted by TensorMemory (oneDNN reorders write the zero padding of blocked layouts).
    static func scratchBuffer(bytes: Int) -> Tensor {
        Tensor(shape: [(bytes + 1) / 2], dtype: .bf16, zeroed: false)
    }

    static func finish(_ key: String, plain: dnnl_memory_desc_t, _ ptr: UnsafeMutableRawPointer, have: dnnl_memory_desc_t,
                       from buf: UnsafeMutableRawPointer) throws {
        if buf != ptr { try convert(key, from: have, buf, to: plain, ptr, toChannelsLast: false) }
    }
}

/// A weight tensor reordered into a primitive's preferred layout (cached on the weight's storage).
final class PackedWeights: @unchecked Sendable {  // immutable after creation
    let tensor: Tensor
    /// ContentFingerprint of the plain weights the copy was made from.
    let fingerprint: SIMD2<UInt64>
    init(_ t: Tensor, fingerprint: SIMD2<UInt64>) { tensor = t; self.fingerprint = fingerprint }
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
        let geo = try ConvGeometry(x: x.shape, weight: weight.shape, params: p, transposed: transposed)
        let op = geo.op, o = geo.outChannels
        guard x.dtype == weight.dtype else {
            throw TensorError.unsupportedDType(op: op, dtype: weight.dtype, hint: "weight dtype must equal input dtype \(x.dtype)")
        }
        if let bias { guard bias.count == o else {
            throw TensorError.shapeMismatch(op: op, expected: [o], got: bias.shape, hint: "bias needs one value per output channel")
        } }
        let out = Tensor(shape: geo.outDims, dtype: x.dtype, zeroed: false)
        let xPlain = try dnnlDesc(x.shape, x.dtype), yPlain = try dnnlDesc(geo.outDims, x.dtype)
        let wPlain = try dnnlDesc(geo.wDims, x.dtype, strides: geo.wStrides)
        let key = "\(geo.key)|\(x.dtype)|\(bias != nil)"
        let prim = try DNNL.shared.primitive(key, op: op) { _ in
            try geo.forwardDesc(x.dtype, bias: bias != nil, prop: dnnl_forward_inference)
        }
        let biasF32 = bias?.toF32()
        defer { biasF32?.keepAlive() }
        if ConvBands.enabled, try ConvBands.run(x: x, weight: weight, bias: biasF32, geo: geo, prim: prim, key: key, wPlain: wPlain, out: out) {
            return out
        }
        var scratch: [Tensor] = []
        defer { withExtendedLifetime(scratch) {} }
        let xs = try LayoutAdapter.input(key + "|src", plain: xPlain, x.raw, want: prim.desc(dnnl_query_src_md), scratch: &scratch)
        let wsrc = try LayoutAdapter.packedWeights(key + "|w", weight, plain: wPlain, want: prim.desc(dnnl_query_weights_md), scratch: &scratch)
        let yHave = prim.desc(dnnl_query_dst_md)
        let yb = LayoutAdapter.output(plain: yPlain, out.raw, have: yHave, scratch: &scratch)
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

/// Validated geometry of a convolution in PyTorch terms and its oneDNN descriptors (weights
/// grouped as [g, O/g, I/g, k…]; transposed-conv weights viewed through strides).
struct ConvGeometry {
    let op: String
    let x: [Int], outDims: [Int], wDims: [Int], wStrides: [Int]
    let outChannels: Int
    let transposed: Bool
    let strides: [Int64], dilations: [Int64], padL: [Int64], padR: [Int64]
    var key: String { "\(op)|\(x)|\(wDims)\(wStrides)|\(strides)\(dilations)\(padL)\(padR)" }

    init(x: [Int], weight: [Int], params p: ConvParams, transposed: Bool) throws {
        let op = transposed ? "convTranspose" : "conv"
        self.op = op; self.x = x; self.transposed = transposed
        let sp = x.count - 2
        guard sp >= 1, sp <= 3, weight.count == x.count else {
            throw TensorError.invalidShape(op: op, shape: x, reason: "x must be [N, C, spatial…] (1–3 spatial axes) and weight of the same rank (weight \(weight))")
        }
        guard p.stride.count == sp, p.padding.count == sp, p.dilation.count == sp, p.outputPadding.count == sp,
              p.groups >= 1, p.stride.allSatisfy({ $0 >= 1 }), p.dilation.allSatisfy({ $0 >= 1 }), p.padding.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: op, reason: "stride/padding/dilation need \(sp) values each (stride, dilation ≥ 1, padding ≥ 0), groups ≥ 1; got \(p)")
        }
        let g = p.groups, n = x[0], c = x[1]
        let k = Array(weight.dropFirst(2)), inSp = Array(x.dropFirst(2))
        let o: Int
        if transposed {
            guard weight[0] == c, c % g == 0 else {
                throw TensorError.shapeMismatch(op: op, expected: [c, -1] + k, got: weight, hint: "transposed-conv weight is [C_in, C_out/groups, k…] with C_in divisible by groups")
            }
            o = weight[1] * g
        } else {
            guard c % g == 0, weight[1] == c / g, weight[0] % g == 0 else {
                throw TensorError.shapeMismatch(op: op, expected: [-1, c / g] + k, got: weight, hint: "conv weight is [C_out, C_in/groups, k…]; C_in \(c) and C_out must be divisible by groups \(g)")
            }
            o = weight[0]
        }
        outChannels = o
        var outSp: [Int] = [], pr: [Int64] = []
        for i in 0..<sp {
            let ext = p.dilation[i] * (k[i] - 1) + 1
            let v = transposed ? (inSp[i] - 1) * p.stride[i] - 2 * p.padding[i] + ext + p.outputPadding[i]
                               : (inSp[i] + 2 * p.padding[i] - ext) / p.stride[i] + 1
            guard v >= 1, transposed || inSp[i] + 2 * p.padding[i] >= ext else {
                throw TensorError.invalidShape(op: op, shape: x, reason: "kernel \(k) with \(p) gives an empty output")
            }
            outSp.append(v)
            // right padding that makes oneDNN's size formula give PyTorch's output size
            pr.append(transposed ? Int64(p.padding[i] - p.outputPadding[i])
                                 : Int64((v - 1) * p.stride[i] + ext - inSp[i] - p.padding[i]))
        }
        outDims = [n, o] + outSp
        padR = pr
        padL = p.padding.map { Int64($0) }
        strides = p.stride.map { Int64($0) }
        dilations = p.dilation.map { Int64($0 - 1) }
        let ws = Tensor.contiguousStrides(weight)
        let kStr = Array(ws.dropFirst(2))
        if transposed {  // PyTorch [C, O/g, k…] = [g, C/g, O/g, k…]; oneDNN wants [g, O/g, C/g, k…]
            let cg = c / g, og = o / g
            wDims = g > 1 ? [g, og, cg] + k : [og, cg] + k
            wStrides = g > 1 ? [cg * ws[0], ws[1], ws[0]] + kStr : [ws[1], ws[0]] + kStr
        } else {
            let og = o / g
            wDims = g > 1 ? [g, og, c / g] + k : weight
            wStrides = g > 1 ? [og * ws[0]] + ws : ws
        }
    }

    /// Forward primitive descriptor: `any` layouts unless `src`/`dst` fix them (weights stay `any`),
    /// with optional primitive attributes (post-ops).
    func forwardDesc(_ dt: DType, bias: Bool, prop: dnnl_prop_kind_t, src: dnnl_memory_desc_t? = nil,
                     dst: dnnl_memory_desc_t? = nil, attr: dnnl_primitive_attr_t? = nil) throws -> dnnl_primitive_desc_t {
        var xd = try src ?? dnnlDescAny(x, dt), yd = try dst ?? dnnlDescAny(outDims, dt), wd = try dnnlDescAny(wDims, dt)
        var bd = try dnnlDesc([outChannels], .f32)
        if transposed {
            var d = dnnl_deconvolution_desc_t()
            try withUnsafeMutablePointer(to: &bd) { bp in
                try dnnlCheck(dnnl_dilated_deconvolution_forward_desc_init(&d, prop, dnnl_deconvolution_direct,
                    &xd, &wd, bias ? bp : nil, &yd, strides, dilations, padL, padR), op, "dnnl_dilated_deconvolution_forward_desc_init")
            }
            return try DNNL.shared.makePD(&d, attr: attr, op: op)
        }
        var d = dnnl_convolution_desc_t()
        try withUnsafeMutablePointer(to: &bd) { bp in
            try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(&d, prop, dnnl_convolution_direct,
                &xd, &wd, bias ? bp : nil, &yd, strides, dilations, padL, padR), op, "dnnl_dilated_convolution_forward_desc_init")
        }
        return try DNNL.shared.makePD(&d, attr: attr, op: op)
    }
}

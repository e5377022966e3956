// Channels-last ([N, H, W, C]) inference ops for small CNNs (the lite engine): activations stay in
// the layout oneDNN's convolution kernels run in, so no NCHW ↔ channels-last conversion happens
// between layers, and the ReLU runs inside the convolution (oneDNN eltwise post-op).
// Matches: torch.nn.functional.conv2d (+ relu) and interpolate(mode="bilinear",
// align_corners=False) applied to x.permute(0, 3, 1, 2), with the result permuted back.
import CDNNL
import ClearSIMD

extension Ops {
    /// 2-D convolution of a channels-last x [N, H, W, C] with a PyTorch-layout weight [O, C, k, k]
    /// and bias [O] (groups 1, dilation 1), ReLU fused when `relu`; returns [N, H', W', O] in
    /// `outputDType` (default: x's dtype). bf16 x and weight accumulate in f32 (oneDNN), so a bf16
    /// chain can end in an f32 output without a separate conversion. With `adding`, the convolution
    /// is added to that tensor ([N, H', W', O], the output's dtype; oneDNN's sum post-op, before the
    /// ReLU), which is returned: a convolution over channels concatenated from two tensors is the
    /// sum of one over each, without the concatenated copy.
    public static func conv2dChannelsLast(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                                          relu: Bool = false, outputDType: DType? = nil, adding: Tensor? = nil) throws -> Tensor {
        guard x.rank == 4 else {
            throw TensorError.invalidShape(op: "conv2dChannelsLast", shape: x.shape, reason: "x must be [N, H, W, C]")
        }
        let nchw = [x.shape[0], x.shape[3], x.shape[1], x.shape[2]]
        let geo = try ConvGeometry(x: nchw, weight: weight.shape, params: .uniform(2, stride: stride, padding: padding),
                                   transposed: false)
        guard x.dtype == weight.dtype else {
            throw TensorError.unsupportedDType(op: "conv2dChannelsLast", dtype: weight.dtype, hint: "weight dtype must equal input dtype \(x.dtype)")
        }
        let o = geo.outChannels
        if let bias { guard bias.count == o else {
            throw TensorError.shapeMismatch(op: "conv2dChannelsLast", expected: [o], got: bias.shape, hint: "bias needs one value per output channel")
        } }
        let (oh, ow) = (geo.outDims[2], geo.outDims[3])
        let yType = outputDType ?? adding?.dtype ?? x.dtype
        if let adding { guard adding.shape == [x.shape[0], oh, ow, o], adding.dtype == yType else {
            throw TensorError.shapeMismatch(op: "conv2dChannelsLast", expected: [x.shape[0], oh, ow, o], got: adding.shape,
                                            hint: "the tensor added to must have the output's shape and dtype (\(yType))")
        } }
        let out = adding ?? Tensor(shape: [x.shape[0], oh, ow, o], dtype: yType, zeroed: false)
        let xd = try dnnlDesc(nchw, x.dtype, strides: Tensor.channelsLastStrides(nchw))
        let yd = try dnnlDesc(geo.outDims, yType, strides: Tensor.channelsLastStrides(geo.outDims))
        let wPlain = try dnnlDesc(geo.wDims, x.dtype, strides: geo.wStrides)
        let key = "nhwc|\(geo.key)|\(x.dtype)->\(yType)|\(bias != nil)|\(relu)|\(adding != nil)"
        let prim = try DNNL.shared.primitive(key, op: "conv2dChannelsLast") { _ in
            var attr: dnnl_primitive_attr_t?
            try dnnlCheck(dnnl_primitive_attr_create(&attr), "conv2dChannelsLast", "dnnl_primitive_attr_create")
            defer { dnnl_primitive_attr_destroy(attr) }
            if relu || adding != nil {
                var po: dnnl_post_ops_t?
                try dnnlCheck(dnnl_post_ops_create(&po), "conv2dChannelsLast", "dnnl_post_ops_create")
                defer { dnnl_post_ops_destroy(po) }
                if adding != nil {
                    try dnnlCheck(dnnl_post_ops_append_sum(po, 1), "conv2dChannelsLast", "dnnl_post_ops_append_sum")
                }
                if relu {
                    try dnnlCheck(dnnl_post_ops_append_eltwise(po, 1, dnnl_eltwise_relu, 0, 0), "conv2dChannelsLast", "dnnl_post_ops_append_eltwise")
                }
                try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, po), "conv2dChannelsLast", "dnnl_primitive_attr_set_post_ops")
            }
            return try geo.forwardDesc(x.dtype, bias: bias != nil, prop: dnnl_forward_inference, src: xd, dst: yd, attr: attr)
        }
        let biasF32 = bias?.toF32()
        defer { biasF32?.keepAlive() }
        var scratch: [Tensor] = []
        defer { withExtendedLifetime(scratch) {} }
        let wsrc = try LayoutAdapter.packedWeights(key + "|w", weight, plain: wPlain, want: prim.desc(dnnl_query_weights_md), scratch: &scratch)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNLArg.src, xd, x.raw), (DNNLArg.weights, prim.desc(dnnl_query_weights_md), wsrc), (DNNLArg.dst, yd, out.raw),
        ]
        if let b = biasF32 { args.append((DNNLArg.bias, try dnnlDesc([o], .f32), b.raw)) }
        try DNNL.shared.execute(prim, args, op: "conv2dChannelsLast")
        withExtendedLifetime(x) {}
        return out
    }

    /// The 3×3 convolution of a channels-last f32 x [N, H, W, C] with one to four output channels
    /// (weight [O, C, 3, 3], bias [O], stride 1, padding 1, no ReLU): `conv2dChannelsLast`'s result,
    /// summed in another order. With AVX2 (`KernelDispatch.avx2Allowed`), C ≤ 32 and O ≤ 4 it runs
    /// `AVX2Kernels.conv3x3Few`, about three times as fast as oneDNN's kernels, which compute eight
    /// output channels to keep O; otherwise `conv2dChannelsLast`.
    public static func conv3x3FewOutputsChannelsLast(_ x: Tensor, weight: Tensor, bias: Tensor) throws -> Tensor {
        guard x.rank == 4, x.dtype == .f32, weight.dtype == .f32, weight.rank == 4, weight.shape[0] >= 1,
              Array(weight.shape.dropFirst()) == [x.shape[3], 3, 3], bias.count == weight.shape[0] else {
            throw TensorError.invalidShape(op: "conv3x3FewOutputsChannelsLast", shape: weight.shape,
                                           reason: "need an f32 x [N, H, W, C], weight [O, C, 3, 3] and O biases (x \(x.shape) \(x.dtype), bias \(bias.shape))")
        }
        let (n, h, w, c, o) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], weight.shape[0])
        guard KernelDispatch.avx2Allowed, c <= AVX2Kernels.conv3x3FewMaxChannels, o <= AVX2Kernels.conv3x3FewMaxOutputs else {
            return try conv2dChannelsLast(x, weight: weight, bias: bias, padding: 1)
        }
        let out = Tensor(shape: [n, h, w, o], dtype: .f32, zeroed: false)
        let biasF32 = bias.toF32()
        let (xs, ws, bs, os) = (UnsafePointer(x.f32), UnsafePointer(weight.f32), UnsafePointer(biasF32.f32), out.f32)
        parallelFor(n * h, minChunk: 8) { rows in
            for image in rows.lowerBound / h...(rows.upperBound - 1) / h {
                let r = max(rows.lowerBound, image * h) - image * h..<min(rows.upperBound, (image + 1) * h) - image * h
                AVX2Kernels.conv3x3Few(xs + image * h * w * c, height: h, width: w, channels: c, outputs: o, weight: ws, bias: bs,
                                       into: os + image * h * w * o, rows: r)
            }
        }
        withExtendedLifetime((x, weight, biasF32)) {}
        return out
    }

    /// Bilinear resize (half-pixel centres, as `resize(…, mode: .bilinear)`) of a channels-last
    /// x [N, H, W, C] to [N, height, width, C]; f32, or bf16 (computed in f32, rounded once).
    public static func resizeChannelsLast(_ x: Tensor, height oh: Int, width ow: Int) throws -> Tensor {
        guard x.rank == 4, oh >= 1, ow >= 1, x.shape[1] >= 1, x.shape[2] >= 1 else {
            throw TensorError.invalidShape(op: "resizeChannelsLast", shape: x.shape, reason: "need [N, H, W, C] and a positive output size (got \(oh)×\(ow))")
        }
        let (n, ih, iw, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let out = Tensor(shape: [n, oh, ow, c], dtype: x.dtype, zeroed: false)
        let ty = resizeTaps(oh, ih, Float(ih) / Float(oh), .bilinear), tx = resizeTaps(ow, iw, Float(iw) / Float(ow), .bilinear)
        if x.dtype == .f32 {
            bilinearRows(UnsafePointer(x.f32), out.f32, n: n, ih: ih, iw: iw, c: c, oh: oh, ow: ow, ty: ty, tx: tx)
        } else {
            bilinearRows(UnsafePointer(x.bf16), out.bf16, n: n, ih: ih, iw: iw, c: c, oh: oh, ow: ow, ty: ty, tx: tx)
        }
        withExtendedLifetime(x) {}
        return out
    }

    /// Rows of the channels-last bilinear resize, separably: the two source rows are blended into
    /// an f32 row (contiguous, 16 lanes at a time), then each output pixel blends two pixels of it,
    /// and the output row is stored (bf16: rounded 16 lanes at a time).
    @inline(__always)
    private static func bilinearRows<E: BilinearElement>(_ ps: UnsafePointer<E>, _ po: UnsafeMutablePointer<E>, n: Int, ih: Int, iw: Int, c: Int,
                                                         oh: Int, ow: Int, ty: [(Int, Int, Float)], tx: [(Int, Int, Float)]) {
        let inRow = iw * c, outRow = ow * c
        parallelFor(n * oh, minChunk: max(1, 8192 / max(outRow, 1))) { rows in
            let mid = UnsafeMutablePointer<Float>.allocate(capacity: inRow)
            let line = UnsafeMutablePointer<Float>.allocate(capacity: outRow)
            defer { mid.deallocate(); line.deallocate() }
            for row in rows {
                let b = row / oh, y = row % oh
                let (y0, y1, wy) = ty[y]
                let r0 = ps + (b * ih + y0) * inRow, r1 = ps + (b * ih + y1) * inRow
                var k = 0
                while k + 16 <= inRow {
                    let a = E.load16(r0 + k), d = E.load16(r1 + k)
                    VMath.store(a + (d - a) * wy, mid + k)
                    k += 16
                }
                while k < inRow { let a = r0[k].float, d = r1[k].float; mid[k] = a + (d - a) * wy; k += 1 }
                for xo in 0..<ow {
                    let (x0, x1, wx) = tx[xo]
                    let a = mid + x0 * c, d = mid + x1 * c, o = line + xo * c
                    for ch in 0..<c { o[ch] = a[ch] + (d[ch] - a[ch]) * wx }
                }
                E.storeRow(line, po + row * outRow, count: outRow)
            }
        }
    }

    /// Channels-last [N, H, W, C] → plain [N, C, H, W] (a copy).
    public static func channelsFirst(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4 else { throw TensorError.invalidShape(op: "channelsFirst", shape: x.shape, reason: "need [N, H, W, C]") }
        return try permute(x, [0, 3, 1, 2])
    }
}

/// An element type the channels-last resize reads and writes: Float, or bf16 bit patterns (UInt16).
protocol BilinearElement {
    var float: Float { get }
    init(rounding f: Float)
    static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
    static func storeRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Self>, count: Int)
}
extension Float: BilinearElement {
    @inline(__always) var float: Float { self }
    @inline(__always) init(rounding f: Float) { self = f }
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { VMath.load(p) }
    @inline(__always) static func storeRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        dst.update(from: src, count: count)
    }
}
extension UInt16: BilinearElement {
    @inline(__always) var float: Float { BF16.toFloat(self) }
    @inline(__always) init(rounding f: Float) { self = BF16.fromFloat(f) }
    @inline(__always) static func load16(_ p: UnsafePointer<UInt16>) -> SIMD16<Float> { VMath.load(p) }
    @inline(__always) static func storeRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        BF16.convert(src, dst, count: count)
    }
}

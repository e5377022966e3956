// Gradients of the (non-transposed) convolution on oneDNN's convolution_backward_data and
// convolution_backward_weights primitives (created with a forward-training hint), f32.
// Matches: torch.nn.grad.conv{1,2,3}d_input / conv{1,2,3}d_weight and the bias gradient Σ dy.
import CDNNL

extension Ops {
    /// Returns (dx, dweight, dbias) for y = conv(x, weight, bias) given dy.
    /// With `inputGradient: false`, dx is not computed and returned as an empty [0] tensor.
    public static func convBackward(_ x: Tensor, weight: Tensor, dy: Tensor, _ p: ConvParams, withBias: Bool,
                                    inputGradient: Bool = true)
        throws -> (dx: Tensor, dweight: Tensor, dbias: Tensor?) {
        let geo = try ConvGeometry(x: x.shape, weight: weight.shape, params: p, transposed: false)
        guard dy.shape == geo.outDims else {
            throw TensorError.shapeMismatch(op: "convBackward", expected: geo.outDims, got: dy.shape, hint: "dy must have the forward output's shape")
        }
        guard x.dtype == .f32, weight.dtype == .f32, dy.dtype == .f32 else {
            throw TensorError.unsupportedDType(op: "convBackward", dtype: .bf16, hint: "training runs in f32; convert with toF32()")
        }
        let op = "convBackward", dt = DType.f32
        let key = geo.key
        let xPlain = try dnnlDesc(x.shape, dt), yPlain = try dnnlDesc(geo.outDims, dt)
        let wPlain = try dnnlDesc(geo.wDims, dt, strides: geo.wStrides)

        let bwdData = try DNNL.shared.primitive("conv-bwd-data|" + key, op: op) { _ in
            let hint = try geo.forwardDesc(dt, bias: false, prop: dnnl_forward_training)
            defer { dnnl_primitive_desc_destroy(hint) }
            var xd = try dnnlDescAny(geo.x, dt), yd = try dnnlDescAny(geo.outDims, dt), wd = try dnnlDescAny(geo.wDims, dt)
            var d = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_dilated_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &xd, &wd, &yd, geo.strides,
                                                                           geo.dilations, geo.padL, geo.padR), op, "dnnl_dilated_convolution_backward_data_desc_init")
            return try DNNL.shared.makePD(&d, hint: hint, op: op)
        }
        let bwdWeights = try DNNL.shared.primitive("conv-bwd-weights|\(withBias)|" + key, op: op) { _ in
            let hint = try geo.forwardDesc(dt, bias: withBias, prop: dnnl_forward_training)
            defer { dnnl_primitive_desc_destroy(hint) }
            var xd = try dnnlDescAny(geo.x, dt), yd = try dnnlDescAny(geo.outDims, dt), wd = try dnnlDescAny(geo.wDims, dt)
            var bd = try dnnlDesc([geo.outChannels], dt)
            var d = dnnl_convolution_desc_t()
            try withUnsafeMutablePointer(to: &bd) { bp in
                try dnnlCheck(dnnl_dilated_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &xd, &wd, withBias ? bp : nil, &yd,
                    geo.strides, geo.dilations, geo.padL, geo.padR), op, "dnnl_dilated_convolution_backward_weights_desc_init")
            }
            return try DNNL.shared.makePD(&d, hint: hint, op: op)
        }

        var scratch: [Tensor] = []
        defer { withExtendedLifetime(scratch) {} }
        // dx = bwd_data(dy, w)
        let dx = Tensor(shape: inputGradient ? x.shape : [0], dtype: dt, zeroed: false)
        if inputGradient {
            let dyD = bwdData.desc(dnnl_query_diff_dst_md), wD = bwdData.desc(dnnl_query_weights_md), dxD = bwdData.desc(dnnl_query_diff_src_md)
            let dyA = try LayoutAdapter.input(key + "|bd-dy", plain: yPlain, dy.raw, want: dyD, scratch: &scratch)
            let wA = try LayoutAdapter.packedWeights(key + "|bd-w", weight, plain: wPlain, want: wD, scratch: &scratch)
            let dxA = LayoutAdapter.output(plain: xPlain, dx.raw, have: dxD, scratch: &scratch)
            try DNNL.shared.execute(bwdData, [(DNNLArg.diffDst, dyD, dyA), (DNNLArg.weights, wD, wA), (DNNLArg.diffSrc, dxD, dxA)], op: op)
            try LayoutAdapter.finish(key + "|bd-dx", plain: xPlain, dx.raw, have: dxD, from: dxA)
        }

        // dw (and db) = bwd_weights(x, dy)
        let dw = Tensor(shape: weight.shape, dtype: dt, zeroed: false)
        let db = withBias ? Tensor(shape: [geo.outChannels], dtype: dt, zeroed: false) : nil
        let xD = bwdWeights.desc(dnnl_query_src_md), dy2D = bwdWeights.desc(dnnl_query_diff_dst_md), dwD = bwdWeights.desc(dnnl_query_diff_weights_md)
        let xA = try LayoutAdapter.input(key + "|bw-x", plain: xPlain, x.raw, want: xD, scratch: &scratch)
        let dy2A = try LayoutAdapter.input(key + "|bw-dy", plain: yPlain, dy.raw, want: dy2D, scratch: &scratch)
        let dwA = LayoutAdapter.output(plain: wPlain, dw.raw, have: dwD, scratch: &scratch)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [(DNNLArg.src, xD, xA), (DNNLArg.diffDst, dy2D, dy2A), (DNNLArg.diffWeights, dwD, dwA)]
        if let db { args.append((DNNLArg.diffBias, try dnnlDesc([geo.outChannels], dt), db.raw)) }
        try DNNL.shared.execute(bwdWeights, args, op: op)
        try LayoutAdapter.finish(key + "|bw-dw", plain: wPlain, dw.raw, have: dwD, from: dwA)
        return (dx, dw, db)
    }
}

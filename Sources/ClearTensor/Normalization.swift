// Normalisation layers.
// Matches: torch.nn.functional.layer_norm over the last dim (oneDNN layer_normalization),
// group_norm (Swift kernels of ClearSIMD; oneDNN 2.6 has no group normalisation), and Wan's RMSNorm
// (x·rsqrt(mean(x²)+eps) in f32, cast to the input dtype, then ·weight).
import CDNNL
import ClearSIMD

extension Ops {
    /// LayerNorm over the last dimension with optional affine weight/bias ([C], any dtype).
    public static func layerNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) throws -> Tensor {
        guard let c = x.shape.last, c > 0 else { throw TensorError.invalidShape(op: "layerNorm", shape: x.shape, reason: "needs a non-empty last dimension") }
        for (name, t) in [("weight", weight), ("bias", bias)] { if let t, t.count != c {
            throw TensorError.shapeMismatch(op: "layerNorm", expected: [c], got: t.shape, hint: "\(name) must have one value per channel of x \(x.shape)")
        } }
        let rows = x.count / c
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        if rows == 0 { return out }
        var flags: UInt32 = 0
        if weight != nil { flags |= dnnl_use_scale.rawValue }
        if bias != nil { flags |= dnnl_use_shift.rawValue }
        let md = try dnnlDesc([rows, c], x.dtype)
        let key = "lnorm|\(rows)x\(c)|\(x.dtype)|\(flags)|\(eps)"
        let prim = try DNNL.shared.primitive(key, op: "layerNorm") { _ in
            var d = dnnl_layer_normalization_desc_t()
            var m = md
            try dnnlCheck(dnnl_layer_normalization_forward_desc_init(&d, dnnl_forward_inference, &m, nil, eps, flags), "layerNorm", "dnnl_layer_normalization_forward_desc_init")
            return try DNNL.shared.makePD(&d, op: "layerNorm")
        }
        let w = weight?.toF32(), b = bias?.toF32()
        defer { w?.keepAlive(); b?.keepAlive() }
        let cmd = try dnnlDesc([c], .f32)
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [(DNNLArg.src, md, x.raw), (DNNLArg.dst, md, out.raw)]
        if let w { args.append((DNNLArg.scale, cmd, w.raw)) }
        if let b { args.append((DNNLArg.shift, cmd, b.raw)) }
        try DNNL.shared.execute(prim, args, op: "layerNorm")
        return out
    }

    /// RMSNorm over the last dimension: (x·rsqrt(mean(x²)+eps)) rounded to x's dtype, times weight.
    public static func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Float = 1e-6) throws -> Tensor {
        guard let c = x.shape.last, c > 0 else { throw TensorError.invalidShape(op: "rmsNorm", shape: x.shape, reason: "needs a non-empty last dimension") }
        if let weight, weight.count != c {
            throw TensorError.shapeMismatch(op: "rmsNorm", expected: [c], got: weight.shape, hint: "weight must have one value per channel of x \(x.shape)")
        }
        let wf = weight?.toF32()
        defer { wf?.keepAlive() }
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        let isBF16 = x.dtype == .bf16
        let pw = wf.map { ElementPointer($0, split: isBF16) }
        let src = ElementPointer(x, split: isBF16), dst = ElementPointer(out, split: isBF16)
        let kernels = KernelDispatch.active
        parallelForDynamic(x.count / c, grain: max(1, 32768 / c)) { rows in
            kernels.rmsNormRows(src, dst, weight: pw, columns: c, eps: eps, roundBeforeWeight: isBF16, rows: rows)
        }
        return out
    }

    /// GroupNorm: x [N, C, spatial…], `groups` dividing C, optional weight/bias [C].
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) throws -> Tensor {
        guard x.rank >= 2 else { throw TensorError.invalidShape(op: "groupNorm", shape: x.shape, reason: "x must be [N, C, …]") }
        let n = x.shape[0], c = x.shape[1]
        guard groups >= 1, c % groups == 0 else {
            throw TensorError.invalidArgument(op: "groupNorm", reason: "channels \(c) of x \(x.shape) must be divisible by groups \(groups)")
        }
        for (name, t) in [("weight", weight), ("bias", bias)] { if let t, t.count != c {
            throw TensorError.shapeMismatch(op: "groupNorm", expected: [c], got: t.shape, hint: "\(name) must have one value per channel")
        } }
        let sp = x.count / max(n * c, 1), cg = c / groups, per = cg * sp
        let wf = weight?.toF32(), bf = bias?.toF32()
        defer { wf?.keepAlive(); bf?.keepAlive() }
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        let pw = wf.map { UnsafePointer($0.f32) }, pb = bf.map { UnsafePointer($0.f32) }
        let split = x.dtype == .bf16  // per-channel scalars only: lane order does not matter
        let src = ElementPointer(x, split: split), dst = ElementPointer(out, split: split)
        let kernels = KernelDispatch.active
        @inline(__always) func apply(_ nc: Int, mean: Float, inv: Float) {
            let ch = nc % c
            let a = inv * (pw?[ch] ?? 1), b = (pb?[ch] ?? 0) - mean * a
            kernels.scaleShift(src, dst, base: nc * sp, count: sp, scale: a, shift: b)
        }
        if n * groups >= 2 * ClearTensor.threadCount {
            // Enough groups to share out: each group's statistics, then its channels at once,
            // while the group (≤ a few hundred KB at the Wan VAE shapes) is still in this core's cache.
            parallelForDynamic(n * groups, grain: 1) { r in
                for ng in r {
                    let s = kernels.meanInvStd(src, base: ng * per, count: per, eps: eps)
                    let first = (ng / groups) * c + (ng % groups) * cg
                    for nc in first..<(first + cg) { apply(nc, mean: s.mean, inv: s.invStd) }
                }
            }
            return out
        }
        var stats = [Float](repeating: 0, count: 2 * n * groups)
        stats.withUnsafeMutableBufferPointer { st in
            let stp = st.baseAddress!
            parallelForDynamic(n * groups, grain: 1) { r in
                for ng in r {
                    let s = kernels.meanInvStd(src, base: ng * per, count: per, eps: eps)
                    stp[2 * ng] = s.mean
                    stp[2 * ng + 1] = s.invStd
                }
            }
            parallelForDynamic(n * c, grain: max(1, 16384 / max(sp, 1))) { r in
                for nc in r {
                    let ng = (nc / c) * groups + (nc % c) / cg
                    apply(nc, mean: stp[2 * ng], inv: stp[2 * ng + 1])
                }
            }
        }
        return out
    }
}

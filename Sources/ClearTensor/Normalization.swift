// Normalisation layers.
// Matches: torch.nn.functional.layer_norm over the last dim (oneDNN layer_normalization),
// group_norm (Swift; oneDNN 2.6 has no group normalisation), and Wan's RMSNorm
// (x·rsqrt(mean(x²)+eps) in f32, cast to the input dtype, then ·weight).
import CDNNL

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
        let pw = wf.map { UnsafePointer($0.f32) }
        let isBF16 = x.dtype == .bf16
        parallelFor(x.count / c, minChunk: max(1, 8192 / c)) { rows in
            // bf16 rows are widened into a per-chunk f32 row buffer, so no full-size temporaries.
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: isBF16 ? c : 0)
            defer { buf.deallocate() }
            for r in rows {
                let src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>
                if isBF16 {
                    BF16.convert(UnsafePointer(x.bf16 + r * c), buf, count: c)
                    src = UnsafePointer(buf); dst = buf
                } else {
                    src = UnsafePointer(x.f32 + r * c); dst = out.f32 + r * c
                }
                let ms = simdSumSqDev(src, c, mean: 0) / Double(c)
                let inv = Float(1.0 / (ms + Double(eps)).squareRoot())
                simdAffine(src, dst, c, a: inv, b: 0)
                if isBF16 {  // cast back to the input dtype before the weight, as the reference does
                    BF16.convert(UnsafePointer(dst), out.bf16 + r * c, count: c)
                    guard let pw else { continue }
                    BF16.convert(UnsafePointer(out.bf16 + r * c), dst, count: c)
                    simdMul(UnsafePointer(dst), pw, dst, c)
                    BF16.convert(UnsafePointer(dst), out.bf16 + r * c, count: c)
                } else if let pw {
                    simdMul(UnsafePointer(dst), pw, dst, c)
                }
            }
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
        // Statistics per (n, group) in two passes (mean, then squared deviations); bf16 data is
        // widened chunk by chunk, so no full-size f32 temporaries are made.
        var stats = [Float](repeating: 0, count: 2 * n * groups)
        stats.withUnsafeMutableBufferPointer { st in
            let s = st.baseAddress!
            parallelFor(n * groups) { r in
                for ng in r {
                    var total = 0.0
                    forEachF32Chunk(x, from: ng * per, count: per) { p, k in total += simdSum(p, k) }
                    let mean = Float(total / Double(max(per, 1)))
                    var dev = 0.0
                    forEachF32Chunk(x, from: ng * per, count: per) { p, k in dev += simdSumSqDev(p, k, mean: mean) }
                    s[2 * ng] = mean; s[2 * ng + 1] = Float(1.0 / (dev / Double(max(per, 1)) + Double(eps)).squareRoot())
                }
            }
            parallelFor(n * c, minChunk: max(1, 16384 / max(sp, 1))) { r in
                for nc in r {
                    let ch = nc % c, ng = (nc / c) * groups + ch / cg
                    let inv = s[2 * ng + 1], mean = s[2 * ng]
                    let a = inv * (pw?[ch] ?? 1), b = (pb?[ch] ?? 0) - mean * a
                    var off = nc * sp
                    forEachF32Chunk(x, from: nc * sp, count: sp) { p, k in
                        if x.dtype == .f32 { simdAffine(p, out.f32 + off, k, a: a, b: b) } else {
                            let tmp = UnsafeMutablePointer(mutating: p)  // the chunk buffer is ours to overwrite
                            simdAffine(p, tmp, k, a: a, b: b)
                            BF16.convert(UnsafePointer(tmp), out.bf16 + off, count: k)
                        }
                        off += k
                    }
                }
            }
        }
        return out
    }
}

/// Calls `body` on consecutive f32 views of x's elements [from, from+count): directly for f32
/// tensors, through a 4096-element scratch buffer (widened from bf16) otherwise.
func forEachF32Chunk(_ x: Tensor, from: Int, count: Int, _ body: (UnsafePointer<Float>, Int) -> Void) {
    if x.dtype == .f32 { body(UnsafePointer(x.f32 + from), count); return }
    let chunk = 4096
    let buf = UnsafeMutablePointer<Float>.allocate(capacity: chunk)
    defer { buf.deallocate() }
    var i = 0
    while i < count {
        let k = min(chunk, count - i)
        BF16.convert(UnsafePointer(x.bf16 + from + i), buf, count: k)
        body(UnsafePointer(buf), k)
        i += k
    }
}


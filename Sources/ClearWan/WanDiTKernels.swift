// Row-broadcast helpers of the Wan DiT block, fused so no [N, dim] temporaries are made per term.
// Matches: DiffSynth 1.1.9 `diffsynth.models.wan_video_dit.modulate` (x·(1 + scale) + shift) and
// `GateModule.forward` (x + gate·residual), with shift/scale/gate broadcast over tokens. Computed in f32;
// for bf16 tensors every intermediate the reference materialises in bf16 is rounded the same way
// (1 + scale, the product, the sum; gate·residual, the sum).
import ClearTensor

enum WanDiTKernels {
    /// x [N, D] · (1 + scale) + shift, scale and shift [D].
    static func modulate(_ x: Tensor, shift: [Float], scale: [Float]) throws -> Tensor {
        guard x.rank == 2, shift.count == x.shape[1], scale.count == x.shape[1] else {
            throw WanDiTError.shapeMismatch("modulate: x \(x.shape), shift \(shift.count), scale \(scale.count)")
        }
        let bf = x.dtype == .bf16
        let onePlus = scale.map { bf ? BF16.round(1 + $0) : 1 + $0 }
        return try rowwise(x, nil) { xr, _, out, d in
            onePlus.withUnsafeBufferPointer { s in shift.withUnsafeBufferPointer { b in
                if bf {
                    for j in 0..<d { out[j] = BF16.round(xr[j] * s[j]) + b[j] }
                } else {
                    for j in 0..<d { out[j] = xr[j] * s[j] + b[j] }
                }
            } }
        }
    }

    /// x + gate ⊙ r (gate [D], broadcast over rows; nil gate = plain residual add).
    static func gatedAdd(_ x: Tensor, gate: [Float]?, _ r: Tensor) throws -> Tensor {
        guard x.rank == 2, r.shape == x.shape, gate.map({ $0.count == x.shape[1] }) ?? true else {
            throw WanDiTError.shapeMismatch("gated residual: x \(x.shape), residual \(r.shape), gate \(gate?.count ?? 0)")
        }
        let bf = x.dtype == .bf16
        return try rowwise(x, r) { xr, rr, out, d in
            let rr = rr!
            if let gate {
                gate.withUnsafeBufferPointer { g in
                    if bf {
                        for j in 0..<d { out[j] = xr[j] + BF16.round(g[j] * rr[j]) }
                    } else {
                        for j in 0..<d { out[j] = xr[j] + g[j] * rr[j] }
                    }
                }
            } else {
                for j in 0..<d { out[j] = xr[j] + rr[j] }
            }
        }
    }

    /// Applies `body(xRow, rRow, outRow, D)` to every row in f32, writing a tensor of x's dtype.
    private static func rowwise(_ x: Tensor, _ r: Tensor?,
                                _ body: @escaping (UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int) -> Void) throws -> Tensor {
        let n = x.shape[0], d = x.shape[1]
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        let bf = x.dtype == .bf16
        let rf = r.map { $0.dtype == x.dtype ? $0 : $0.to(x.dtype) }
        defer { rf?.keepAlive() }
        parallelFor(n, minChunk: max(1, 4096 / max(d, 1))) { rows in
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: bf ? 3 * d : 0)
            defer { buf.deallocate() }
            for i in rows {
                if bf {
                    BF16.convert(UnsafePointer(x.bf16 + i * d), buf, count: d)
                    if let rf { BF16.convert(UnsafePointer(rf.bf16 + i * d), buf + d, count: d) }
                    body(UnsafePointer(buf), rf == nil ? nil : UnsafePointer(buf + d), buf + 2 * d, d)
                    BF16.convert(UnsafePointer(buf + 2 * d), out.bf16 + i * d, count: d)
                } else {
                    body(UnsafePointer(x.f32 + i * d), rf.map { UnsafePointer($0.f32 + i * d) }, out.f32 + i * d, d)
                }
            }
        }
        return out
    }
}

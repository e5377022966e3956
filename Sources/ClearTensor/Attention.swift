// Fused scaled-dot-product attention, flash style: keys/values are processed in tiles with an
// online softmax, so memory is O(blockQ·blockK) per call and the N×N score matrix never exists.
// Tiles: S = scale·Q_blk·K_blkᵀ (oneDNN matmul, f32 out, scale as output scale), online softmax
// in Swift (row max, exp, row sum, rescale of the accumulator), O_acc += P·V_blk (oneDNN matmul
// with a sum post-op). bf16 q/k/v are allowed; P is rounded to the dtype of V; accumulation is f32.
// Matches: torch.nn.functional.scaled_dot_product_attention (no mask, no dropout) on q/k/v laid
// out as [B, N, heads, headDim] (the layout Wan's linears produce), output in the same layout.
import CDNNL
import Foundation

public enum AttentionConfig {
    nonisolated(unsafe) public static var blockQ = 1024
    nonisolated(unsafe) public static var blockK = 1024
}

extension Ops {
    /// q [B, Nq, H, D], k and v [B, Nk, H, D] -> [B, Nq, H, D]. `scale` defaults to 1/√D.
    public static func attention(q: Tensor, k: Tensor, v: Tensor, scale: Float? = nil, outDType: DType? = nil,
                                 blockQ: Int? = nil, blockK: Int? = nil) throws -> Tensor {
        let op = "attention"
        guard q.rank == 4, k.rank == 4, v.rank == 4 else {
            throw TensorError.invalidShape(op: op, shape: q.rank != 4 ? q.shape : (k.rank != 4 ? k.shape : v.shape), reason: "q, k, v must be [B, N, heads, headDim]")
        }
        let (b, nq, h, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let nk = k.shape[1]
        guard k.shape == v.shape, k.shape[0] == b, k.shape[2] == h, k.shape[3] == d else {
            throw TensorError.shapeMismatch(op: op, expected: [b, nk, h, d], got: k.shape == v.shape ? k.shape : v.shape,
                                            hint: "k and v must be [B, Nk, heads, headDim] matching q \(q.shape)")
        }
        guard q.dtype == k.dtype, k.dtype == v.dtype else {
            throw TensorError.unsupportedDType(op: op, dtype: k.dtype, hint: "q, k and v must share a dtype (q is \(q.dtype))")
        }
        guard nk >= 1, d >= 1 else { throw TensorError.invalidShape(op: op, shape: k.shape, reason: "needs at least one key and headDim ≥ 1") }
        let out = Tensor(shape: q.shape, dtype: outDType ?? q.dtype, zeroed: false)
        let bq = max(1, min(blockQ ?? AttentionConfig.blockQ, nq)), bk = max(1, min(blockK ?? AttentionConfig.blockK, nk))
        let sc = scale ?? 1 / Float(d).squareRoot()
        let dt = q.dtype, es = dt.size, rowStride = h * d

        // Tile buffers, reused for every (batch, head, query block).
        let sBuf = Tensor(shape: [bq, bk], dtype: .f32, zeroed: false)
        let pBuf = Tensor(shape: [bq, bk], dtype: dt, zeroed: false)
        let oAcc = Tensor(shape: [bq, d], dtype: .f32, zeroed: false)
        var stats = [Float](repeating: 0, count: 2 * bq)  // running max (unscaled), running sum

        var plans: [String: (MatmulPlan, MatmulPlan)] = [:]
        func tilePlans(_ mq: Int, _ mk: Int) throws -> (MatmulPlan, MatmulPlan) {
            let key = "\(mq)x\(mk)"
            if let p = plans[key] { return p }
            let qk = try MatmulPlan(a: [mq, d], aStrides: [rowStride, 1], aType: dt, b: [d, mk], bStrides: [1, rowStride], bType: dt,
                                    c: [mq, mk], cStrides: [bk, 1], cType: .f32, outputScale: sc)
            let pv = try MatmulPlan(a: [mq, mk], aStrides: [bk, 1], aType: dt, b: [mk, d], bStrides: [rowStride, 1], bType: dt,
                                    c: [mq, d], cStrides: [d, 1], cType: .f32, accumulate: true)
            plans[key] = (qk, pv)
            return (qk, pv)
        }

        try stats.withUnsafeMutableBufferPointer { st in
            let rmax = st.baseAddress!, rsum = st.baseAddress! + bq
            for bi in 0..<b { for hi in 0..<h {
                let headOff = (bi * nq * h + hi) * d, kvOff = (bi * nk * h + hi) * d
                var q0 = 0
                while q0 < nq {
                    let mq = min(bq, nq - q0)
                    for i in 0..<mq { rmax[i] = -.infinity; rsum[i] = 0 }
                    memset(oAcc.raw, 0, mq * d * 4)
                    let qPtr = q.raw + (headOff + q0 * rowStride) * es
                    var k0 = 0
                    while k0 < nk {
                        let mk = min(bk, nk - k0)
                        let (qk, pv) = try tilePlans(mq, mk)
                        try qk.run(qPtr, k.raw + (kvOff + k0 * rowStride) * es, sBuf.raw)
                        onlineSoftmaxStep(s: sBuf.f32, p: pBuf.raw, pType: dt, ld: bk, rows: mq, cols: mk,
                                          rowMax: rmax, rowSum: rsum, acc: oAcc.f32, d: d)
                        try pv.run(pBuf.raw, v.raw + (kvOff + k0 * rowStride) * es, oAcc.raw)
                        k0 += mk
                    }
                    finishRows(acc: oAcc.f32, rowSum: rsum, rows: mq, d: d, out: out.raw + (headOff + q0 * rowStride) * out.dtype.size,
                               outType: out.dtype, rowStride: rowStride)
                    q0 += mq
                }
            } }
        }
        return out
    }
}

/// One key tile of the online softmax. S holds scale·q·kᵀ; for each row: new max m', factor
/// α = exp(m − m'), P = exp(S − m') (stored in pType), sum = α·sum + ΣP, acc *= α.
func onlineSoftmaxStep(s: UnsafeMutablePointer<Float>, p: UnsafeMutableRawPointer, pType: DType, ld: Int, rows: Int, cols: Int,
                       rowMax: UnsafeMutablePointer<Float>, rowSum: UnsafeMutablePointer<Float>,
                       acc: UnsafeMutablePointer<Float>, d: Int) {
    parallelFor(rows, minChunk: 8) { range in
        for r in range {
            let srow = s + r * ld
            let raw = UnsafeRawPointer(srow)
            var vmax = SIMD16<Float>(repeating: -.infinity)
            var j = 0
            while j + 16 <= cols { vmax = pointwiseMax(vmax, raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)); j += 16 }
            var m = vmax.max()
            while j < cols { m = max(m, srow[j]); j += 1 }
            let mOld = rowMax[r]
            let mNew = max(mOld, m)
            let alpha = mOld == -.infinity ? 0 : scalarExp(mOld - mNew)
            rowMax[r] = mNew
            let vm = SIMD16<Float>(repeating: mNew)
            var vsum = SIMD16<Float>()
            var sum: Float = 0
            j = 0
            if pType == .f32 {
                let prow = (p + r * ld * 4)
                while j + 16 <= cols {
                    let e = simdExp(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - vm)
                    vsum += e
                    prow.storeBytes(of: e, toByteOffset: j * 4, as: SIMD16<Float>.self)
                    j += 16
                }
                let pr = prow.assumingMemoryBound(to: Float.self)
                while j < cols { let e = scalarExp(srow[j] - mNew); sum += e; pr[j] = e; j += 1 }
            } else {
                // bf16 P: the sum uses the rounded values so that P·V and the normaliser agree.
                let prow = (p + r * ld * 2)
                let round = SIMD16<UInt32>(repeating: 0x7FFF)
                while j + 16 <= cols {
                    let e = simdExp(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - vm)
                    let bits = unsafeBitCast(e, to: SIMD16<UInt32>.self)
                    let hiBits = (bits &+ (round &+ ((bits &>> 16) & 1))) &>> 16  // RNE; e is finite and ≥ 0
                    vsum += unsafeBitCast(hiBits &<< 16, to: SIMD16<Float>.self)
                    prow.storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: hiBits), toByteOffset: j * 2, as: SIMD16<UInt16>.self)
                    j += 16
                }
                let pr = prow.assumingMemoryBound(to: UInt16.self)
                while j < cols { let e = BF16.fromFloat(scalarExp(srow[j] - mNew)); sum += BF16.toFloat(e); pr[j] = e; j += 1 }
            }
            rowSum[r] = rowSum[r] * alpha + vsum.sum() + sum
            if alpha != 1 { simdAffine(acc + r * d, acc + r * d, d, a: alpha, b: 0) }
        }
    }
}

/// out row = acc row / sum, written with the output's row stride and dtype.
func finishRows(acc: UnsafeMutablePointer<Float>, rowSum: UnsafeMutablePointer<Float>, rows: Int, d: Int,
                out: UnsafeMutableRawPointer, outType: DType, rowStride: Int) {
    parallelFor(rows, minChunk: 64) { range in
        for r in range {
            let inv = 1 / rowSum[r]
            let a = acc + r * d
            simdAffine(a, a, d, a: inv, b: 0)
            if outType == .f32 {
                (out + r * rowStride * 4).assumingMemoryBound(to: Float.self).update(from: a, count: d)
            } else {
                BF16.convert(UnsafePointer(a), (out + r * rowStride * 2).assumingMemoryBound(to: UInt16.self), count: d)
            }
        }
    }
}

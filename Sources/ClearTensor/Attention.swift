// Fused scaled-dot-product attention, flash style: keys/values are processed in tiles with an
// online softmax, so memory is O(blockQ·blockK) per call and the N×N score matrix never exists.
// Tiles: S = scale·Q_blk·K_blkᵀ (oneDNN matmul, f32 out, scale as output scale); row max (oneDNN
// reduction); P = exp(S − m) (oneDNN binary + exp post-op); row sum (oneDNN reduction); the
// running max/sum and accumulator rescale in Swift; O_acc += P·V_blk (oneDNN matmul, sum post-op). bf16 q/k/v are allowed; P is rounded to the dtype of V; accumulation is f32.
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

        // One parallel region over (batch, head, query block) work items; inside it every worker runs
        // its own tile loop with single-threaded oneDNN calls on a private stream and private tile
        // buffers. (A parallel region per tile would pay a barrier per tile, which costs dearly on
        // a busy machine.)
        let blocksPerHead = (nq + bq - 1) / bq
        let items = b * h * blocksPerHead
        let planCache = AttentionPlanCache(d: d, rowStride: rowStride, dtype: dt, scale: sc)
        // Build the plans for the tile shapes that occur up front (primitive creation is not free).
        for mq in Set([bq, nq - (blocksPerHead - 1) * bq]) { for mk in Set([bk, nk - ((nk + bk - 1) / bk - 1) * bk]) {
            _ = try planCache.plans(mq, mk)
        } }
        let failure = ErrorBox()
        parallelFor(items) { range in
            do {
                let stream = try DNNLStream()
                let tile = AttentionTileBuffers(bq: bq, bk: bk, d: d, dtype: dt)
                for item in range {
                    let qb = item % blocksPerHead, hi = (item / blocksPerHead) % h, bi = item / (blocksPerHead * h)
                    let q0 = qb * bq, mq = min(bq, nq - q0)
                    let qOff = (bi * nq * h + hi) * d + q0 * rowStride, kvOff = (bi * nk * h + hi) * d
                    try attentionQueryBlock(q: q.raw + qOff * es, k: k.raw + kvOff * es, v: v.raw + kvOff * es, nk: nk, mq: mq, bk: bk,
                                            d: d, rowStride: rowStride, plans: planCache, tile: tile, stream: stream,
                                            out: out.raw + qOff * out.dtype.size, outType: out.dtype)
                }
            } catch { failure.set(error) }
        }
        if let e = failure.error { throw e }
        return out
    }
}

/// The oneDNN primitives of one (mq × mk) tile: S = scale·Q·Kᵀ (f32), row max of S,
/// P = exp(S − rowMax) (binary sub with an exp post-op, written in the dtype of V), row sum of P,
/// and O += P·V.
struct AttentionTilePlans {
    let qk: MatmulPlan, pv: MatmulPlan
    /// nil for single-key tiles (mk = 1), where the row statistic is the value itself.
    let rowMax: DNNLPrimitive?, rowSum: DNNLPrimitive?
    let expShifted: DNNLPrimitive
    let sDesc: dnnl_memory_desc_t, pDesc: dnnl_memory_desc_t, statDesc: dnnl_memory_desc_t

    init(mq: Int, mk: Int, d: Int, rowStride: Int, dtype dt: DType, scale: Float) throws {
        let op = "attention"
        qk = try MatmulPlan(a: [mq, d], aStrides: [rowStride, 1], aType: dt, b: [d, mk], bStrides: [1, rowStride], bType: dt,
                            c: [mq, mk], cStrides: [mk, 1], cType: .f32, outputScale: scale)
        pv = try MatmulPlan(a: [mq, mk], aStrides: [mk, 1], aType: dt, b: [mk, d], bStrides: [rowStride, 1], bType: dt,
                            c: [mq, d], cStrides: [d, 1], cType: .f32, accumulate: true)
        // 3-D views [1, rows, cols] so the per-row statistic is a per-channel broadcast for oneDNN.
        let s = try dnnlDesc([1, mq, mk], .f32), p = try dnnlDesc([1, mq, mk], dt), st = try dnnlDesc([1, mq, 1], .f32)
        sDesc = s; pDesc = p; statDesc = st
        func reduction(_ alg: dnnl_alg_kind_t, _ src: dnnl_memory_desc_t, _ name: String) throws -> DNNLPrimitive {
            try DNNL.shared.primitive("attn-\(name)|\(mq)x\(mk)|\(dt)", op: op) { _ in
                var d = dnnl_reduction_desc_t(), a = src, b = st
                try dnnlCheck(dnnl_reduction_desc_init(&d, alg, &a, &b, 0, 0), op, "dnnl_reduction_desc_init")
                return try DNNL.shared.makePD(&d, op: op)
            }
        }
        rowMax = mk == 1 ? nil : try reduction(dnnl_reduction_max, s, "max")
        rowSum = mk == 1 ? nil : try reduction(dnnl_reduction_sum, p, "sum")
        expShifted = try DNNL.shared.primitive("attn-exp|\(mq)x\(mk)|\(dt)", op: op) { _ in
            var d = dnnl_binary_desc_t(), a = s, b = st, c = s
            try dnnlCheck(dnnl_binary_desc_init(&d, dnnl_binary_sub, &a, &b, &c), op, "dnnl_binary_desc_init")
            var attr: dnnl_primitive_attr_t?, ops: dnnl_post_ops_t?
            try dnnlCheck(dnnl_primitive_attr_create(&attr), op, "dnnl_primitive_attr_create")
            defer { dnnl_primitive_attr_destroy(attr) }
            try dnnlCheck(dnnl_post_ops_create(&ops), op, "dnnl_post_ops_create")
            defer { dnnl_post_ops_destroy(ops) }
            try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_exp, 0, 0), op, "dnnl_post_ops_append_eltwise")
            try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, ops), op, "dnnl_primitive_attr_set_post_ops")
            return try DNNL.shared.makePD(&d, attr: attr, op: op)
        }
    }
}

/// Tile plans by tile shape, shared by the workers (creation is serialised by a lock).
final class AttentionPlanCache: @unchecked Sendable {  // mutable state guarded by `lock`
    let d: Int, rowStride: Int, dtype: DType, scale: Float
    private let lock = NSLock()
    private var plans: [Int: AttentionTilePlans] = [:]
    init(d: Int, rowStride: Int, dtype: DType, scale: Float) { self.d = d; self.rowStride = rowStride; self.dtype = dtype; self.scale = scale }
    func plans(_ mq: Int, _ mk: Int) throws -> AttentionTilePlans {
        lock.lock(); defer { lock.unlock() }
        let key = mq << 32 | mk
        if let p = plans[key] { return p }
        let p = try AttentionTilePlans(mq: mq, mk: mk, d: d, rowStride: rowStride, dtype: dtype, scale: scale)
        plans[key] = p
        return p
    }
}

/// A worker's private tile buffers (counted by TensorMemory): O(bq·bk + bq·d).
struct AttentionTileBuffers {
    let s: Tensor, p: Tensor, acc: Tensor, rowMax: Tensor, rowSum: Tensor, tileMax: Tensor, tileSum: Tensor
    init(bq: Int, bk: Int, d: Int, dtype: DType) {
        s = Tensor(shape: [bq * bk], dtype: .f32, zeroed: false)
        p = Tensor(shape: [dtype == .bf16 ? bq * bk : 0], dtype: dtype, zeroed: false)
        acc = Tensor(shape: [bq, d], dtype: .f32, zeroed: false)
        rowMax = Tensor(shape: [bq], dtype: .f32, zeroed: false); rowSum = Tensor(shape: [bq], dtype: .f32, zeroed: false)
        tileMax = Tensor(shape: [bq], dtype: .f32, zeroed: false); tileSum = Tensor(shape: [bq], dtype: .f32, zeroed: false)
    }
}

/// Records the first error thrown inside a parallel region.
final class ErrorBox: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
    func set(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
}

/// The flash loop of one query block (mq rows of one head) over all keys, on the caller's thread.
func attentionQueryBlock(q: UnsafeMutableRawPointer, k: UnsafeMutableRawPointer, v: UnsafeMutableRawPointer, nk: Int, mq: Int, bk: Int,
                         d: Int, rowStride: Int, plans: AttentionPlanCache, tile: AttentionTileBuffers, stream: DNNLStream,
                         out: UnsafeMutableRawPointer, outType: DType) throws {
    let op = "attention", dt = plans.dtype, es = dt.size
    let rowMax = tile.rowMax.f32, rowSum = tile.rowSum.f32, acc = tile.acc.f32
    for i in 0..<mq { rowMax[i] = -.infinity; rowSum[i] = 0 }
    memset(acc, 0, mq * d * 4)
    var k0 = 0
    while k0 < nk {
        let mk = min(bk, nk - k0)
        let tp = try plans.plans(mq, mk)
        let sRaw = tile.s.raw
        try tp.qk.run(q, k + k0 * rowStride * es, sRaw, stream: stream)
        if let rm = tp.rowMax {
            try DNNL.shared.execute(rm, [(DNNLArg.src, tp.sDesc, sRaw), (DNNLArg.dst, tp.statDesc, tile.tileMax.raw)], op: op, stream: stream)
        } else {
            memcpy(tile.tileMax.raw, sRaw, mq * 4)
        }
        rescaleRunningMax(rowMax: rowMax, tileMax: tile.tileMax.f32, rowSum: rowSum, acc: acc, rows: mq, d: d)
        // exp in place in f32 (oneDNN's JIT binary needs equal src/dst types), then round to P's dtype.
        try DNNL.shared.execute(tp.expShifted, [(DNNLArg.src, tp.sDesc, sRaw), (DNNLArg.src1, tp.statDesc, tile.rowMax.raw),
                                                (DNNLArg.dst, tp.sDesc, sRaw)], op: op, stream: stream)
        var pRaw = sRaw
        if dt == .bf16 {
            pRaw = tile.p.raw
            try DNNL.shared.reorder(key: "attn-p|\(mq)x\(mk)", from: tp.sDesc, sRaw, to: tp.pDesc, pRaw, stream: stream)
        }
        if let rs = tp.rowSum {
            try DNNL.shared.execute(rs, [(DNNLArg.src, tp.pDesc, pRaw), (DNNLArg.dst, tp.statDesc, tile.tileSum.raw)], op: op, stream: stream)
        } else {
            try DNNL.shared.reorder(key: "attn-sum1|\(mq)|\(dt)", from: tp.pDesc, pRaw, to: tp.statDesc, tile.tileSum.raw, stream: stream)
        }
        let ts = tile.tileSum.f32
        for i in 0..<mq { rowSum[i] += ts[i] }
        try tp.pv.run(pRaw, v + k0 * rowStride * es, tile.acc.raw, stream: stream)
        k0 += mk
    }
    for r in 0..<mq {
        let a = acc + r * d
        simdAffine(a, a, d, a: 1 / rowSum[r], b: 0)
        if outType == .f32 {
            (out + r * rowStride * 4).assumingMemoryBound(to: Float.self).update(from: a, count: d)
        } else {
            BF16.convert(UnsafePointer(a), (out + r * rowStride * 2).assumingMemoryBound(to: UInt16.self), count: d)
        }
    }
}

/// Online-softmax bookkeeping for one key tile: m' = max(m, tileMax); α = exp(m − m');
/// sum *= α; acc rows *= α; m = m'.
@discardableResult
func rescaleRunningMax(rowMax: UnsafeMutablePointer<Float>, tileMax: UnsafePointer<Float>, rowSum: UnsafeMutablePointer<Float>,
                       acc: UnsafeMutablePointer<Float>, rows: Int, d: Int) -> Int {
    var rescaled = 0
    for r in 0..<rows {
        let mOld = rowMax[r], mNew = max(mOld, tileMax[r])
        if mNew == mOld { continue }
        rowMax[r] = mNew
        if mOld == -.infinity { continue }
        let alpha = Float(exp(Double(mOld - mNew)))
        rowSum[r] *= alpha
        simdAffine(acc + r * d, acc + r * d, d, a: alpha, b: 0)
        rescaled += 1
    }
    return rescaled
}

// Matrix multiplication and linear layers on the oneDNN matmul primitive.
// Matches: torch.matmul (batched, batch broadcast of size-1 batch), torch.nn.functional.linear
// (y = x·Wᵀ + b, W stored [out, in] as in PyTorch). bf16 inputs accumulate in f32 inside oneDNN.
import CDNNL

/// A cached oneDNN matmul on raw buffers: C[b] (=|+=) A[b]·B[b] (+ bias), with arbitrary element
/// strides for A, B and C (so transposed and strided tiles need no copy).
struct MatmulPlan {
    let prim: DNNLPrimitive
    let aDesc: dnnl_memory_desc_t, bDesc: dnnl_memory_desc_t, cDesc: dnnl_memory_desc_t
    let biasDesc: dnnl_memory_desc_t?

    /// dims are [batch, M, K], [batch, K, N], [batch, M, N] (batch may be 1 on one side).
    /// `accumulate`: C += A·B (oneDNN sum post-op) instead of C = A·B.
    init(a: [Int], aStrides: [Int], aType: DType, b: [Int], bStrides: [Int], bType: DType,
         c: [Int], cStrides: [Int], cType: DType, biasType: DType? = nil, accumulate: Bool = false, outputScale: Float? = nil) throws {
        let ad = try dnnlDesc(a, aType, strides: aStrides)
        let bd = try dnnlDesc(b, bType, strides: bStrides)
        let cd = try dnnlDesc(c, cType, strides: cStrides)
        var biasShape = [Int](repeating: 1, count: c.count); biasShape[c.count - 1] = c[c.count - 1]
        let bias = try biasType.map { try dnnlDesc(biasShape, $0) }
        let key = "matmul|\(a)\(aStrides)\(aType)|\(b)\(bStrides)\(bType)|\(c)\(cStrides)\(cType)|\(String(describing: biasType))|\(accumulate)|\(String(describing: outputScale))"
        prim = try DNNL.shared.primitive(key, op: "matmul") { _ in
            var desc = dnnl_matmul_desc_t()
            var a1 = ad, b1 = bd, c1 = cd
            if var bb = bias {
                try dnnlCheck(dnnl_matmul_desc_init(&desc, &a1, &b1, &bb, &c1), "matmul", "dnnl_matmul_desc_init")
            } else {
                try dnnlCheck(dnnl_matmul_desc_init(&desc, &a1, &b1, nil, &c1), "matmul", "dnnl_matmul_desc_init")
            }
            guard accumulate || outputScale != nil else { return try DNNL.shared.makePD(&desc, op: "matmul") }
            var attr: dnnl_primitive_attr_t?
            try dnnlCheck(dnnl_primitive_attr_create(&attr), "matmul", "dnnl_primitive_attr_create")
            defer { dnnl_primitive_attr_destroy(attr) }
            if var scale = outputScale {
                try dnnlCheck(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale), "matmul", "dnnl_primitive_attr_set_output_scales")
            }
            if accumulate {
                var ops: dnnl_post_ops_t?
                try dnnlCheck(dnnl_post_ops_create(&ops), "matmul", "dnnl_post_ops_create")
                defer { dnnl_post_ops_destroy(ops) }
                try dnnlCheck(dnnl_post_ops_append_sum(ops, 1.0), "matmul", "dnnl_post_ops_append_sum")
                try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, ops), "matmul", "dnnl_primitive_attr_set_post_ops")
            }
            return try DNNL.shared.makePD(&desc, attr: attr, op: "matmul")
        }
        aDesc = ad; bDesc = bd; cDesc = cd; biasDesc = bias
    }

    func run(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeMutableRawPointer, bias: UnsafeRawPointer? = nil,
             stream: DNNLStream? = nil) throws {
        var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [
            (DNNLArg.src, aDesc, UnsafeMutableRawPointer(mutating: a)),
            (DNNLArg.weights, bDesc, UnsafeMutableRawPointer(mutating: b)),
            (DNNLArg.dst, cDesc, c),
        ]
        if let bd = biasDesc, let bp = bias { args.append((DNNLArg.bias, bd, UnsafeMutableRawPointer(mutating: bp))) }
        try DNNL.shared.execute(prim, args, op: "matmul", stream: stream)
    }
}

public enum Ops {}

extension Ops {
    /// Batched matrix product. `a` is [..., M, K] ([..., K, M] when `transposeA`), `b` is
    /// [..., K, N] ([..., N, K] when `transposeB`); batch dims must be equal or absent/1 on one
    /// side. `bias` ([N]) is added to every row. Output dtype defaults to `a.dtype`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              bias: Tensor? = nil, outDType: DType? = nil) throws -> Tensor {
        let op = "matmul"
        guard a.rank >= 2, b.rank >= 2 else {
            throw TensorError.invalidShape(op: op, shape: a.rank < 2 ? a.shape : b.shape, reason: "matmul needs rank ≥ 2 operands")
        }
        guard a.dtype == b.dtype else {
            throw TensorError.unsupportedDType(op: op, dtype: b.dtype, hint: "both operands must have the same dtype (a is \(a.dtype)); convert with toF32()/toBF16()")
        }
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        guard k == k2 else {
            throw TensorError.shapeMismatch(op: op, expected: [k], got: [k2],
                                            hint: "inner dimensions differ: a \(a.shape) (transposeA \(transposeA)) · b \(b.shape) (transposeB \(transposeB))")
        }
        let aBatchShape = Array(a.shape.dropLast(2)), bBatchShape = Array(b.shape.dropLast(2))
        let ba = aBatchShape.reduce(1, *), bb = bBatchShape.reduce(1, *)
        guard ba == bb || ba == 1 || bb == 1 else {
            throw TensorError.shapeMismatch(op: op, expected: a.shape, got: b.shape, hint: "batch dimensions must match or one side must have batch 1")
        }
        let batchShape = ba >= bb ? aBatchShape : bBatchShape
        let batch = max(ba, bb)
        if let bias { guard bias.count == n else {
            throw TensorError.shapeMismatch(op: op, expected: [n], got: bias.shape, hint: "bias must have N = \(n) elements")
        } }
        let out = Tensor(shape: batchShape + [m, n], dtype: outDType ?? a.dtype, zeroed: false)
        // Fold a batched A against an unbatched B into one big 2-D product.
        let fold = bb == 1 && !transposeA
        let bM = fold ? m * ba : m, bBatch = fold ? 1 : batch
        let aStr = transposeA ? [ar * ac, 1, m] : [ar * ac, k, 1]
        let bStr = transposeB ? [br * bc, 1, k] : [br * bc, n, 1]
        let plan = try MatmulPlan(a: [fold ? 1 : ba, bM, k], aStrides: aStr, aType: a.dtype,
                                  b: [bb, k, n], bStrides: bStr, bType: b.dtype,
                                  c: [bBatch, bM, n], cStrides: [bM * n, n, 1], cType: out.dtype, biasType: bias?.dtype)
        try plan.run(a.raw, b.raw, out.raw, bias: bias?.raw)
        return out
    }

    /// PyTorch linear: x [..., in] · weight[out, in]ᵀ + bias[out] -> [..., out].
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.rank == 2, x.rank >= 1, x.shape.last == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: "linear", expected: [x.shape.last ?? 0], got: weight.shape,
                                            hint: "weight must be [out, in] with in = last dim of x \(x.shape)")
        }
        let x2 = try x.reshaped([-1, weight.shape[1]])
        let y = try matmul(x2, weight, transposeB: true, bias: bias)
        return try y.reshaped(Array(x.shape.dropLast()) + [weight.shape[0]])
    }
}

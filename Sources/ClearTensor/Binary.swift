// Broadcast elementwise binary ops written in Swift (the SIMD row kernel of the active kernel set,
// ClearSIMD, with in-register bf16 conversion; dynamically scheduled over rows, or over chunks of
// the flat tensor when both shapes are the same).
// Matches: torch broadcasting semantics for a + b, a * b, a - b (NumPy rules: align trailing
// dims, size-1 dims stretch). Computed in f32; the result is bf16 only if both inputs are bf16.
import ClearSIMD

public enum BinaryOp: Sendable { case add, sub, mul }

extension Ops {
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, .add) }
    public static func sub(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, .sub) }
    public static func mul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try binary(a, b, .mul) }

    /// Broadcast shape of two shapes (NumPy rules), or a shape-mismatch error naming both.
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String = "broadcast") throws -> [Int] {
        let r = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: r - a.count) + a, pb = [Int](repeating: 1, count: r - b.count) + b
        return try (0..<r).map { i in
            if pa[i] == pb[i] || pb[i] == 1 { return pa[i] }
            if pa[i] == 1 { return pb[i] }
            throw TensorError.shapeMismatch(op: op, expected: a, got: b, hint: "dimension \(i) (\(pa[i]) vs \(pb[i])) cannot broadcast; sizes must match or be 1")
        }
    }

    public static func binary(_ a: Tensor, _ b: Tensor, _ kind: BinaryOp) throws -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, op: "\(kind)")
        let outType: DType = (a.dtype == .bf16 && b.dtype == .bf16) ? .bf16 : .f32
        // Small bf16 operands (biases, modulation rows) are widened once; large ones row by row.
        let af = a.dtype == .bf16 && a.count <= 65536 ? a.toF32() : a
        let bf = b.dtype == .bf16 && b.count <= 65536 ? b.toF32() : b
        defer { af.keepAlive(); bf.keepAlive() }
        let out = Tensor(shape: shape, dtype: outType, zeroed: false)
        let r = shape.count
        // Element strides of each input in the output index space (0 where broadcast).
        func bstrides(_ s: [Int]) -> [Int] {
            let p = [Int](repeating: 1, count: r - s.count) + s
            let st = Tensor.contiguousStrides(p)
            return (0..<r).map { p[$0] == 1 && shape[$0] != 1 ? 0 : st[$0] }
        }
        let sa = bstrides(a.shape), sb = bstrides(b.shape)
        let inner = r == 0 ? 1 : shape[r - 1]
        let rows = inner == 0 ? 0 : out.count / inner
        let ia = r == 0 ? 0 : sa[r - 1], ib = r == 0 ? 0 : sb[r - 1]
        let split = af.dtype == .bf16 || bf.dtype == .bf16 || outType == .bf16
        let pa = ElementPointer(af, split: split), pb = ElementPointer(bf, split: split), po = ElementPointer(out, split: split)
        let kernels = KernelDispatch.active
        let kernel: BinaryKernel = kind == .add ? .add : kind == .sub ? .sub : .mul
        if a.shape == b.shape {
            // Nothing broadcasts: one flat run in chunks, whatever the last dimension (a per-pixel
            // RGB sum, [1, H, W, 3], would otherwise be H·W rows of three). The same result per
            // element: the kernel works elementwise.
            parallelForDynamic(out.count, grain: 32768) { range in
                kernels.binaryRow(kernel, pa, range.lowerBound, 1, pb, range.lowerBound, 1, po, range.lowerBound, range.count)
            }
            return out
        }
        parallelForDynamic(rows, grain: max(1, 32768 / max(inner, 1))) { range in
            var idx = [Int](repeating: 0, count: max(r - 1, 0))
            for rowIndex in range {
                // decompose the row index into outer indices
                var rem = rowIndex, oa = 0, ob = 0
                for d in stride(from: r - 2, through: 0, by: -1) {
                    idx[d] = rem % shape[d]; rem /= shape[d]
                    oa += idx[d] * sa[d]; ob += idx[d] * sb[d]
                }
                kernels.binaryRow(kernel, pa, oa, ia, pb, ob, ib, po, rowIndex * inner, inner)
            }
        }
        return out
    }
}

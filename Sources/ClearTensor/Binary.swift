// Broadcast elementwise binary ops written in Swift (SIMD inner loops, parallel over rows).
// Matches: torch broadcasting semantics for a + b, a * b, a - b (NumPy rules: align trailing
// dims, size-1 dims stretch). Computed in f32; the result is bf16 only if both inputs are bf16.

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
        parallelFor(rows, minChunk: max(1, 16384 / max(inner, 1))) { range in
            var idx = [Int](repeating: 0, count: max(r - 1, 0))
            // per-chunk f32 row buffers for bf16 operands and a bf16 output
            let bufA = UnsafeMutablePointer<Float>.allocate(capacity: af.dtype == .bf16 ? inner : 0)
            let bufB = UnsafeMutablePointer<Float>.allocate(capacity: bf.dtype == .bf16 ? inner : 0)
            let bufO = UnsafeMutablePointer<Float>.allocate(capacity: outType == .bf16 ? inner : 0)
            defer { bufA.deallocate(); bufB.deallocate(); bufO.deallocate() }
            func row(_ t: Tensor, _ off: Int, _ step: Int, _ buf: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
                if t.dtype == .f32 { return UnsafePointer(t.f32 + off) }
                BF16.convert(UnsafePointer(t.bf16 + off), buf, count: step == 1 ? inner : 1)
                return UnsafePointer(buf)
            }
            for rowIndex in range {
                // decompose the row index into outer indices
                var rem = rowIndex, oa = 0, ob = 0
                for d in stride(from: r - 2, through: 0, by: -1) {
                    idx[d] = rem % shape[d]; rem /= shape[d]
                    oa += idx[d] * sa[d]; ob += idx[d] * sb[d]
                }
                let o = outType == .f32 ? out.f32 + rowIndex * inner : bufO
                binaryRow(kind, row(af, oa, ia, bufA), ia, row(bf, ob, ib, bufB), ib, o, inner)
                if outType == .bf16 { BF16.convert(UnsafePointer(bufO), out.bf16 + rowIndex * inner, count: inner) }
            }
        }
        return out
    }
}

/// One output row: o[i] = a[i·ia] ∘ b[i·ib] with ia, ib ∈ {0, 1}.
@inline(__always)
func binaryRow(_ kind: BinaryOp, _ a: UnsafePointer<Float>, _ ia: Int, _ b: UnsafePointer<Float>, _ ib: Int,
               _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    @inline(__always) func f(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        switch kind { case .add: return x + y; case .sub: return x - y; case .mul: return x * y }
    }
    @inline(__always) func s(_ x: Float, _ y: Float) -> Float {
        switch kind { case .add: return x + y; case .sub: return x - y; case .mul: return x * y }
    }
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(o)
    let sa = SIMD16<Float>(repeating: a[0]), sb = SIMD16<Float>(repeating: b[0])
    while i + 16 <= n {
        let x = ia == 1 ? ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) : sa
        let y = ib == 1 ? rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) : sb
        ro.storeBytes(of: f(x, y), toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < n { o[i] = s(a[i * ia], b[i * ib]); i += 1 }
}

// SIMD helper of the attention kernel: an in-place affine map (the other Swift kernels use
// VectorMath.swift).

/// o[i] = p[i]·a + b.
@inline(__always)
func simdAffine(_ p: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int, a: Float, b: Float) {
    var i = 0
    let va = SIMD16<Float>(repeating: a), vb = SIMD16<Float>(repeating: b)
    let ri = UnsafeRawPointer(p), ro = UnsafeMutableRawPointer(o)
    while i + 16 <= n {
        ro.storeBytes(of: ri.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * va + vb, toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < n { o[i] = p[i] * a + b; i += 1 }
}

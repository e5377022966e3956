// SIMD helpers shared by the Swift-written ops: sums, sums of squared deviations, affine maps.

@inline(__always)
func simdSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var acc = SIMD16<Float>(), total = 0.0, i = 0
    let raw = UnsafeRawPointer(p)
    while i + 16 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
        if i & 4095 == 0 { total += Double(acc.sum()); acc = .init() }  // bound f32 rounding growth
    }
    total += Double(acc.sum())
    while i < n { total += Double(p[i]); i += 1 }
    return total
}

/// Σ (p[i] − mean)².
@inline(__always)
func simdSumSqDev(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
    var acc = SIMD16<Float>(), total = 0.0, i = 0
    let m = SIMD16<Float>(repeating: mean)
    let raw = UnsafeRawPointer(p)
    while i + 16 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
        acc += d * d
        i += 16
        if i & 4095 == 0 { total += Double(acc.sum()); acc = .init() }
    }
    total += Double(acc.sum())
    while i < n { let d = p[i] - mean; total += Double(d * d); i += 1 }
    return total
}

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

/// o[i] = a[i]·b[i].
@inline(__always)
func simdMul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(o)
    while i + 16 <= n {
        ro.storeBytes(of: ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self),
                      toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < n { o[i] = a[i] * b[i]; i += 1 }
}

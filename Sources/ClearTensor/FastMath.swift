// Vectorised exp for the attention softmax: Cody–Waite range reduction to r ∈ [−ln2/2, ln2/2],
// degree-6 polynomial, scale by 2ⁿ through the exponent bits. Relative error ≲ 2e-7 on
// [−87, 88]; inputs below −87.3 are clamped (result ≈ 1e-38, i.e. negligible in a softmax).
// Matches: Foundation exp to float32 rounding (checked in tests).

@inline(__always)
func simdExp(_ x0: SIMD16<Float>) -> SIMD16<Float> {
    let lo = SIMD16<Float>(repeating: -87.3), hi = SIMD16<Float>(repeating: 88.3)
    let x = x0.replacing(with: lo, where: x0 .< lo).replacing(with: hi, where: x0 .> hi)
    let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
    let t = x * 1.442_695_04 + magic
    let n = t - magic
    let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6
    var p = r * (1.0 / 720) + (1.0 / 120)
    p = p * r + (1.0 / 24)
    p = p * r + (1.0 / 6)
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let ni = unsafeBitCast(t, to: SIMD16<UInt32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: SIMD16<Float>.self)
    return p * scale
}

@inline(__always)
func scalarExp(_ x: Float) -> Float { simdExp(SIMD16<Float>(repeating: x))[0] }

// Element types and the float32 <-> bfloat16 conversion.
// Matches: PyTorch `tensor.to(torch.bfloat16)` (round-to-nearest-even on the top 16 bits of the
// IEEE-754 float32, NaN kept NaN) and `.float()` (exact widening).

public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case f32
    case bf16

    /// Bytes per element.
    public var size: Int { self == .f32 ? 4 : 2 }
    public var description: String { rawValue }
}

/// Scalar conversions between Float and the raw bf16 bit pattern (UInt16).
public enum BF16 {
    /// float32 -> bf16 with round-to-nearest-even; NaN stays a (quiet) NaN, ±Inf stay ±Inf.
    @inline(__always)
    public static func fromFloat(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        if (bits & 0x7FFF_FFFF) > 0x7F80_0000 {  // NaN: keep sign and force a quiet payload
            return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        }
        let rounding: UInt32 = 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// bf16 -> float32 (exact).
    @inline(__always)
    public static func toFloat(_ h: UInt16) -> Float {
        Float(bitPattern: UInt32(h) << 16)
    }

    /// Rounds a float to the nearest bf16 value and back (what a bf16 round trip gives).
    @inline(__always)
    public static func round(_ f: Float) -> Float { toFloat(fromFloat(f)) }

    /// Vectorised bulk conversion float32 -> bf16 (the active kernel set's, KernelDispatch).
    public static func convert(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        KernelDispatch.active.toBF16(src, dst, count: count)
    }

    /// Vectorised bulk conversion bf16 -> float32.
    public static func convert(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<UInt16>.self)
            let w = SIMD16<UInt32>(truncatingIfNeeded: v) &<< 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: w, as: SIMD16<UInt32>.self)
            i += 16
        }
        while i < count { dst[i] = toFloat(src[i]); i += 1 }
    }
}

// SIMD building blocks of the memory-bound Swift kernels: 16-lane f32 exp / sigmoid and bf16 <-> f32
// loads and stores inside the vector loop (no row buffers); @inlinable, for the kernels of
// PortableKernels.swift and for ClearTensor's own SIMD loops (RoPE, resize).
// Matches: exp — Cephes `expf` (range reduction by ln 2 split in two constants, degree-5
// polynomial; ≤ 2 ulp on [-87, 88]); bf16 — PyTorch's round-to-nearest-even (ClearTensor DType.swift).
// Written with only the SSE2 baseline in mind (no `rounded()`, which would be a libcall per lane):
// rounding uses the 1.5·2²³ magic-number trick and 2ⁿ is built from the exponent bits; clamping
// and max use compare + `replace` (the stdlib's `clamped` / `pointwiseMax` compile to per-lane
// code, ~60× slower).
import Foundation

public typealias Vec16 = SIMD16<Float>

public enum VMath {
    /// e^x per lane; x is clamped to [-87.3, 88.3] (results below ~1e-38 flush towards 0, above
    /// that range saturate at ~2.4e38 instead of +inf). NaN lanes propagate.
    @inlinable @inline(__always)
    public static func exp(_ v: Vec16) -> Vec16 {
        var x = v
        x.replace(with: 88.3, where: x .> 88.3)
        x.replace(with: -87.3, where: x .< -87.3)
        let magic = Vec16(repeating: 12_582_912)  // 1.5·2^23: adding it rounds to an integer
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        let z = r * r
        var p = Vec16(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * z + r + 1
        // n is in the low mantissa bits of t (offset by 0x4B40_0000); build 2^n from them
        let ni = SIMD16<Int32>(truncatingIfNeeded: t.bitPattern(as: UInt32.self) &- 0x4B40_0000)
        let pow2 = SIMD16<UInt32>(truncatingIfNeeded: (ni &+ 127) &<< 23)
        let out = y * Vec16(bitPattern: pow2)
        return out.replacing(with: v, where: v .!= v)
    }

    /// Lane-wise maximum (a lane of `b` wins where it is greater; NaN lanes of `b` are ignored).
    @inlinable @inline(__always)
    public static func max(_ a: Vec16, _ b: Vec16) -> Vec16 { a.replacing(with: b, where: b .> a) }

    /// 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vec16) -> Vec16 { 1 / (1 + exp(-x)) }

    // MARK: loads and stores (unaligned)

    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> Vec16 { UnsafeRawPointer(p).loadUnaligned(as: Vec16.self) }
    @inlinable @inline(__always) public static func store(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec16.self) }

    @inlinable @inline(__always) public static func load(_ p: UnsafePointer<UInt16>) -> Vec16 {
        // lane-by-lane widening in our own inlined code: the stdlib's generic
        // SIMD16(truncatingIfNeeded:) is not always inlined and then runs as a per-lane call
        let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
        var w = SIMD16<UInt32>()
        for k in 0..<16 { w[k] = UInt32(h[k]) &<< 16 }
        return Vec16(bitPattern: w)
    }

    /// Round-to-nearest-even to bf16 (NaN stays a quiet NaN), stored as 16 bit patterns.
    @inlinable @inline(__always) public static func store(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>) {
        let r = roundedBF16Bits(v) &>> 16
        var h = SIMD16<UInt16>()
        for k in 0..<16 { h[k] = UInt16(truncatingIfNeeded: r[k]) }
        UnsafeMutableRawPointer(p).storeBytes(of: h, as: SIMD16<UInt16>.self)
    }

    // "Split" lane order: lanes 0–7 hold elements 0, 2, …, 14 and lanes 8–15 elements 1, 3, …, 15
    // of a 16-element block. 16 bf16 values are 8 UInt32 words, and their even / odd halves become
    // f32 lanes with a shift / mask, so bf16 <-> f32 costs no cross-lane shuffle (SSE2 has no
    // cheap 32 -> 16-bit pack). Kernels that touch bf16 load and store every operand in this order,
    // which is harmless for elementwise math and for order-free reductions.

    @inlinable @inline(__always) public static func loadSplit(_ p: UnsafePointer<UInt16>) -> Vec16 {
        let w = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt32>.self)
        return Vec16(lowHalf: SIMD8<Float>(bitPattern: w &<< 16), highHalf: SIMD8<Float>(bitPattern: w & 0xFFFF_0000))
    }
    @inlinable @inline(__always) public static func storeSplit(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>) {
        let r = roundedBF16Bits(v)
        let w = (r.lowHalf &>> 16) | (r.highHalf & 0xFFFF_0000)
        UnsafeMutableRawPointer(p).storeBytes(of: w, as: SIMD8<UInt32>.self)
    }
    @inlinable @inline(__always) public static func loadSplit(_ p: UnsafePointer<Float>) -> Vec16 {
        let v = load(p)
        var r = Vec16()
        for k in 0..<8 { r[k] = v[2 * k]; r[8 + k] = v[2 * k + 1] }
        return r
    }
    @inlinable @inline(__always) public static func storeSplit(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) {
        var r = Vec16()
        for k in 0..<8 { r[2 * k] = v[k]; r[2 * k + 1] = v[8 + k] }
        store(r, p)
    }

    /// Lanes rounded to the nearest bf16 value (RNE), as f32 bit patterns.
    @inlinable @inline(__always) public static func roundBF16(_ v: Vec16) -> Vec16 { Vec16(bitPattern: roundedBF16Bits(v)) }

    /// Partial vector: the first `n` (< 16) lanes from p, zeros elsewhere.
    @inlinable @inline(__always) public static func loadPartial(_ p: UnsafePointer<Float>, _ n: Int) -> Vec16 {
        var v = Vec16(repeating: 0); for i in 0..<n { v[i] = p[i] }; return v
    }
    @inlinable @inline(__always) public static func loadPartial(_ p: UnsafePointer<UInt16>, _ n: Int) -> Vec16 {
        var v = Vec16(repeating: 0); for i in 0..<n { v[i] = Float(bitPattern: UInt32(p[i]) &<< 16) }; return v
    }
    @inlinable @inline(__always) public static func storePartial(_ v: Vec16, _ p: UnsafeMutablePointer<Float>, _ n: Int) { for i in 0..<n { p[i] = v[i] } }
    @inlinable @inline(__always) public static func storePartial(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>, _ n: Int) { let r = roundedBF16Bits(v); for i in 0..<n { p[i] = UInt16(truncatingIfNeeded: r[i] &>> 16) } }
}

/// f32 bit patterns of the lanes rounded to bf16 (RNE; NaN stays a quiet NaN).
@inlinable @inline(__always) public func roundedBF16Bits(_ v: Vec16) -> SIMD16<UInt32> {
    let b = v.bitPattern(as: UInt32.self)
    let rounded = (b &+ (SIMD16<UInt32>(repeating: 0x7FFF) &+ ((b &>> 16) & 1))) & 0xFFFF_0000
    let quiet = (b & 0xFFFF_0000) | SIMD16<UInt32>(repeating: 0x0040_0000)
    return rounded.replacing(with: quiet, where: (b & 0x7FFF_FFFF) .> SIMD16<UInt32>(repeating: 0x7F80_0000))
}

extension SIMD16 where Scalar == Float {
    @inlinable @inline(__always) public init(bitPattern u: SIMD16<UInt32>) {
        self = unsafeBitCast(u, to: SIMD16<Float>.self)
    }
    @inlinable @inline(__always) public func bitPattern(as: UInt32.Type) -> SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
}

extension SIMD16 where Scalar == Float {
    /// `value` in the first `count` lanes, 0 in the rest.
    @inlinable @inline(__always) public init(repeating value: Float, count: Int) {
        self.init(repeating: 0); for i in 0..<count { self[i] = value }
    }
}

extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always) public init(bitPattern u: SIMD8<UInt32>) { self = unsafeBitCast(u, to: SIMD8<Float>.self) }
}

/// A raw element pointer of either dtype (f32, or bf16 bit patterns), for kernels written once
/// over both storages. With `split`, full 16-element blocks are loaded and stored in VMath's split
/// lane order (all operands of one kernel must agree); partial blocks are always in natural order.
public struct ElementPointer {
    public let raw: UnsafeMutableRawPointer
    public let isBF16: Bool
    public let split: Bool
    @inlinable public init(raw: UnsafeMutableRawPointer, isBF16: Bool, split: Bool = false) { self.raw = raw; self.isBF16 = isBF16; self.split = split }

    @inlinable @inline(__always) public func load(_ i: Int) -> Vec16 {
        if !isBF16 {
            let p = UnsafePointer(raw.assumingMemoryBound(to: Float.self) + i)
            return split ? VMath.loadSplit(p) : VMath.load(p)
        }
        let p = UnsafePointer(raw.assumingMemoryBound(to: UInt16.self) + i)
        return split ? VMath.loadSplit(p) : VMath.load(p)
    }
    @inlinable @inline(__always) public func load(_ i: Int, count n: Int) -> Vec16 {
        !isBF16 ? VMath.loadPartial(UnsafePointer(raw.assumingMemoryBound(to: Float.self) + i), n)
                : VMath.loadPartial(UnsafePointer(raw.assumingMemoryBound(to: UInt16.self) + i), n)
    }
    @inlinable @inline(__always) public func store(_ v: Vec16, _ i: Int) {
        if !isBF16 {
            let p = raw.assumingMemoryBound(to: Float.self) + i
            if split { VMath.storeSplit(v, p) } else { VMath.store(v, p) }
        } else {
            let p = raw.assumingMemoryBound(to: UInt16.self) + i
            if split { VMath.storeSplit(v, p) } else { VMath.store(v, p) }
        }
    }
    @inlinable @inline(__always) public func store(_ v: Vec16, _ i: Int, count n: Int) {
        if !isBF16 { VMath.storePartial(v, raw.assumingMemoryBound(to: Float.self) + i, n) }
        else { VMath.storePartial(v, raw.assumingMemoryBound(to: UInt16.self) + i, n) }
    }
    @inlinable @inline(__always) public func scalar(_ i: Int) -> Float {
        !isBF16 ? raw.assumingMemoryBound(to: Float.self)[i] : Float(bitPattern: UInt32(raw.assumingMemoryBound(to: UInt16.self)[i]) &<< 16)
    }
}

/// A lane-wise function, as a type: `mapRange` is generic over it, so each use is specialised with
/// the function inlined in the loop (a closure argument would stay an indirect call per vector).
public protocol LaneFunction { static func apply(_ v: Vec16) -> Vec16 }

/// dst[i] = F(src[i]) for i in `range`, 16 lanes at a time (transparent: inlined before
/// specialisation, so F.apply lands inside the loop).
@_transparent
public func mapRange<F: LaneFunction>(_ f: F.Type, _ src: ElementPointer, _ dst: ElementPointer, _ range: Range<Int>) {
    var i = range.lowerBound
    while i + 16 <= range.upperBound { dst.store(F.apply(src.load(i)), i); i += 16 }
    if i < range.upperBound { dst.store(F.apply(src.load(i, count: range.upperBound - i)), i, count: range.upperBound - i) }
}

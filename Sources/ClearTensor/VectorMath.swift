// SIMD building blocks of the memory-bound Swift kernels: 16-lane f32 exp / sigmoid, bf16 <-> f32
// loads and stores inside the vector loop (no row buffers), and a dynamically scheduled parallel
// loop that keeps both cores busy when one of them is preempted on a shared machine.
// Matches: exp — Cephes `expf` (range reduction by ln 2 split in two constants, degree-5
// polynomial; ≤ 2 ulp on [-87, 88]); bf16 — PyTorch's round-to-nearest-even (DType.swift).
// Written with only the SSE2 baseline in mind (no `rounded()`, which would be a libcall per lane):
// rounding uses the 1.5·2²³ magic-number trick and 2ⁿ is built from the exponent bits; clamping
// and max use compare + `replace` (the stdlib's `clamped` / `pointwiseMax` compile to per-lane
// code, ~60× slower).
import Foundation

typealias Vec16 = SIMD16<Float>

enum VMath {
    /// True when ClearTensor was compiled for a specific CPU (CLEARSUB_TARGET_CPU, see Package.swift):
    /// the 16-lane kernels then map to AVX-512 / AVX2 instead of four SSE2 operations each, and the
    /// exp-heavy ops prefer them over oneDNN.
    #if CLEARSUB_WIDE_SIMD
    static let wide = true
    #else
    static let wide = false
    #endif

    /// e^x per lane; x is clamped to [-87.3, 88.3] (results below ~1e-38 flush towards 0, above
    /// that range saturate at ~2.4e38 instead of +inf). NaN lanes propagate.
    @inline(__always)
    static func exp(_ v: Vec16) -> Vec16 {
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
    @inline(__always)
    static func max(_ a: Vec16, _ b: Vec16) -> Vec16 { a.replacing(with: b, where: b .> a) }

    /// 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: Vec16) -> Vec16 { 1 / (1 + exp(-x)) }

    // MARK: loads and stores (unaligned)

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Vec16 { UnsafeRawPointer(p).loadUnaligned(as: Vec16.self) }
    @inline(__always) static func store(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec16.self) }

    @inline(__always) static func load(_ p: UnsafePointer<UInt16>) -> Vec16 {
        // lane-by-lane widening in our own inlined code: the stdlib's generic
        // SIMD16(truncatingIfNeeded:) is not always inlined and then runs as a per-lane call
        let h = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
        var w = SIMD16<UInt32>()
        for k in 0..<16 { w[k] = UInt32(h[k]) &<< 16 }
        return Vec16(bitPattern: w)
    }

    /// Round-to-nearest-even to bf16 (NaN stays a quiet NaN), stored as 16 bit patterns.
    @inline(__always) static func store(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>) {
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

    @inline(__always) static func loadSplit(_ p: UnsafePointer<UInt16>) -> Vec16 {
        let w = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt32>.self)
        return Vec16(lowHalf: SIMD8<Float>(bitPattern: w &<< 16), highHalf: SIMD8<Float>(bitPattern: w & 0xFFFF_0000))
    }
    @inline(__always) static func storeSplit(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>) {
        let r = roundedBF16Bits(v)
        let w = (r.lowHalf &>> 16) | (r.highHalf & 0xFFFF_0000)
        UnsafeMutableRawPointer(p).storeBytes(of: w, as: SIMD8<UInt32>.self)
    }
    @inline(__always) static func loadSplit(_ p: UnsafePointer<Float>) -> Vec16 {
        let v = load(p)
        var r = Vec16()
        for k in 0..<8 { r[k] = v[2 * k]; r[8 + k] = v[2 * k + 1] }
        return r
    }
    @inline(__always) static func storeSplit(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) {
        var r = Vec16()
        for k in 0..<8 { r[2 * k] = v[k]; r[2 * k + 1] = v[8 + k] }
        store(r, p)
    }

    /// Lanes rounded to the nearest bf16 value (RNE), as f32 bit patterns.
    @inline(__always) static func roundBF16(_ v: Vec16) -> Vec16 { Vec16(bitPattern: roundedBF16Bits(v)) }

    /// Partial vector: the first `n` (< 16) lanes from p, zeros elsewhere.
    @inline(__always) static func loadPartial(_ p: UnsafePointer<Float>, _ n: Int) -> Vec16 {
        var v = Vec16(repeating: 0); for i in 0..<n { v[i] = p[i] }; return v
    }
    @inline(__always) static func loadPartial(_ p: UnsafePointer<UInt16>, _ n: Int) -> Vec16 {
        var v = Vec16(repeating: 0); for i in 0..<n { v[i] = BF16.toFloat(p[i]) }; return v
    }
    @inline(__always) static func storePartial(_ v: Vec16, _ p: UnsafeMutablePointer<Float>, _ n: Int) { for i in 0..<n { p[i] = v[i] } }
    @inline(__always) static func storePartial(_ v: Vec16, _ p: UnsafeMutablePointer<UInt16>, _ n: Int) { for i in 0..<n { p[i] = BF16.fromFloat(v[i]) } }
}

/// f32 bit patterns of the lanes rounded to bf16 (RNE; NaN stays a quiet NaN).
@inline(__always) func roundedBF16Bits(_ v: Vec16) -> SIMD16<UInt32> {
    let b = v.bitPattern(as: UInt32.self)
    let rounded = (b &+ (SIMD16<UInt32>(repeating: 0x7FFF) &+ ((b &>> 16) & 1))) & 0xFFFF_0000
    let quiet = (b & 0xFFFF_0000) | SIMD16<UInt32>(repeating: 0x0040_0000)
    return rounded.replacing(with: quiet, where: (b & 0x7FFF_FFFF) .> SIMD16<UInt32>(repeating: 0x7F80_0000))
}

extension SIMD16 where Scalar == Float {
    @inline(__always) init(bitPattern u: SIMD16<UInt32>) {
        self = unsafeBitCast(u, to: SIMD16<Float>.self)
    }
    @inline(__always) func bitPattern(as: UInt32.Type) -> SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
}

extension SIMD16 where Scalar == Float {
    /// `value` in the first `count` lanes, 0 in the rest.
    @inline(__always) init(repeating value: Float, count: Int) {
        self.init(repeating: 0); for i in 0..<count { self[i] = value }
    }
}

extension SIMD8 where Scalar == Float {
    @inline(__always) init(bitPattern u: SIMD8<UInt32>) { self = unsafeBitCast(u, to: SIMD8<Float>.self) }
}

/// A raw element pointer of either dtype, for kernels written once over f32 and bf16 storage.
/// With `split`, full 16-element blocks are loaded and stored in VMath's split lane order (all
/// operands of one kernel must agree); partial blocks are always in natural order.
struct ElementPointer {
    let raw: UnsafeMutableRawPointer
    let dtype: DType
    let split: Bool
    init(_ t: Tensor, split: Bool = false) { raw = t.raw; dtype = t.dtype; self.split = split }

    @_transparent func load(_ i: Int) -> Vec16 {
        if dtype == .f32 {
            let p = UnsafePointer(raw.assumingMemoryBound(to: Float.self) + i)
            return split ? VMath.loadSplit(p) : VMath.load(p)
        }
        let p = UnsafePointer(raw.assumingMemoryBound(to: UInt16.self) + i)
        return split ? VMath.loadSplit(p) : VMath.load(p)
    }
    @_transparent func load(_ i: Int, count n: Int) -> Vec16 {
        dtype == .f32 ? VMath.loadPartial(UnsafePointer(raw.assumingMemoryBound(to: Float.self) + i), n)
                      : VMath.loadPartial(UnsafePointer(raw.assumingMemoryBound(to: UInt16.self) + i), n)
    }
    @_transparent func store(_ v: Vec16, _ i: Int) {
        if dtype == .f32 {
            let p = raw.assumingMemoryBound(to: Float.self) + i
            if split { VMath.storeSplit(v, p) } else { VMath.store(v, p) }
        } else {
            let p = raw.assumingMemoryBound(to: UInt16.self) + i
            if split { VMath.storeSplit(v, p) } else { VMath.store(v, p) }
        }
    }
    @_transparent func store(_ v: Vec16, _ i: Int, count n: Int) {
        if dtype == .f32 { VMath.storePartial(v, raw.assumingMemoryBound(to: Float.self) + i, n) }
        else { VMath.storePartial(v, raw.assumingMemoryBound(to: UInt16.self) + i, n) }
    }
    @_transparent func scalar(_ i: Int) -> Float {
        dtype == .f32 ? raw.assumingMemoryBound(to: Float.self)[i] : BF16.toFloat(raw.assumingMemoryBound(to: UInt16.self)[i])
    }
}

/// Maps `f` over `count` elements of `src` into `dst` (either dtype each), 16 lanes at a time,
/// dynamically scheduled over chunks of `grain` elements.
@inline(__always)
func vectorMap(_ src: ElementPointer, _ dst: ElementPointer, count: Int, grain: Int = 1 << 16, _ f: (Vec16) -> Vec16) {
    parallelForDynamic(count, grain: grain) { r in
        var i = r.lowerBound
        while i + 16 <= r.upperBound { dst.store(f(src.load(i)), i); i += 16 }
        if i < r.upperBound { dst.store(f(src.load(i, count: r.upperBound - i)), i, count: r.upperBound - i) }
    }
}

/// Like `parallelFor`, but the range is cut into chunks of `grain` items that the team's threads
/// take one at a time: when a thread is descheduled (shared machine), the others take over its
/// remaining chunks instead of waiting for it at the end of a static split.
public func parallelForDynamic(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let g = max(1, grain)
    let chunks = (count + g - 1) / g
    let threads = min(ClearTensor.threadCount, chunks)
    if threads <= 1 { body(0..<count); return }
    let next = ChunkCounter()
    parallelFor(threads) { _ in
        while true {
            let c = next.take()
            if c >= chunks { break }
            body((c * g)..<min(count, (c + 1) * g))
        }
    }
}

/// Hands out chunk indices 0, 1, 2, … to concurrent takers.
private final class ChunkCounter: @unchecked Sendable {  // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.lock(); defer { lock.unlock() }; let v = value; value += 1; return v }
}

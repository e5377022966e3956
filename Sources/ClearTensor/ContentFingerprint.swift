// A fast 128-bit fingerprint of a byte range, used to validate data derived from a tensor's
// contents (pre-packed convolution weights) against writes that bypassed `markMutated()`.
// Not cryptographic: two accumulators per 64-bit lane, a wrapping sum (any single changed word
// changes it) and a multiply-add polynomial (order-sensitive), combined with the chunk index.
// Matches: no external reference; it only has to differ when the bytes differ.

enum ContentFingerprint {
    /// Fingerprint of `bytes` bytes at `p`, computed in parallel over 1 MiB chunks.
    static func of(_ p: UnsafeRawPointer, bytes: Int) -> SIMD2<UInt64> {
        let chunk = 1 << 20
        let chunks = (bytes + chunk - 1) / chunk
        if chunks <= 1 { return mix(p, bytes, index: 0) }
        let parts = UnsafeMutablePointer<SIMD2<UInt64>>.allocate(capacity: chunks)
        defer { parts.deallocate() }
        parallelFor(chunks) { r in
            for c in r { parts[c] = mix(p + c * chunk, min(chunk, bytes - c * chunk), index: c) }
        }
        var acc = SIMD2<UInt64>(0, 0)
        for c in 0..<chunks { acc &+= parts[c] }
        return acc
    }

    private static func mix(_ p: UnsafeRawPointer, _ n: Int, index: Int) -> SIMD2<UInt64> {
        let k = SIMD8<UInt64>(repeating: 0x9E37_79B9_7F4A_7C15)
        var sum = SIMD8<UInt64>(repeating: 0), poly = SIMD8<UInt64>(repeating: UInt64(index) &+ 1)
        var i = 0
        while i + 64 <= n {
            let v = p.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt64>.self)
            sum &+= v
            poly = poly &* k &+ v
            i += 64
        }
        var tail: UInt64 = 0
        while i < n { tail = tail &* 31 &+ UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &+ 1; i += 1 }
        let a = sum.wrappedSum() &+ tail, b = (poly &* k).wrappedSum() ^ (tail &* 0xBF58_476D_1CE4_E5B9)
        return SIMD2(a &* (UInt64(index) &* 2 &+ 1), b &+ UInt64(index) &* 0x94D0_49BB_1331_11EB)
    }
}

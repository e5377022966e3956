// The portable kernel set: the inner loops of the memory-bound Swift ops (activations, last-axis
// softmax, RMSNorm, the two passes of GroupNorm, broadcast binary rows, f32 → bf16), each over one
// range of work, compiled for the build's baseline (SSE2 on x86-64); the caller (ClearTensor)
// splits the tensor into ranges and runs them on its thread team.
// Matches: torch.nn.functional.silu, sigmoid, relu, gelu(approximate="tanh"), softmax(dim=-1);
// Wan's RMSNorm (x·rsqrt(mean(x²)+eps), cast to the input dtype, then ·weight); group_norm's
// statistics (biased variance) and affine step.

public enum PortableKernels: KernelSet {
    public static let name = "portable"
    public static let wide = false

    public static func activation(_ act: ActivationKernel, _ src: ElementPointer, _ dst: ElementPointer, _ range: Range<Int>) {
        switch act {
        case .silu: mapRange(SiLULanes.self, src, dst, range)
        case .sigmoid: mapRange(SigmoidLanes.self, src, dst, range)
        case .relu: mapRange(ReLULanes.self, src, dst, range)
        case .geluTanh: mapRange(GeluTanhLanes.self, src, dst, range)
        }
    }

    /// Softmax of contiguous rows of `c` elements: max, then e^(x−max) with its sum (kept in an
    /// f32 row buffer), then scaling by 1/sum.
    public static func softmaxRows(_ src: ElementPointer, _ dst: ElementPointer, columns c: Int, rows: Range<Int>) {
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: c + 16)
        defer { buf.deallocate() }
        for r in rows {
            let base = r * c
            var i = 0
            var mv = Vec16(repeating: -.infinity)
            while i + 16 <= c { mv = VMath.max(mv, src.load(base + i)); i += 16 }
            var m = mv.max()
            while i < c { m = Swift.max(m, src.scalar(base + i)); i += 1 }
            let mvec = Vec16(repeating: m)
            var sv = Vec16(repeating: 0)
            i = 0
            while i + 16 <= c {
                let e = VMath.exp(src.load(base + i) - mvec)
                VMath.store(e, buf + i); sv += e; i += 16
            }
            var sum = sv.sum()
            if i < c {
                let e = VMath.exp(src.load(base + i, count: c - i) - mvec)
                for k in 0..<(c - i) { buf[i + k] = e[k]; sum += e[k] }
            }
            let inv = Vec16(repeating: 1 / sum)
            i = 0
            while i + 16 <= c { dst.store(VMath.load(UnsafePointer(buf + i)) * inv, base + i); i += 16 }
            if i < c { dst.store(VMath.loadPartial(UnsafePointer(buf + i), c - i) * inv, base + i, count: c - i) }
        }
    }

    /// RMSNorm of contiguous rows of `c` elements; `roundBeforeWeight` casts the normalised row to
    /// bf16 before the weight multiply (what the reference does for bf16 inputs).
    public static func rmsNormRows(_ src: ElementPointer, _ dst: ElementPointer, weight pw: ElementPointer?, columns c: Int,
                                   eps: Float, roundBeforeWeight: Bool, rows: Range<Int>) {
        for r in rows {
            let base = r * c
            var acc = Vec16(repeating: 0), i = 0
            while i + 16 <= c { let v = src.load(base + i); acc += v * v; i += 16 }
            if i < c { let v = src.load(base + i, count: c - i); acc += v * v }
            let inv = Vec16(repeating: Float(1.0 / (Double(acc.sum()) / Double(c) + Double(eps)).squareRoot()))
            i = 0
            if let pw {
                while i + 16 <= c {
                    var y = src.load(base + i) * inv
                    if roundBeforeWeight { y = VMath.roundBF16(y) }
                    dst.store(y * pw.load(i), base + i); i += 16
                }
                if i < c {
                    var y = src.load(base + i, count: c - i) * inv
                    if roundBeforeWeight { y = VMath.roundBF16(y) }
                    dst.store(y * pw.load(i, count: c - i), base + i, count: c - i)
                }
            } else {
                while i + 16 <= c { dst.store(src.load(base + i) * inv, base + i); i += 16 }
                if i < c { dst.store(src.load(base + i, count: c - i) * inv, base + i, count: c - i) }
            }
        }
    }

    /// Mean and 1/sqrt(var + eps) (biased variance) of `count` elements from `base`, in one pass
    /// over x − s (s = the first element, which keeps Σ(x−s)² − (Σ(x−s))²/m well conditioned when
    /// the mean is large against the spread); f32 lanes promoted to f64 every 4096 elements.
    public static func meanInvStd(_ src: ElementPointer, base: Int, count per: Int, eps: Float) -> (mean: Float, invStd: Float) {
        let shift = src.scalar(base), sv = Vec16(repeating: shift)
        var s1 = 0.0, s2 = 0.0, i = 0
        while i < per {
            let end = Swift.min(per, i + 4096)
            var a1 = Vec16(repeating: 0), a2 = Vec16(repeating: 0)
            while i + 16 <= end { let d = src.load(base + i) - sv; a1 += d; a2 += d * d; i += 16 }
            if i < end { let k = end - i, d = src.load(base + i, count: k) - Vec16(repeating: shift, count: k); a1 += d; a2 += d * d; i = end }
            s1 += Double(a1.sum()); s2 += Double(a2.sum())
        }
        let m = Double(Swift.max(per, 1)), d1 = s1 / m
        return (Float(Double(shift) + d1), Float(1.0 / (Swift.max(s2 / m - d1 * d1, 0) + Double(eps)).squareRoot()))
    }

    /// dst = src·a + b over `count` elements from `base`.
    public static func scaleShift(_ src: ElementPointer, _ dst: ElementPointer, base: Int, count: Int, scale a: Float, shift b: Float) {
        let av = Vec16(repeating: a), bv = Vec16(repeating: b)
        var i = base
        let end = base + count
        while i + 16 <= end { dst.store(src.load(i) * av + bv, i); i += 16 }
        if i < end { dst.store(src.load(i, count: end - i) * av + bv, i, count: end - i) }
    }

    /// One output row: o[oo + i] = a[oa + i·ia] ∘ b[ob + i·ib] with ia, ib ∈ {0, 1}.
    public static func binaryRow(_ kind: BinaryKernel, _ a: ElementPointer, _ oa: Int, _ ia: Int, _ b: ElementPointer, _ ob: Int, _ ib: Int,
                                 _ o: ElementPointer, _ oo: Int, _ n: Int) {
        @inline(__always) func f(_ x: Vec16, _ y: Vec16) -> Vec16 {
            switch kind { case .add: return x + y; case .sub: return x - y; case .mul: return x * y }
        }
        let sa = Vec16(repeating: a.scalar(oa)), sb = Vec16(repeating: b.scalar(ob))
        var i = 0
        while i + 16 <= n {
            let x = ia == 1 ? a.load(oa + i) : sa
            let y = ib == 1 ? b.load(ob + i) : sb
            o.store(f(x, y), oo + i)
            i += 16
        }
        if i < n {
            let k = n - i
            let x = ia == 1 ? a.load(oa + i, count: k) : sa
            let y = ib == 1 ? b.load(ob + i, count: k) : sb
            o.store(f(x, y), oo + i, count: k)
        }
    }

    public static func toBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let r = roundedBF16Bits(VMath.load(src + i)) &>> 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: r), as: SIMD16<UInt16>.self)
            i += 16
        }
        if i < count { VMath.storePartial(VMath.loadPartial(src + i, count - i), dst + i, count - i) }
    }

    public static func transpose(_ src: UnsafeRawPointer, srcRowStride: Int, _ dst: UnsafeMutableRawPointer, dstRowStride: Int,
                                 rows: Int, cols: Int, elementSize: Int) {
        switch elementSize {
        case 4: transposeTiles(src.assumingMemoryBound(to: UInt32.self), srcRowStride, dst.assumingMemoryBound(to: UInt32.self), dstRowStride, rows, cols)
        case 2: transposeTiles(src.assumingMemoryBound(to: UInt16.self), srcRowStride, dst.assumingMemoryBound(to: UInt16.self), dstRowStride, rows, cols)
        default: preconditionFailure("transpose: element size \(elementSize)")
        }
    }

    /// 16 × 16 tiles, so each tile's 16 destination rows stay in L1 while they fill.
    private static func transposeTiles<T: FixedWidthInteger>(_ s: UnsafePointer<T>, _ sr: Int, _ d: UnsafeMutablePointer<T>, _ dr: Int,
                                                            _ rows: Int, _ cols: Int) {
        let tile = 16
        var c0 = 0
        while c0 < cols {
            let cw = min(tile, cols - c0)
            var r0 = 0
            while r0 < rows {
                let rh = min(tile, rows - r0)
                let st = s + r0 * sr + c0, dt = d + c0 * dr + r0
                if rh == tile && cw == tile {
                    for j in 0..<16 { let o = dt + j * dr; for i in 0..<16 { o[i] = st[i * sr + j] } }
                } else {
                    for j in 0..<cw { for i in 0..<rh { dt[j * dr + i] = st[i * sr + j] } }
                }
                r0 += tile
            }
            c0 += tile
        }
    }
}

enum SiLULanes: LaneFunction {
    @inline(__always) static func apply(_ v: Vec16) -> Vec16 { v / (1 + VMath.exp(-v)) }
}
enum SigmoidLanes: LaneFunction {
    @inline(__always) static func apply(_ v: Vec16) -> Vec16 { VMath.sigmoid(v) }
}
enum ReLULanes: LaneFunction {
    @inline(__always) static func apply(_ v: Vec16) -> Vec16 { v.replacing(with: 0, where: v .< 0) }
}
/// 0.5·x·(1 + tanh(u)) = x / (1 + e^(−2u)), u = √(2/π)·(x + 0.044715·x³).
enum GeluTanhLanes: LaneFunction {
    @inline(__always) static func apply(_ v: Vec16) -> Vec16 {
        let u2 = (v + 0.044_715 * v * v * v) * -1.595_769_121_605_730_7  // −2·√(2/π)
        return v / (1 + VMath.exp(u2))
    }
}

// 8-bit YUV 4:2:0 → RGB, the inverse of `YUVMatrix.yuv` (so pixels the engine changes go back
// through the same matrix): limited or full range, chroma replicated over its 2×2 luma block
// (nearest, as FFmpeg's default unscaled yuv420p → rgb24 conversion).
// Matches: ITU-R BT.601 / BT.709 / BT.2020 non-constant-luminance R'G'B' from Y'CbCr.

extension YUV420Frame {
    /// The frame as RGB with `matrix`.
    public func rgb(matrix: YUVMatrix) -> RGBFrame {
        let (ys, cs): (Float, Float) = matrix.fullRange ? (1, 1) : (255 / 219, 255 / 224)
        let y0: Float = matrix.fullRange ? 0 : 16
        let kr = matrix.kr, kb = matrix.kb, kg = 1 - kr - kb
        // R = Y + 2(1−kr)·Pr, B = Y + 2(1−kb)·Pb, G = (Y − kr·R − kb·B) / kg, all scaled to 0…255
        let rv = 2 * (1 - kr) * cs, bu = 2 * (1 - kb) * cs
        let gu = -kb * bu / kg, gv = -kr * rv / kg
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let (w, h, cw) = (width, height, chromaWidth)
        // per row: each pixel's chroma terms (its sample's, repeated) and its three channels as
        // planes, in loops without branches the compiler vectorises; then interleaved
        var terms = [Float](repeating: 0, count: 4 * w), planes = [UInt8](repeating: 0, count: 3 * w)
        y.withUnsafeBufferPointer { yp in u.withUnsafeBufferPointer { up in v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in terms.withUnsafeMutableBufferPointer { tp in planes.withUnsafeMutableBufferPointer { pp in
                let (rt, gbt, grt, bt) = (tp.baseAddress!, tp.baseAddress! + w, tp.baseAddress! + 2 * w, tp.baseAddress! + 3 * w)
                let (rp, gp, bp) = (pp.baseAddress!, pp.baseAddress! + w, pp.baseAddress! + 2 * w)
                for row in 0..<h {
                    if row % 2 == 0 {
                        let crow = (row / 2) * cw
                        for x in 0..<w {
                            let cb = Float(up[crow + x / 2]) - 128, cr = Float(vp[crow + x / 2]) - 128
                            rt[x] = rv * cr; gbt[x] = gu * cb; grt[x] = gv * cr; bt[x] = bu * cb
                        }
                    }
                    let yr = yp.baseAddress! + row * w
                    for x in 0..<w {
                        let l = (Float(yr[x]) - y0) * ys
                        rp[x] = YUVToRGB.byte(l + rt[x])
                        gp[x] = YUVToRGB.byte(l + gbt[x] + grt[x])
                        bp[x] = YUVToRGB.byte(l + bt[x])
                    }
                    let o = op.baseAddress! + row * w * 3
                    for x in 0..<w { o[3 * x] = rp[x]; o[3 * x + 1] = gp[x]; o[3 * x + 2] = bp[x] }
                }
            } } }
        } } }
        return RGBFrame(width: w, height: h, pixels: out)
    }
}

enum YUVToRGB {
    /// Rounded and clamped to 0…255: trunc(min(255, max(0, x + 0.5))), computed without a
    /// float-to-integer conversion (Swift checks those for range, which keeps a loop scalar):
    /// adding 2^23 leaves round-to-nearest(v) in the float's low bits, and one is taken off where
    /// that rounded up. Equal for every finite x (tested against the direct form).
    @inline(__always) static func byte(_ x: Float) -> UInt8 {
        let v = Swift.min(255, Swift.max(0, x + 0.5))
        let t = v + 8_388_608                     // 2^23: the sum's unit is 1
        let nearest = t.bitPattern & 0x1FF
        return UInt8(truncatingIfNeeded: nearest &- (t - 8_388_608 > v ? 1 : 0))
    }
}

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
        y.withUnsafeBufferPointer { yp in u.withUnsafeBufferPointer { up in v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in
                for row in 0..<h {
                    let crow = (row / 2) * cw
                    // the chroma terms once per pair of pixels that share them (same arithmetic, in
                    // the same order, as per pixel)
                    for cx in 0..<((w + 1) / 2) {
                        let cb = Float(up[crow + cx]) - 128, cr = Float(vp[crow + cx]) - 128
                        let (rcr, gcb, gcr, bcb) = (rv * cr, gu * cb, gv * cr, bu * cb)
                        for x in (2 * cx)..<min(w, 2 * cx + 2) {
                            let l = (Float(yp[row * w + x]) - y0) * ys
                            let o = (row * w + x) * 3
                            op[o] = YUVToRGB.byte(l + rcr)
                            op[o + 1] = YUVToRGB.byte(l + gcb + gcr)
                            op[o + 2] = YUVToRGB.byte(l + bcb)
                        }
                    }
                }
            }
        } } }
        return RGBFrame(width: w, height: h, pixels: out)
    }
}

enum YUVToRGB {
    /// Rounded and clamped to 0…255 (branch-free enough for the compiler to vectorise).
    @inline(__always) static func byte(_ x: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: Int32(Swift.min(255, Swift.max(0, x + 0.5))))
    }
}

// Writing an engine's result into the source's own YUV 4:2:0 frame, so that pixels the engine left
// alone keep their exact code values (no RGB → YUV round trip, which alone costs ~5 dB PSNR at
// CRF 10). "Changed" compares the engine's final RGB frame (after any overlap cross-fade) with the
// RGB frame it was given, byte for byte:
//   luma, per pixel:        unchanged → source Y; changed → Y of the result's RGB (matrix, rounded)
//   chroma, per 2×2 block:  all pixels unchanged → source U/V; otherwise the changed pixels mixed
//                           with the original: U' = round((Σ_changed U(result) + n_unchanged · U_src) / n)
//                           (n = pixels of the block), so a fully changed block gets the mean of its
//                           converted pixels and a block the edit only grazes moves only partly.
import ClearMedia
import Glibc

enum YUVResultCompositor {
    /// `source` is the decoded YUV of the frame whose RGB decode is `original`; `cleaned` is the
    /// engine's result for it. Returns `source` as it is (no copy) when nothing changed.
    static func composite(source: YUV420Frame, original: RGBFrame, cleaned: RGBFrame, matrix: YUVMatrix) -> YUV420Frame {
        precondition(source.width == original.width && source.height == original.height
                     && cleaned.width == original.width && cleaned.height == original.height)
        let w = source.width, h = source.height, cw = source.chromaWidth
        var out = source
        original.pixels.withUnsafeBufferPointer { op in cleaned.pixels.withUnsafeBufferPointer { cp in
            let (o, c) = (op.baseAddress!, cp.baseAddress!)
            for cy in 0..<source.chromaHeight {
                // a pair of rows the engine left alone (most of them) is skipped whole
                let y0 = 2 * cy, rows = min(h, y0 + 2) - y0
                if memcmp(o + y0 * w * 3, c + y0 * w * 3, rows * w * 3) == 0 { continue }
                for cx in 0..<cw {
                    var n = 0, changed = 0
                    var su: Float = 0, sv: Float = 0
                    for y in y0..<(y0 + rows) {
                        for x in (2 * cx)..<min(w, 2 * cx + 2) {
                            n += 1
                            let i = (y * w + x) * 3
                            if o[i] == c[i] && o[i + 1] == c[i + 1] && o[i + 2] == c[i + 2] { continue }
                            changed += 1
                            let (ky, ku, kv) = matrix.yuv(red: c[i], green: c[i + 1], blue: c[i + 2])
                            out.y[y * w + x] = YUVMatrix.byte(ky)
                            su += ku
                            sv += kv
                        }
                    }
                    if changed == 0 { continue }
                    let p = cy * cw + cx, keep = Float(n - changed), count = Float(n)
                    out.u[p] = YUVMatrix.byte((su + keep * Float(out.u[p])) / count)
                    out.v[p] = YUVMatrix.byte((sv + keep * Float(out.v[p])) / count)
                }
            }
        } }
        return out
    }
}

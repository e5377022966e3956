// Compositing libass images straight onto a YUV 4:2:0 frame, so pixels the subtitles do not touch
// keep their exact code values (no RGB round trip). The conversion RGB → YUV is affine, so the
// RGB over-operator c' = c(1 − a) + k·a holds unchanged on Y, U and V with the image colour k
// converted once:
//   luma, per pixel:           Y' = round(Y(1 − a) + Y_k·a)
//   chroma, per 2×2 block:     U' = round(U(1 − ā) + U_k·ā), ā = mean of a over the block's pixels
// (the block average is exact for one image over a block of uniform chroma). Images apply in order;
// the mask is the same as for RGB compositing.
import ClearMedia

extension RenderedSubtitles {
    /// Composites the bitmaps onto a YUV 4:2:0 frame (see file header) and returns the opacity mask.
    public func composite(onto frame: inout YUV420Frame, matrix: YUVMatrix) throws -> GrayFrame {
        try checkSize(frame.width, frame.height)
        guard let box = unionBox() else { return GrayFrame(width: frameWidth, height: frameHeight) }
        var coverage = Coverage(box: box)
        let cw = frame.chromaWidth
        for b in bitmaps {
            let (ky, ku, kv) = matrix.yuv(red: b.red, green: b.green, blue: b.blue)
            // Chroma samples under this image, and the summed alpha of their pixels.
            let cx0 = b.x / 2, cy0 = b.y / 2
            let bw = (b.x + b.width - 1) / 2 - cx0 + 1, bh = (b.y + b.height - 1) / 2 - cy0 + 1
            var sums = [Float](repeating: 0, count: bw * bh)
            frame.y.withUnsafeMutableBufferPointer { yp in
                b.forEachCoveredPixel { x, y, a in
                    let p = y * frameWidth + x
                    yp[p] = UInt8((Float(yp[p]) * (1 - a) + ky * a).rounded())
                    coverage.add(x: x, y: y, inverse: 1 - a)
                    sums[(y / 2 - cy0) * bw + (x / 2 - cx0)] += a
                }
            }
            for row in 0..<bh {
                let cy = cy0 + row
                let blockRows = Float(min(2, frameHeight - 2 * cy))
                for col in 0..<bw {
                    let s = sums[row * bw + col]
                    if s == 0 { continue }
                    let cx = cx0 + col
                    let a = s / (blockRows * Float(min(2, frameWidth - 2 * cx)))
                    let p = cy * cw + cx
                    frame.u[p] = YUVMatrix.byte(Float(frame.u[p]) * (1 - a) + ku * a)
                    frame.v[p] = YUVMatrix.byte(Float(frame.v[p]) * (1 - a) + kv * a)
                }
            }
        }
        return coverage.mask(width: frameWidth, height: frameHeight)
    }
}

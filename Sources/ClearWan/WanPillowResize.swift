// 8-bit RGB resize with Pillow's BILINEAR filter (always antialiased), used by CLEAR's preprocessing
// (torchvision `resize` on a PIL image → `Image.resize(size, BILINEAR)`).
// Matches: Pillow `src/libImaging/Resample.c` — precompute_coeffs (scale = in/out, filterscale =
// max(scale, 1), support = filterscale, centre (i + 0.5)·scale, taps int(centre ± support + 0.5)
// clamped to the image, weights tri((x − centre + 0.5)/filterscale) normalised to sum 1, in double),
// normalize_coeffs_8bpc (22 fractional bits, rounding half away from zero), the horizontal pass then
// the vertical pass, each accumulating from 2^21, shifted right by 22 and clamped to 0…255.
// A pass whose size does not change is skipped, as in Pillow. Spec §2.2.
import ClearMedia

public enum WanPillowResize {
    static let precisionBits = 22

    /// Fixed-point taps of one axis: (first input index, integer weights) per output index.
    static func coefficients(input: Int, output: Int) -> [(start: Int, weights: [Int32])] {
        let scale = Double(input) / Double(output)
        let filterScale = max(scale, 1)
        let support = filterScale
        var out: [(Int, [Int32])] = []
        out.reserveCapacity(output)
        for i in 0..<output {
            let center = (Double(i) + 0.5) * scale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), input)
            var k = [Double](repeating: 0, count: max(xmax - xmin, 0))
            var sum = 0.0
            for x in 0..<k.count {
                let u = abs((Double(x + xmin) - center + 0.5) / filterScale)
                let w = u < 1 ? 1 - u : 0
                k[x] = w; sum += w
            }
            let one = Double(1 << precisionBits)
            let fixed = k.map { v -> Int32 in
                let n = sum != 0 ? v / sum : v
                return Int32(n < 0 ? (-0.5 + n * one).rounded(.towardZero) : (0.5 + n * one).rounded(.towardZero))
            }
            out.append((xmin, fixed))
        }
        return out
    }

    /// `frame` resized to `width`×`height`.
    public static func resize(_ frame: RGBFrame, width: Int, height: Int) -> RGBFrame {
        var (w, h, px) = (frame.width, frame.height, frame.pixels)
        if width != w {
            let taps = coefficients(input: w, output: width)
            var o = [UInt8](repeating: 0, count: width * h * 3)
            px.withUnsafeBufferPointer { src in
                for y in 0..<h {
                    for (x, tap) in taps.enumerated() {
                        for c in 0..<3 {
                            var acc = Int64(1 << (precisionBits - 1))
                            for (j, k) in tap.weights.enumerated() { acc += Int64(src[(y * w + tap.start + j) * 3 + c]) * Int64(k) }
                            o[(y * width + x) * 3 + c] = clip8(acc)
                        }
                    }
                }
            }
            px = o; w = width
        }
        if height != h {
            let taps = coefficients(input: h, output: height)
            var o = [UInt8](repeating: 0, count: w * height * 3)
            px.withUnsafeBufferPointer { src in
                for (y, tap) in taps.enumerated() {
                    for x in 0..<(w * 3) {
                        var acc = Int64(1 << (precisionBits - 1))
                        for (j, k) in tap.weights.enumerated() { acc += Int64(src[(tap.start + j) * w * 3 + x]) * Int64(k) }
                        o[y * w * 3 + x] = clip8(acc)
                    }
                }
            }
            px = o; h = height
        }
        return RGBFrame(width: w, height: h, pixels: px)
    }

    @inline(__always) static func clip8(_ acc: Int64) -> UInt8 {
        let v = acc >> Int64(precisionBits)
        return UInt8(clamping: min(max(v, 0), 255))
    }

    /// Spec §2.2: cover-resize then centre-crop `frame` as `geometry` says.
    public static func prepare(_ frame: RGBFrame, geometry g: WanGeometry) -> RGBFrame {
        if g.isIdentity { return frame }
        let r = resize(frame, width: g.resizedWidth, height: g.resizedHeight)
        if r.width == g.modelWidth && r.height == g.modelHeight { return r }
        var o = [UInt8](repeating: 0, count: g.modelWidth * g.modelHeight * 3)
        let row = g.modelWidth * 3
        for y in 0..<g.modelHeight {
            let s = ((g.cropTop + y) * r.width + g.cropLeft) * 3
            o.replaceSubrange(y * row..<(y + 1) * row, with: r.pixels[s..<s + row])
        }
        return RGBFrame(width: g.modelWidth, height: g.modelHeight, pixels: o)
    }
}

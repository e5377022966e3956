// Output = α·restored + (1−α)·input (design §4; CLEAR §3.3 eq. for the final composite), written
// only where α > 0: every other byte is the input's own, copied, never round-tripped through float.
// `frame` is the frame as composited so far: restoration regions carry margins that overlap
// tiles composited before them, so a pixel with partial α there is blended again over the
// earlier result (its output depends on the tiling). Measured in the eleventh session: blending
// each write from the input instead costs 0.08 dB on the 13 tuning clips (`box/building` −0.95,
// whose semi-transparent box gets an α below its opacity, which the repeated blend partly makes
// up for), so it stays; MODEL_CARD.md "Known limits".
import ClearMedia
import ClearTensor

public enum AlphaCompositor {
    /// Blends `restored` [1, 3, region.h, region.w] (values in [0, 1], region coordinates) into
    /// `frame` at pixels of `region` inside the frame where α > 0.
    public static func blend(_ restored: Tensor, region: TileRegion, alpha: AlphaMap, into frame: inout RGBFrame) {
        let (fw, fh) = (frame.width, frame.height)
        let plane = region.width * region.height
        let r = restored.toF32()
        let src = r.f32
        alpha.values.withUnsafeBufferPointer { av in
            frame.pixels.withUnsafeMutableBufferPointer { px in
                let rows = region.y..<min(region.y + region.height, fh)
                parallelFor(rows.count, minChunk: 8) { part in
                    for y in part.lowerBound + rows.lowerBound..<part.upperBound + rows.lowerBound {
                        for x in region.x..<min(region.x + region.width, fw) {
                            let a = av[y * fw + x]
                            if a <= 0 { continue }
                            let ri = (y - region.y) * region.width + (x - region.x)
                            let p = (y * fw + x) * 3
                            for c in 0..<3 {
                                let input = Float(px[p + c])
                                let rest = min(max(src[c * plane + ri], 0), 1) * 255
                                px[p + c] = UInt8(min(max(input + a * (rest - input), 0), 255).rounded())
                            }
                        }
                    }
                }
            }
        }
        r.keepAlive()
    }
}

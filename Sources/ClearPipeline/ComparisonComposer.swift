// Side-by-side comparison frames: source on the left, cleaned on the right, each labelled in its
// top-left corner ("source" / "cleaned") when the frame is large enough to hold the label.
// The result is (2·width)×height; odd heights are handled by the encoder (yuv444p).
import ClearMedia

public enum ComparisonComposer {
    /// Label scale for a frame height: 1 up to 180 px, growing with the height.
    static func labelScale(height: Int) -> Int { max(1, height / 180) }

    public static func compose(source: RGBFrame, cleaned: RGBFrame) -> RGBFrame {
        precondition(source.width == cleaned.width && source.height == cleaned.height)
        let w = source.width, h = source.height
        var out = RGBFrame(width: 2 * w, height: h)
        source.pixels.withUnsafeBufferPointer { s in
            cleaned.pixels.withUnsafeBufferPointer { c in
                out.pixels.withUnsafeMutableBufferPointer { o in
                    let row = w * 3
                    for y in 0..<h {
                        let dst = o.baseAddress! + y * 2 * row
                        dst.update(from: s.baseAddress! + y * row, count: row)
                        (dst + row).update(from: c.baseAddress! + y * row, count: row)
                    }
                }
            }
        }
        let scale = labelScale(height: h)
        let margin = 2 * scale
        // Both labels or neither: each must fit inside its own half ("cleaned" is the longer).
        if BitmapFont.width(of: "cleaned", scale: scale) + 2 * scale + margin <= w {
            BitmapFont.drawLabel("source", in: &out, x: margin, y: margin, scale: scale)
            BitmapFont.drawLabel("cleaned", in: &out, x: w + margin, y: margin, scale: scale)
        }
        return out
    }
}

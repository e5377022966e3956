// α borrowed from neighbouring frames (cue boundaries). The occlusion head sees a 5-frame window;
// in the first and last two frames of a cue that window holds frames without the text, and the
// head's α there covers a fraction of the glyphs (validation hi custom style: 10 % and 62 % of the
// glyph pixels at α ≥ 0.5, against 99 % two frames later). A subtitle holds still on screen, so
// where a pixel has the same colour as in a frame up to `reach` frames away, the larger of the two
// frames' head α is kept. Pixels that changed (the text appearing or leaving, people moving) keep
// their own α.
import ClearMedia

public struct TemporalAlphaSettings: Equatable, Sendable {
    /// Frames on either side whose α can be borrowed (0: off).
    public var reach = 2
    /// Largest difference (levels, any of R, G, B) for a pixel to count as unchanged.
    public var tolerance = 10
    /// Only a neighbour's α at or above this is borrowed (1: fully opaque pixels only, which
    /// leaves out the partial α of the head's halo around text and of box edges).
    public var core: Float = 1

    public init() {}

    /// "reach=2,tolerance=10" (either key may be left out); nil on an unknown key or a bad value.
    public init?(parsing text: String) {
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v >= 0 else { return nil }
            switch kv[0] {
            case "reach": guard let n = Int(kv[1]) else { return nil }; reach = n
            case "tolerance": guard let n = Int(kv[1]) else { return nil }; tolerance = n
            case "core": guard v > 0, v <= 1 else { return nil }; core = Float(v)
            default: return nil
            }
        }
    }
}

enum TemporalAlpha {
    /// Raises `alpha` (of `frame`) to each neighbour's α where the pixel is unchanged between them.
    static func borrow(_ alpha: inout AlphaMap, frame: RGBFrame, from neighbours: [(alpha: AlphaMap, frame: RGBFrame)],
                       tolerance: Int, core: Float) {
        let w = alpha.width
        for n in neighbours {
            precondition(n.alpha.width == w && n.alpha.height == alpha.height, "TemporalAlpha.borrow: map size differs")
            alpha.values.withUnsafeMutableBufferPointer { a in
                n.alpha.values.withUnsafeBufferPointer { b in
                    frame.pixels.withUnsafeBufferPointer { p in
                        n.frame.pixels.withUnsafeBufferPointer { q in
                            for i in 0..<a.count where b[i] >= core && b[i] > a[i] {
                                let j = 3 * i
                                if abs(Int(p[j]) - Int(q[j])) <= tolerance, abs(Int(p[j + 1]) - Int(q[j + 1])) <= tolerance,
                                   abs(Int(p[j + 2]) - Int(q[j + 2])) <= tolerance { a[i] = b[i] }
                            }
                        }
                    }
                }
            }
        }
    }
}

// The "text left" test of the lite engine's validation (issue 4: text left in < 1 % of frames):
// whether burned-in subtitle text is still visible in a cleaned frame, judged against the clean
// reference with the exact subtitle opacity.
//   text pixels      pixels whose ground-truth opacity is ≥ 0.5 (≥ 128 of 255): the glyph bodies,
//                    not their soft edges
//   residual pixels  text pixels where the candidate still differs from the clean frame by more
//                    than 40 levels in at least one channel (max over R, G, B)
//   text left        more than 10 % of the frame's text pixels are residual
// Only frames with at least one text pixel are judged; `text_left_frame_ratio` is the share of
// those frames in which text is left. A subtitled input scores ~1 (its glyphs differ from the
// background almost everywhere), a perfect removal 0; an inpainting that guesses a textured
// background wrong by > 40 levels over a tenth of the glyph area also counts as text left.
import ClearMedia

public enum TextResidue {
    /// Opacity from which a mask pixel is a text pixel (0.5 · 255, rounded up).
    public static let opacityThreshold: UInt8 = 128
    /// Difference (levels, max over channels) above which a text pixel still shows text.
    public static let differenceThreshold = 40
    /// Share of a frame's text pixels that must be residual for the frame to count as text left.
    public static let residualShare = 0.10

    /// Text and residual pixel counts of one frame.
    public struct Count: Sendable, Equatable {
        public var textPixels: Int
        public var residualPixels: Int

        public init(textPixels: Int, residualPixels: Int) {
            self.textPixels = textPixels
            self.residualPixels = residualPixels
        }

        /// Whether the frame is judged at all (it has text pixels).
        public var hasText: Bool { textPixels > 0 }
        /// Whether text is left: more than `residualShare` of the text pixels are residual.
        public var textLeft: Bool { hasText && Double(residualPixels) > residualShare * Double(textPixels) }
    }

    public static func count(reference: RGBFrame, candidate: RGBFrame, opacity: GrayFrame) -> Count {
        precondition(reference.width == candidate.width && reference.height == candidate.height
                     && opacity.width == reference.width && opacity.height == reference.height,
                     "TextResidue: frame and mask sizes differ")
        var text = 0, residual = 0
        for p in 0..<(opacity.width * opacity.height) where opacity.pixels[p] >= opacityThreshold {
            text += 1
            var d = 0
            for c in 0..<3 { d = max(d, abs(Int(reference.pixels[3 * p + c]) - Int(candidate.pixels[3 * p + c]))) }
            if d > differenceThreshold { residual += 1 }
        }
        return Count(textPixels: text, residualPixels: residual)
    }
}

// Tightening the fill's hole to the text's own pixels (MODEL_CARD.md "The glyph hole, and weighing
// a dark box's division"). The occlusion head reads the frame at half resolution or coarser, so on a cue over moving scenery
// its α covers the line as a blob, and the fill then spans the scenery between the strokes too:
// on a moving film clip, filling only the subtitle's pixels (the ground-truth mask grown by 1 px)
// scores 2 dB above filling the blob inside the mask. Inside the blob the text is what differs from
// the blob's fill by much, and what shares the colours of those pixels (a subtitle's fill and
// outline are flat colours: the two means of their colours, Lloyd's k-means with k = 2); the
// hole keeps those pixels grown by one pixel (their anti-aliased rims), and the rest of the blob
// is the frame's own scenery again. Opt-in (`LiteEngine.glyphHole`): it failed its rules on boxed
// 1080p clips (where it releases the darkened scenery of a box the finder missed) or, with the
// guard against that, on moving test clips.
import Foundation

public struct GlyphHoleSettings: Sendable, Equatable {
    /// A pixel of the blob is surely text when a channel differs from the blob's fill by more than
    /// this many levels.
    public var strong: Float = 48
    /// A pixel of the blob within this many levels (each channel) of one of the text's colours is text.
    public var palette: Float = 40
    /// A colour is the text's when it holds at least this share of the sure pixels.
    public var share: Float = 0.2
    /// Fewer sure pixels than this in a region (a cue fading in, scenery the head took for text):
    /// the blob stays the hole.
    public var minimumStrong = 20
    /// The text's pixels grow by this many pixels (4-connected steps) per `scale`.
    public var grow = 1
    /// Where the text explains nearly all of the blob (less than this share of its free pixels
    /// left over: a box the finder did not take, a thick outline) the blob is the text, and the
    /// few pixels left are more likely its darkest parts than scenery: the blob stays the hole.
    public var minimumRelease: Float = 0.2
    /// The pixels released are taken for scenery only if their mean luma is at least this share of
    /// the blob's surroundings' (the pixels outside α within 2 px of it): scenery released from
    /// under a dark box the finder did not take is darkened by the box (on boxed 1080p clips those
    /// regions gave 0.23–0.48; the gaps between strokes on moving film footage 0.6–1.1).
    public var releasedBrightness: Float = 0.55

    public init() {}

    /// Parses "strong=48,palette=40,share=0.2,minimum=20,grow=1,release=0.2,brightness=0.55" (any
    /// subset); nil when malformed.
    public init?(parsing text: String) {
        self.init()
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "strong": guard let v = Float(kv[1]), v > 0 else { return nil }; strong = v
            case "palette": guard let v = Float(kv[1]), v >= 0 else { return nil }; palette = v
            case "share": guard let v = Float(kv[1]), v >= 0, v <= 1 else { return nil }; share = v
            case "minimum": guard let v = Int(kv[1]), v >= 1 else { return nil }; minimumStrong = v
            case "grow": guard let v = Int(kv[1]), v >= 0, v <= 8 else { return nil }; grow = v
            case "release": guard let v = Float(kv[1]), v >= 0, v <= 1 else { return nil }; minimumRelease = v
            case "brightness": guard let v = Float(kv[1]), v >= 0 else { return nil }; releasedBrightness = v
            default: return nil
            }
        }
    }
}

public enum GlyphHole {
    /// The tightened hole of a `width`×`height` region: `alpha` (row-major, the fill's hole where
    /// > 0) kept only on the text's pixels grown by `settings.grow` · `scale` (at least 1) steps,
    /// and everywhere it is `fixed` (pixels whose hole is decided elsewhere, such as the glyphs
    /// inside a subtitle box). `image` is the region (planar [3, h, w], values in [0, 1]) and
    /// `fill` the same region with the blob filled. nil when nothing would change, when less than
    /// `minimumRelease` of the blob's free pixels would leave the hole, or when those are darker than
    /// the blob's surroundings (`releasedBrightness`).
    public static func tighten(image: [Float], fill: [Float], alpha: [Float], fixed: [Bool]?, width w: Int, height h: Int,
                               settings s: GlyphHoleSettings = GlyphHoleSettings(), scale: Double = 1) -> [Float]? {
        let n = w * h
        precondition(image.count == 3 * n && fill.count == 3 * n && alpha.count == n && (fixed?.count ?? n) == n, "GlyphHole: region sizes")
        func free(_ i: Int) -> Bool { alpha[i] > 0 && !(fixed?[i] ?? false) }
        // the sure text: far from the blob's fill
        var strong: [Int] = []
        for i in 0..<n where free(i) {
            var d: Float = 0
            for c in 0..<3 { d = max(d, abs(image[c * n + i] - fill[c * n + i])) }
            if d * 255 > s.strong { strong.append(i) }
        }
        guard strong.count >= s.minimumStrong else { return nil }
        let centres = textColours(strong.map { i in (0..<3).map { image[$0 * n + i] * 255 } }, share: s.share)
        var text = [Bool](repeating: false, count: n)
        for i in strong { text[i] = true }
        for i in 0..<n where free(i) && !text[i] {
            for m in centres where (0..<3).allSatisfy({ abs(image[$0 * n + i] * 255 - m[$0]) < s.palette }) { text[i] = true; break }
        }
        // grown by 4-connected steps (a diamond), the anti-aliased rims
        text = grown(text, width: w, height: h, steps: s.grow * max(1, Int(scale.rounded(.down))))
        var out = alpha, blob = 0, released = 0
        for i in 0..<n where free(i) {
            blob += 1
            if !text[i] { out[i] = 0; released += 1 }
        }
        guard released > 0, Float(released) >= s.minimumRelease * Float(blob) else { return nil }
        // the released pixels against the blob's surroundings, in mean luma
        func luma(_ i: Int) -> Float { 0.299 * image[i] + 0.587 * image[n + i] + 0.114 * image[2 * n + i] }
        var releasedLuma: Float = 0, ringLuma: Float = 0, ring = 0
        for i in 0..<n where alpha[i] > 0 && out[i] == 0 { releasedLuma += luma(i) }
        for y in 0..<h {
            for x in 0..<w where alpha[y * w + x] == 0 {
                var near = false
                for yy in max(0, y - 2)...min(h - 1, y + 2) where !near {
                    for xx in max(0, x - 2)...min(w - 1, x + 2) where alpha[yy * w + xx] > 0 { near = true; break }
                }
                if near { ringLuma += luma(y * w + x); ring += 1 }
            }
        }
        guard ring > 0, releasedLuma / Float(released) >= s.releasedBrightness * ringLuma / Float(ring) else { return nil }
        return out
    }

    /// `mask` (row-major `width`×`height`) grown by `steps` 4-connected steps (a diamond).
    static func grown(_ mask: [Bool], width w: Int, height h: Int, steps: Int) -> [Bool] {
        var out = mask
        for _ in 0..<steps {
            let was = out
            for y in 0..<h {
                for x in 0..<w where !was[y * w + x] {
                    let i = y * w + x
                    if (x > 0 && was[i - 1]) || (x + 1 < w && was[i + 1]) || (y > 0 && was[i - w]) || (y + 1 < h && was[i + w]) { out[i] = true }
                }
            }
        }
        return out
    }

    /// The text's colours among `colours` (RGB levels): the two means of Lloyd's k-means (k = 2,
    /// started from the brightest and the darkest colour, 10 rounds) holding at least `share` of
    /// the colours each.
    static func textColours(_ colours: [[Float]], share: Float) -> [[Float]] {
        guard !colours.isEmpty else { return [] }
        func luma(_ c: [Float]) -> Float { 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] }
        var means = [colours.max { luma($0) < luma($1) }!, colours.min { luma($0) < luma($1) }!]
        var members = [Int](repeating: 0, count: colours.count)
        for _ in 0..<10 {
            var sums = [[Float]](repeating: [0, 0, 0], count: 2), counts = [0, 0]
            for (k, c) in colours.enumerated() {
                let d = means.map { m in (0..<3).reduce(Float(0)) { $0 + (c[$1] - m[$1]) * (c[$1] - m[$1]) } }
                let j = d[1] < d[0] ? 1 : 0
                members[k] = j; counts[j] += 1
                for ch in 0..<3 { sums[j][ch] += c[ch] }
            }
            for j in 0..<2 where counts[j] > 0 { means[j] = sums[j].map { $0 / Float(counts[j]) } }
        }
        let counts = (0..<2).map { j in members.filter { $0 == j }.count }
        return (0..<2).filter { Float(counts[$0]) >= share * Float(colours.count) }.map { means[$0] }
    }
}

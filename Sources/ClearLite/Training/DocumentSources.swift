// Hard negatives for the occlusion head, second kind (issue 4 "clips without subtitles ≥ 45 dB":
// a printed page under a moving camera was erased): synthetic pages — light paper with uneven
// lighting and grain, lines of plain dark text (no outline, shadow or box) in the scripts' fonts
// and sizes, rendered by libass. The generator's subtitles are always light-coloured with an
// outline, a shadow or a box, so dark printed text is scenery whether the camera moves or not,
// and the sampler may keep the camera still over these pages.
import ClearMedia
import ClearSubtitles

public enum DocumentSources {
    static let inks: [ASSColor] = [
        .black, ASSColor(red: 40, green: 40, blue: 40), ASSColor(red: 20, green: 30, blue: 90),
        ASSColor(red: 90, green: 20, blue: 20), ASSColor(red: 60, green: 60, blue: 70),
    ]

    /// `count` pages of 960×720, seeded.
    public static func make(count: Int, seed: UInt64) throws -> [CleanSource] {
        try (0..<count).map { try page(index: $0, seed: seed &+ 7_368_787 &* UInt64($0 + 1)) }
    }

    static func page(index: Int, seed: UInt64) throws -> CleanSource {
        let (w, h) = (960, 720)
        var rng = SeededRandom(seed: seed)
        // Paper: a light tint, lighting that falls off across the page, and grain.
        let base = (rng.uniform(205, 250), rng.uniform(0.9, 1.0), rng.uniform(0.85, 1.0))
        let (gx, gy) = (rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25))
        var frame = RGBFrame(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let light = 1 + gx * (Double(x) / Double(w) - 0.5) + gy * (Double(y) / Double(h) - 0.5)
                let grain = (rng.unit() - 0.5) * 8
                let v = base.0 * light + grain
                let p = (y * w + x) * 3
                frame.pixels[p] = UInt8(min(255, max(0, v)))
                frame.pixels[p + 1] = UInt8(min(255, max(0, v * base.1)))
                frame.pixels[p + 2] = UInt8(min(255, max(0, v * base.1 * base.2)))
            }
        }
        // Text: lines of three of the generator's cues each (one language per page), plain ink,
        // left-aligned, not wrapped (`\q2`: a line may run off the page, as on a photographed page).
        let language = SubtitleLanguage.allCases[index % SubtitleLanguage.allCases.count]
        var gen = SubtitleGenerator(seed: seed)
        let texts = gen.makeScript(width: w, height: h, durationSeconds: 60, languages: [language], preset: .classic).events
            .map { plainText($0.text) }.filter { !$0.isEmpty }
        guard !texts.isEmpty else { return CleanSource(name: "page\(index)", width: w, height: h, frames: [frame.pixels]) }
        let size = rng.uniform(16, 40).rounded()
        let style = ASSStyle(name: "page", fontName: rng.pick(language.fontFamilies), fontSize: size, primary: rng.pick(inks),
                             outlineColor: .black, backColor: .black, bold: rng.chance(0.3), outline: 0, shadow: 0,
                             alignment: .bottomCenter, marginL: 0, marginR: 0, marginV: 0)
        var script = ASSScript(playResX: w, playResY: h, styles: [style])
        let lineHeight = Int(size * rng.uniform(1.3, 1.8))
        let left = rng.int(10...80)
        var y = rng.int(10...60), k = 0
        while y + lineHeight < h {
            if rng.chance(0.12) { y += lineHeight; continue }      // paragraph break
            script.events.append(ASSEvent(startMs: 0, endMs: 1000, style: "page",
                                          text: "{\\an7\\q2\\pos(\(left),\(y))}"
                                              + (0..<3).map { texts[(k + $0) % texts.count] }.joined(separator: "  ")))
            k += 3
            y += lineHeight
        }
        let renderer = try SubtitleRenderer(script: script.text, width: w, height: h)
        _ = try renderer.render(atMilliseconds: 500).composite(onto: &frame)
        return CleanSource(name: "page\(index)", width: w, height: h, frames: [frame.pixels])
    }

    /// A cue's text without override blocks and line breaks.
    static func plainText(_ s: String) -> String {
        var out = "", depth = 0
        for ch in s {
            if ch == "{" { depth += 1; continue }
            if ch == "}" { depth = max(0, depth - 1); continue }
            if depth == 0 { out.append(ch) }
        }
        return out.replacingOccurrences(of: "\\N", with: " ").replacingOccurrences(of: "\\n", with: " ")
    }
}

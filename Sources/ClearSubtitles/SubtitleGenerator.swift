// Seeded random cues for a video: phrases in the chosen languages, one or two lines, styles from a
// preset (or random per cue), fades, italics, and gaps between cues, within the video's duration.
// The same seed and inputs always give the same script text.

public struct SubtitleGenerator: Sendable {
    private var rng: SeededRandom

    public init(seed: UInt64) {
        rng = SeededRandom(seed: seed)
    }

    /// A complete script for a `width`×`height` video lasting `durationSeconds`.
    /// Cues last 1.2–3.5 s with 0.3–1.5 s gaps; the first starts within the first second (sooner
    /// for very short clips); a cue sometimes gets a simultaneous partner at the other edge
    /// (dual-language subtitles). A clip shorter than a cue still gets one cue covering most of it.
    public mutating func makeScript(width: Int, height: Int, durationSeconds: Double,
                                    languages: [SubtitleLanguage] = SubtitleLanguage.allCases,
                                    preset: StylePreset = .random) -> ASSScript {
        precondition(!languages.isEmpty, "SubtitleGenerator: no languages")
        var script = ASSScript(playResX: width, playResY: height)
        let totalMs = max(1, Int((durationSeconds * 1000).rounded(.down)))
        var t = Int(Double(min(1000, totalMs / 5)) * rng.uniform(0.2, 1.0))
        var index = 0
        while t < totalMs - 300 || index == 0 {
            let length = Int(rng.uniform(1200, 3500))
            let end = min(totalMs, t + length)
            if end - t < 300 && index > 0 { break }
            let language = rng.pick(languages)
            var style = preset.style(for: language, width: width, height: height, cueIndex: index, rng: &rng)
            script.addStyle(style)
            script.events.append(ASSEvent(startMs: t, endMs: end, style: style.name,
                                          text: cueText(language: language, durationMs: end - t)))
            index += 1
            if rng.chance(0.15) {
                // A second, simultaneous cue at the opposite edge.
                let other = rng.pick(languages)
                style = preset.style(for: other, width: width, height: height, cueIndex: index, rng: &rng)
                style.alignment = style.alignment == .topCenter ? .bottomCenter : .topCenter
                style.name += style.alignment == .topCenter ? "-top" : "-bottom"
                script.addStyle(style)
                script.events.append(ASSEvent(startMs: t, endMs: end, style: style.name,
                                              text: cueText(language: other, durationMs: end - t)))
                index += 1
            }
            t = end + Int(rng.uniform(300, 1500))
        }
        return script
    }

    /// One or two phrases (joined by a hard line break), with an optional fade and italic span.
    mutating func cueText(language: SubtitleLanguage, durationMs: Int) -> String {
        var text = ASSText.escape(rng.pick(language.phrases))
        if rng.chance(0.35) {
            var second = rng.pick(language.phrases)
            if language.phrases.count > 1 {
                while second == text { second = rng.pick(language.phrases) }
            }
            text += "\\N" + ASSText.escape(second)
        }
        var tags = ""
        if rng.chance(0.4) {
            let limit = max(0, durationMs / 3)
            let fadeIn = min(limit, rng.int(80...400)), fadeOut = min(limit, rng.int(80...400))
            tags += "\\fad(\(fadeIn),\(fadeOut))"
        }
        if rng.chance(0.1) { tags += "\\i1" }
        return tags.isEmpty ? text : "{\(tags)}" + text
    }
}

/// Escaping plain text for an ASS `Dialogue:` text field.
enum ASSText {
    /// Braces would start override blocks and a backslash could form `\N`/`\h`; newlines become `\N`.
    static func escape(_ plain: String) -> String {
        var out = ""
        for ch in plain {
            switch ch {
            case "{": out += "\\{"
            case "}": out += "\\}"
            case "\\": out += "\\\u{2060}"   // a word joiner after a lone backslash keeps it literal
            case "\n": out += "\\N"
            case "\r": continue
            default: out.append(ch)
            }
        }
        return out
    }
}

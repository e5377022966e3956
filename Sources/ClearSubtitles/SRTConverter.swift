// SubRip (.srt) → ASS. Reads numbered cues (`HH:MM:SS,mmm --> HH:MM:SS,mmm`, optional index line,
// CRLF or LF, optional BOM), keeps multi-line text as `\N` line breaks and maps the usual tags:
// <i> <b> <u> <s> → \i \b \u \s, <font color="#RRGGBB"> → \c (other <font> attributes and unknown
// tags are dropped), `{\…}` ASS override blocks pass through, other braces are escaped, and
// &lt; &gt; &amp; &quot; &nbsp; are decoded. Styles come from a `StylePreset`, per cue, with the font
// chosen from the cue's script.
import Foundation

public struct SRTCue: Sendable, Equatable {
    public var startMs: Int
    public var endMs: Int
    /// Text lines as in the file (tags still in).
    public var lines: [String]
}

public enum SRTConverter {
    /// Parses SRT text. `origin` names the file in errors.
    public static func parse(_ text: String, origin: String = "subtitles.srt") throws -> [SRTCue] {
        var cues: [SRTCue] = []
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var i = 0
        while i < lines.count {
            if lines[i].trimmingCharacters(in: .whitespaces).isEmpty { i += 1; continue }
            // Optional numeric index line, then the timing line.
            var timingLine = i
            if !lines[i].contains("-->") {
                if i + 1 < lines.count, lines[i + 1].contains("-->") {
                    timingLine = i + 1
                } else {
                    throw SubtitleError.srtSyntax(path: origin, line: i + 1, detail: "expected a cue timing line")
                }
            }
            guard let (start, end) = parseTiming(lines[timingLine]) else {
                throw SubtitleError.srtSyntax(path: origin, line: timingLine + 1, detail: "unreadable cue timing '\(lines[timingLine])'")
            }
            var textLines: [String] = []
            var j = timingLine + 1
            while j < lines.count, !lines[j].trimmingCharacters(in: .whitespaces).isEmpty {
                textLines.append(lines[j])
                j += 1
            }
            cues.append(SRTCue(startMs: start, endMs: end, lines: textLines))
            i = j
        }
        return cues
    }

    /// "00:01:02,345 --> 00:01:04,000" (also '.' for ',', 1-digit hours, trailing position data).
    static func parseTiming(_ line: String) -> (Int, Int)? {
        let parts = line.components(separatedBy: "-->")
        guard parts.count == 2 else { return nil }
        let endField = parts[1].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        guard let s = parseTime(parts[0].trimmingCharacters(in: .whitespaces)), let e = parseTime(endField) else { return nil }
        return (s, e)
    }

    static func parseTime(_ text: String) -> Int? {
        let hms = text.replacingOccurrences(of: ",", with: ".").split(separator: ":")
        guard hms.count == 3 || hms.count == 2 else { return nil }
        let secParts = hms[hms.count - 1].split(separator: ".", omittingEmptySubsequences: false)
        guard let h = hms.count == 3 ? Int(hms[0]) : 0, let m = Int(hms[hms.count - 2]),
              let s = Int(secParts[0]), h >= 0, (0..<60).contains(m), (0..<60).contains(s) else { return nil }
        var ms = 0
        if secParts.count == 2 {
            let frac = String(secParts[1].prefix(3))
            guard !frac.isEmpty, let f = Int(frac) else { return nil }
            ms = f * [100, 10, 1][frac.count - 1]
        } else if secParts.count > 2 {
            return nil
        }
        return ((h * 60 + m) * 60 + s) * 1000 + ms
    }

    /// The ASS text of one cue: lines joined with `\N`, tags converted.
    public static func assText(_ lines: [String]) -> String {
        lines.map(convertLine).joined(separator: "\\N")
    }

    /// A complete script for a `width`×`height` video from SRT text.
    public static func script(fromSRT text: String, width: Int, height: Int, preset: StylePreset,
                              seed: UInt64, origin: String = "subtitles.srt") throws -> ASSScript {
        let cues = try parse(text, origin: origin)
        if cues.isEmpty { throw SubtitleError.noEvents(origin) }
        var rng = SeededRandom(seed: seed)
        var script = ASSScript(playResX: width, playResY: height, title: "clearsub synth from \(origin)")
        for (n, cue) in cues.enumerated() {
            let language = SubtitleLanguage.guess(for: cue.lines.joined(separator: " "))
            let style = preset.style(for: language, width: width, height: height, cueIndex: n, rng: &rng)
            script.addStyle(style)
            script.events.append(ASSEvent(startMs: cue.startMs, endMs: cue.endMs, style: style.name,
                                          text: assText(cue.lines)))
        }
        return script
    }

    // MARK: - Tags

    static func convertLine(_ line: String) -> String {
        var out = ""
        var rest = Substring(line)
        while let ch = rest.first {
            if ch == "<", let close = rest.firstIndex(of: ">") {
                out += convertTag(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: close)...]
            } else if ch == "{", rest.dropFirst().first == "\\", let close = rest.firstIndex(of: "}") {
                out += rest[...close]           // an ASS override block, kept as is
                rest = rest[rest.index(after: close)...]
            } else if ch == "&", let semi = rest.prefix(8).firstIndex(of: ";"),
                      let decoded = entities[String(rest[rest.startIndex...semi])] {
                out += ASSText.escape(decoded)
                rest = rest[rest.index(after: semi)...]
            } else {
                out += ASSText.escape(String(ch))
                rest = rest.dropFirst()
            }
        }
        return out
    }

    static let entities = ["&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": "\"", "&apos;": "'", "&nbsp;": "\u{00A0}"]

    static func convertTag(_ raw: String) -> String {
        let tag = raw.trimmingCharacters(in: .whitespaces)
        let lower = tag.lowercased()
        switch lower {
        case "i", "b", "u", "s": return "{\\\(lower)1}"
        case "/i", "/b", "/u", "/s": return "{\\\(lower.dropFirst())0}"
        case "/font": return "{\\c}"
        default: break
        }
        if lower.hasPrefix("font") {
            // <font color="#ff0000">, <font color=red>, possibly among other attributes.
            guard let r = lower.range(of: "color") else { return "" }
            var value = lower[r.upperBound...].drop { $0 == " " || $0 == "=" }
            if value.first == "\"" || value.first == "'" { value = value.dropFirst() }
            let token = value.prefix { $0 != "\"" && $0 != "'" && $0 != " " }
            if let c = ASSColor(html: String(token)) { return "{\\c\(c.overrideString)}" }
        }
        return ""
    }
}

// The languages the cue generator writes, the font families that cover each script (all from
// Debian fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core), and a script guess for user text.
import Foundation

public enum SubtitleLanguage: String, CaseIterable, Sendable {
    case zh, en, ja, ko, fr, de, ru, ar, hi, th

    /// "zh,en,ja,ko,fr,de,ru,ar,hi,th"
    public static var allCodes: String { allCases.map(\.rawValue).joined(separator: ",") }

    /// Parses a comma-separated list of codes ("zh,en"); spaces and case are ignored, duplicates dropped.
    public static func parseList(_ text: String) throws -> [SubtitleLanguage] {
        var out: [SubtitleLanguage] = []
        for part in text.split(separator: ",") {
            let code = part.trimmingCharacters(in: .whitespaces).lowercased()
            if code.isEmpty { continue }
            guard let lang = SubtitleLanguage(rawValue: code) else { throw SubtitleError.unknownLanguage(code) }
            if !out.contains(lang) { out.append(lang) }
        }
        if out.isEmpty { throw SubtitleError.emptyLanguageList }
        return out
    }

    /// Font families that cover this language's script, the first being the plain sans face.
    public var fontFamilies: [String] {
        switch self {
        case .zh: return ["Noto Sans CJK SC", "Noto Serif CJK SC"]
        case .ja: return ["Noto Sans CJK JP", "Noto Serif CJK JP"]
        case .ko: return ["Noto Sans CJK KR", "Noto Serif CJK KR"]
        case .en, .fr, .de, .ru: return ["Noto Sans", "Noto Serif", "DejaVu Sans"]
        case .ar: return ["Noto Sans Arabic", "Noto Naskh Arabic"]
        case .hi: return ["Noto Sans Devanagari", "Noto Serif Devanagari"]
        case .th: return ["Noto Sans Thai", "Noto Serif Thai"]
        }
    }

    /// Every font family the generator may name (for checking that the fonts are installed).
    public static var allFontFamilies: [String] {
        var seen: [String] = []
        for l in allCases { for f in l.fontFamilies where !seen.contains(f) { seen.append(f) } }
        return seen
    }

    /// Short natural phrases in this language.
    public var phrases: [String] { PhraseBook.phrases(for: self) }

    /// Best guess of the language whose fonts cover `text`, from the first characters of a
    /// distinctive script (kana before Han, so Japanese is not taken for Chinese).
    public static func guess(for text: String) -> SubtitleLanguage {
        var sawHan = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x3040...0x30FF, 0x31F0...0x31FF: return .ja
            case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: return .ko
            case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .ar
            case 0x0900...0x097F, 0xA8E0...0xA8FF: return .hi
            case 0x0E00...0x0E7F: return .th
            case 0x0400...0x04FF: return .ru
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x3000...0x303F, 0xFF00...0xFFEF: sawHan = true
            default: break
            }
        }
        return sawHan ? .zh : .en
    }
}

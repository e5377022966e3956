// Typed errors of the Subtitles layer. Each message is one line: what is wrong and what to do.

public enum SubtitleError: Error, CustomStringConvertible, Equatable, Sendable {
    case libassInitFailed(String)
    case scriptUnreadable(String)
    case noEvents(String)
    case subtitlesFileNotFound(String)
    case unsupportedSubtitlesFormat(String)
    case notUTF8(String)
    case srtSyntax(path: String, line: Int, detail: String)
    case unknownLanguage(String)
    case unknownStyle(String)
    case emptyLanguageList
    case outputExists(String)
    case duplicateInputName(String)
    case outputDirectory(String, detail: String)
    case frameSizeMismatch(expected: String, got: String)
    case ioFailed(String, detail: String)

    public var description: String {
        switch self {
        case .libassInitFailed(let what):
            return "libass could not be initialised (\(what)); install libass (Debian: apt-get install libass-dev, or run `make deps`)"
        case .scriptUnreadable(let p):
            return "\(p): libass could not parse this ASS script; check its [Script Info], [V4+ Styles] and [Events] sections"
        case .noEvents(let p):
            return "\(p): the subtitles contain no dialogue events; nothing to burn in"
        case .subtitlesFileNotFound(let p):
            return "\(p): no such subtitles file; check the --subtitles path"
        case .unsupportedSubtitlesFormat(let p):
            return "\(p): unsupported subtitles format; pass an .srt or .ass file"
        case .notUTF8(let p):
            return "\(p): not UTF-8 text; convert it first (e.g. iconv -f CP1252 -t UTF-8)"
        case .srtSyntax(let p, let line, let d):
            return "\(p):\(line): \(d); fix the SRT file (expected `HH:MM:SS,mmm --> HH:MM:SS,mmm`)"
        case .unknownLanguage(let code):
            return "unknown language code '\(code)'; use a comma-separated subset of \(SubtitleLanguage.allCodes)"
        case .unknownStyle(let name):
            return "unknown style '\(name)'; use one of \(StylePreset.allCases.map(\.rawValue).joined(separator: ", "))"
        case .emptyLanguageList:
            return "--languages is empty; pass a comma-separated subset of \(SubtitleLanguage.allCodes)"
        case .outputExists(let p):
            return "\(p) already exists; pass --overwrite to replace it or choose another --output-dir"
        case .duplicateInputName(let n):
            return "two inputs are named '\(n)' and would write the same outputs; synthesise them into different --output-dir runs"
        case .outputDirectory(let p, let d):
            return "\(p): cannot use as output directory (\(d)); pass a writable --output-dir"
        case .frameSizeMismatch(let e, let g):
            return "subtitle frame size mismatch: renderer is \(e), frame is \(g)"
        case .ioFailed(let p, let d):
            return "\(p): \(d); check free space and permissions"
        }
    }
}

// A complete ASS script (styles + dialogue events) and its text: [Script Info] with
// PlayResX/PlayResY = the video size, [V4+ Styles], [Events].

/// One `Dialogue:` event: times in milliseconds (written as centiseconds, ASS's precision).
public struct ASSEvent: Sendable, Equatable {
    public var startMs: Int
    public var endMs: Int
    public var style: String
    /// Text with override tags (`{\fad(200,200)}`, `\N` for a line break).
    public var text: String
    public var layer = 0

    public init(startMs: Int, endMs: Int, style: String, text: String, layer: Int = 0) {
        self.startMs = startMs
        self.endMs = endMs
        self.style = style
        self.text = text
        self.layer = layer
    }

    public static let formatLine = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"

    public var line: String {
        "Dialogue: \(layer),\(ASSTime.format(ms: startMs)),\(ASSTime.format(ms: endMs)),\(style),,0,0,0,,\(text)"
    }
}

public struct ASSScript: Sendable, Equatable {
    public var playResX: Int
    public var playResY: Int
    public var title: String
    public var styles: [ASSStyle]
    public var events: [ASSEvent]

    public init(playResX: Int, playResY: Int, title: String = "clearsub synth", styles: [ASSStyle] = [],
                events: [ASSEvent] = []) {
        self.playResX = playResX
        self.playResY = playResY
        self.title = title
        self.styles = styles
        self.events = events
    }

    /// Adds `style` unless one with the same name exists.
    public mutating func addStyle(_ style: ASSStyle) {
        if !styles.contains(where: { $0.name == style.name }) { styles.append(style) }
    }

    /// The script text (LF line endings, UTF-8 without BOM).
    public var text: String {
        var lines = [
            "[Script Info]",
            "; Written by clearsub synth",
            "Title: \(title)",
            "ScriptType: v4.00+",
            "PlayResX: \(playResX)",
            "PlayResY: \(playResY)",
            "WrapStyle: 0",
            "ScaledBorderAndShadow: yes",
            // Colours are composited in RGB exactly as written: no BT.601/709 colour mangling.
            "YCbCr Matrix: None",
            "",
            "[V4+ Styles]",
            ASSStyle.formatLine,
        ]
        lines += styles.map(\.line)
        lines += ["", "[Events]", ASSEvent.formatLine]
        lines += events.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// ASS timestamps: H:MM:SS.cc.
public enum ASSTime {
    /// Milliseconds → "H:MM:SS.cc", rounded to the nearest centisecond.
    public static func format(ms: Int) -> String {
        let cs = (max(0, ms) + 5) / 10
        let h = cs / 360_000, m = (cs / 6000) % 60, s = (cs / 100) % 60, c = cs % 100
        return "\(h):\(two(m)):\(two(s)).\(two(c))"
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

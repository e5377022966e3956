// One [V4+ Styles] entry, with the fields the generator varies, and its `Style:` line.

public struct ASSStyle: Sendable, Equatable {
    /// How the outline is drawn: glyph outline + drop shadow, an opaque box per line in the
    /// outline colour (3), or libass's box around the whole event in the back colour (4).
    public enum BorderStyle: Int, Sendable { case outline = 1, boxPerLine = 3, boxBehindEvent = 4 }

    /// Numpad alignment of ASS (2 = bottom centre, 8 = top centre, …).
    public enum Alignment: Int, Sendable {
        case bottomLeft = 1, bottomCenter, bottomRight, middleLeft, middleCenter, middleRight, topLeft, topCenter, topRight
    }

    public var name: String
    public var fontName: String
    public var fontSize: Double
    public var primary: ASSColor
    public var secondary: ASSColor = .white
    public var outlineColor: ASSColor
    public var backColor: ASSColor
    public var bold = false
    public var italic = false
    public var scaleX: Double = 100
    public var spacing: Double = 0
    public var borderStyle: BorderStyle
    public var outline: Double
    public var shadow: Double
    public var alignment: Alignment
    public var marginL: Int
    public var marginR: Int
    public var marginV: Int

    public init(name: String, fontName: String, fontSize: Double, primary: ASSColor, outlineColor: ASSColor,
                backColor: ASSColor, bold: Bool = false, italic: Bool = false, borderStyle: BorderStyle = .outline,
                outline: Double, shadow: Double, alignment: Alignment = .bottomCenter,
                marginL: Int, marginR: Int, marginV: Int) {
        self.name = name
        self.fontName = fontName
        self.fontSize = fontSize
        self.primary = primary
        self.outlineColor = outlineColor
        self.backColor = backColor
        self.bold = bold
        self.italic = italic
        self.borderStyle = borderStyle
        self.outline = outline
        self.shadow = shadow
        self.alignment = alignment
        self.marginL = marginL
        self.marginR = marginR
        self.marginV = marginV
    }

    public static let formatLine =
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        + "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
        + "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"

    /// The `Style:` line matching `formatLine`.
    public var line: String {
        let fields: [String] = [
            name, fontName, ASSNumber.format(fontSize), primary.styleString, secondary.styleString,
            outlineColor.styleString, backColor.styleString, bold ? "-1" : "0", italic ? "-1" : "0", "0", "0",
            ASSNumber.format(scaleX), "100", ASSNumber.format(spacing), "0", String(borderStyle.rawValue),
            ASSNumber.format(outline), ASSNumber.format(shadow), String(alignment.rawValue),
            String(marginL), String(marginR), String(marginV), "1",
        ]
        return "Style: " + fields.joined(separator: ",")
    }
}

/// Number formatting for ASS fields: integers without a decimal point, others with up to two decimals.
enum ASSNumber {
    static func format(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format2: r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

extension String {
    /// Fixed two-decimal rendering without Foundation's locale-dependent formatting.
    init(format2 v: Double) {
        let neg = v < 0
        let cents = Int((abs(v) * 100).rounded())
        let frac = cents % 100
        self = (neg ? "-" : "") + String(cents / 100) + "." + (frac < 10 ? "0" : "") + String(frac)
    }
}

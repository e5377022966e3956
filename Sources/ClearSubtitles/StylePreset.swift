// Named style presets (`--style`): fixed looks (`classic`, `yellow`, `boxed`, `shadow`),
// `random`, a fresh random style per cue, and `vivid`, a fresh bright style with a thick coloured
// outline per cue (the fansub / karaoke look). Sizes, outlines and margins scale with the frame
// height.

public enum StylePreset: String, CaseIterable, Sendable {
    /// White text, black outline, light shadow: the common TV/film look.
    case classic
    /// Yellow text with a black outline (DVD-style).
    case yellow
    /// White text on a semi-transparent black box.
    case boxed
    /// White text without outline, soft drop shadow.
    case shadow
    /// Every cue draws its own font, size, colours, outline, shadow, box, position, italic, fades.
    case random
    /// Every cue draws a light or saturated fill with a thick outline of a random colour, at the
    /// bottom, the top or the middle of the frame.
    case vivid

    public init(parsing name: String) throws {
        guard let p = StylePreset(rawValue: name.lowercased()) else { throw SubtitleError.unknownStyle(name) }
        self = p
    }

    /// The style for one cue in `language` on a `width`×`height` frame (script units = pixels).
    /// Fixed presets ignore `rng` and are shared between cues of the same language.
    public func style(for language: SubtitleLanguage, width: Int, height: Int, cueIndex: Int,
                      rng: inout SeededRandom) -> ASSStyle {
        let h = Double(height)
        let size = (h * 0.065).rounded()
        let font = language.fontFamilies[0]
        let marginV = Int((h * 0.06).rounded()), marginH = Int((Double(width) * 0.05).rounded())
        let edge = max(1, (h / 288).rounded())
        let name = "\(rawValue)-\(language.rawValue)"
        switch self {
        case .classic:
            return ASSStyle(name: name, fontName: font, fontSize: size, primary: .white, outlineColor: .black,
                            backColor: .black.withTransparency(0x80), outline: edge, shadow: (edge / 2).rounded(.down),
                            marginL: marginH, marginR: marginH, marginV: marginV)
        case .yellow:
            return ASSStyle(name: name, fontName: font, fontSize: size, primary: .yellow, outlineColor: .black,
                            backColor: .black.withTransparency(0x80), outline: edge, shadow: 0,
                            marginL: marginH, marginR: marginH, marginV: marginV)
        case .boxed:
            return ASSStyle(name: name, fontName: font, fontSize: size, primary: .white,
                            outlineColor: .black.withTransparency(0x60), backColor: .black.withTransparency(0x60),
                            borderStyle: .boxPerLine, outline: (h * 0.008).rounded(), shadow: 0,
                            marginL: marginH, marginR: marginH, marginV: marginV)
        case .shadow:
            return ASSStyle(name: name, fontName: font, fontSize: size, primary: .white, outlineColor: .black,
                            backColor: .black.withTransparency(0x40), outline: 0, shadow: 2 * edge,
                            marginL: marginH, marginR: marginH, marginV: marginV)
        case .random:
            return Self.randomStyle(name: "cue\(cueIndex + 1)", language: language, width: width, height: height,
                                    rng: &rng)
        case .vivid:
            return Self.vividStyle(name: "vivid-cue\(cueIndex + 1)", language: language, width: width, height: height,
                                   rng: &rng)
        }
    }

    static let fillColors: [ASSColor] = [
        ASSColor(red: 120, green: 230, blue: 255), ASSColor(red: 150, green: 255, blue: 150),
        ASSColor(red: 255, green: 170, blue: 210), ASSColor(red: 255, green: 190, blue: 90),
        ASSColor(red: 170, green: 200, blue: 255), ASSColor(red: 240, green: 240, blue: 200),
    ]

    static let edgeColors: [ASSColor] = [
        .black, ASSColor(red: 20, green: 20, blue: 60), ASSColor(red: 40, green: 40, blue: 40),
        ASSColor(red: 60, green: 10, blue: 10),
    ]

    /// A random style: font covering the script, size 4.5–8.5 % of the height, white / yellow /
    /// coloured fill (sometimes slightly transparent), outline 0–4 px, optional drop shadow,
    /// optional semi-transparent box (BorderStyle 3 or 4), bold/italic, bottom or top with margins.
    static func randomStyle(name: String, language: SubtitleLanguage, width: Int, height: Int,
                            rng: inout SeededRandom) -> ASSStyle {
        let h = Double(height), w = Double(width)
        let font = rng.pick(language.fontFamilies)
        let size = (h * rng.uniform(0.045, 0.085)).rounded()
        var fill: ASSColor = rng.weighted([(.white, 0.5), (.yellow, 0.25), (rng.pick(fillColors), 0.25)])
        if rng.chance(0.15) { fill = fill.withTransparency(UInt8(rng.int(0x10...0x50))) }
        let border: ASSStyle.BorderStyle = rng.weighted([(.outline, 0.75), (.boxPerLine, 0.15), (.boxBehindEvent, 0.10)])
        let boxColor = ASSColor.black.withTransparency(UInt8(rng.int(0x30...0xA0)))
        var outlineColor = rng.pick(edgeColors)
        var backColor = ASSColor.black.withTransparency(UInt8(rng.int(0x40...0xB0)))
        var outline = Double(rng.int(0...8)) / 2          // 0, 0.5, …, 4
        var shadow = rng.chance(0.4) ? Double(rng.int(1...6)) / 2 : 0
        switch border {
        case .outline:
            // Keep light text readable: outline or shadow, rarely neither.
            if outline == 0 && shadow == 0 && rng.chance(0.7) { outline = 1.5 }
        case .boxPerLine:
            outlineColor = boxColor                         // style 3 paints its box in the outline colour
            outline = Double(rng.int(2...8))                 // box padding
            shadow = rng.chance(0.3) ? Double(rng.int(1...3)) : 0
        case .boxBehindEvent:
            backColor = boxColor                            // style 4 paints its box in the back colour
            outline = Double(rng.int(0...4)) / 2
            shadow = Double(rng.int(2...8))                 // box padding
        }
        let alignment: ASSStyle.Alignment = rng.chance(0.8) ? .bottomCenter : .topCenter
        let marginV = Int((h * rng.uniform(0.03, 0.10)).rounded())
        let marginH = Int((w * rng.uniform(0.03, 0.08)).rounded())
        var style = ASSStyle(name: name, fontName: font, fontSize: size, primary: fill, outlineColor: outlineColor,
                             backColor: backColor, bold: rng.chance(0.3), italic: rng.chance(0.15),
                             borderStyle: border, outline: outline, shadow: shadow, alignment: alignment,
                             marginL: marginH, marginR: marginH, marginV: marginV)
        if rng.chance(0.15) { style.spacing = Double(rng.int(1...3)) / 2 }
        if rng.chance(0.15) { style.scaleX = Double(rng.int(85...115)) }
        return style
    }

    /// A vivid style: font covering the script, size 5–9 % of the height, white / yellow /
    /// coloured fill, an outline 2–5 px (at 576 lines) of any hue at medium or dark brightness,
    /// sometimes a drop shadow in the outline colour, bottom (60 %), top (25 %) or middle.
    static func vividStyle(name: String, language: SubtitleLanguage, width: Int, height: Int,
                           rng: inout SeededRandom) -> ASSStyle {
        let h = Double(height), w = Double(width)
        let font = rng.pick(language.fontFamilies)
        let size = (h * rng.uniform(0.05, 0.09)).rounded()
        let fill: ASSColor = rng.weighted([(.white, 0.3), (.yellow, 0.3), (rng.pick(fillColors), 0.4)])
        let outlineColor = hueColor(rng.uniform(0, 360), value: rng.uniform(0.35, 0.85))
        let outline = (Double(rng.int(4...10)) / 2 * h / 576).rounded()
        let shadow = rng.chance(0.3) ? (Double(rng.int(1...4)) * h / 576).rounded() : 0
        let alignment: ASSStyle.Alignment = rng.weighted([(.bottomCenter, 0.6), (.topCenter, 0.25), (.middleCenter, 0.15)])
        let marginV = alignment == .middleCenter ? 0 : Int((h * rng.uniform(0.03, 0.10)).rounded())
        let marginH = Int((w * rng.uniform(0.03, 0.08)).rounded())
        return ASSStyle(name: name, fontName: font, fontSize: size, primary: fill, outlineColor: outlineColor,
                        backColor: outlineColor.withTransparency(0x40), bold: rng.chance(0.5), italic: rng.chance(0.1),
                        borderStyle: .outline, outline: max(1, outline), shadow: shadow, alignment: alignment,
                        marginL: marginH, marginR: marginH, marginV: marginV)
    }

    /// A fully saturated colour of hue `degrees` (any value, taken modulo 360) at brightness
    /// `value` (clamped to 0…1).
    static func hueColor(_ degrees: Double, value: Double) -> ASSColor {
        var d = degrees.truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        let x = min(d / 60, 5.999_999)
        let f = x - x.rounded(.down)
        let v = min(max(value, 0), 1) * 255
        let (r, g, b): (Double, Double, Double)
        switch Int(x) {
        case 0: (r, g, b) = (v, v * f, 0)
        case 1: (r, g, b) = (v * (1 - f), v, 0)
        case 2: (r, g, b) = (0, v, v * f)
        case 3: (r, g, b) = (0, v * (1 - f), v)
        case 4: (r, g, b) = (v * f, 0, v)
        default: (r, g, b) = (v, 0, v * (1 - f))
        }
        return ASSColor(red: UInt8(r.rounded()), green: UInt8(g.rounded()), blue: UInt8(b.rounded()))
    }
}

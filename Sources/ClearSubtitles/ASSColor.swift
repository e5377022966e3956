// An ASS colour: red, green, blue and a *transparency* byte (0 = opaque, 255 = invisible),
// written in scripts as &HAABBGGRR.

public struct ASSColor: Sendable, Equatable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8
    /// 0 = opaque, 255 = fully transparent (ASS convention).
    public var transparency: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8, transparency: UInt8 = 0) {
        self.red = red
        self.green = green
        self.blue = blue
        self.transparency = transparency
    }

    public static let white = ASSColor(red: 255, green: 255, blue: 255)
    public static let black = ASSColor(red: 0, green: 0, blue: 0)
    public static let yellow = ASSColor(red: 255, green: 235, blue: 0)

    /// The same colour with another transparency.
    public func withTransparency(_ t: UInt8) -> ASSColor {
        ASSColor(red: red, green: green, blue: blue, transparency: t)
    }

    /// "&HAABBGGRR" as used in [V4+ Styles].
    public var styleString: String { "&H" + hex(transparency) + hex(blue) + hex(green) + hex(red) }

    /// "&HBBGGRR&" as used in override tags (`\c`, `\3c`).
    public var overrideString: String { "&H" + hex(blue) + hex(green) + hex(red) + "&" }

    /// Parses "#RRGGBB" or "RRGGBB" (as in SRT `<font color>`), or a few HTML colour names.
    public init?(html text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let named: [String: (UInt8, UInt8, UInt8)] = [
            "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
            "lime": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0), "cyan": (0, 255, 255),
            "aqua": (0, 255, 255), "magenta": (255, 0, 255), "fuchsia": (255, 0, 255), "gray": (128, 128, 128),
            "grey": (128, 128, 128), "orange": (255, 165, 0), "purple": (128, 0, 128),
        ]
        if let n = named[t] {
            self.init(red: n.0, green: n.1, blue: n.2)
            return
        }
        let hexText = t.hasPrefix("#") ? String(t.dropFirst()) : t
        guard hexText.count == 6, let v = UInt32(hexText, radix: 16) else { return nil }
        self.init(red: UInt8(v >> 16), green: UInt8((v >> 8) & 0xFF), blue: UInt8(v & 0xFF))
    }

    private func hex(_ b: UInt8) -> String {
        let s = String(b, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}

// The RGB → Y'CbCr matrix of a video (from its colour description), shared by every layer that
// writes YUV 4:2:0 frames itself: `synth` compositing subtitles and `remove` compositing an
// engine's changed pixels (see YUV420Frame.swift).

/// The RGB → Y'CbCr matrix and range of a video, from its colour description.
public struct YUVMatrix: Sendable, Equatable {
    public let kr: Float
    public let kb: Float
    public let fullRange: Bool

    public init(kr: Float, kb: Float, fullRange: Bool) {
        self.kr = kr
        self.kb = kb
        self.fullRange = fullRange
    }

    public static let bt601 = YUVMatrix(kr: 0.299, kb: 0.114, fullRange: false)
    public static let bt709 = YUVMatrix(kr: 0.2126, kb: 0.0722, fullRange: false)

    /// BT.709 or BT.2020 when tagged so, else BT.601 (what FFmpeg assumes for untagged video);
    /// full range only when tagged "pc".
    public init(_ color: ColorDescription?) {
        let full = color?.range == "pc"
        switch color?.matrix {
        case "bt709": self.init(kr: 0.2126, kb: 0.0722, fullRange: full)
        case "bt2020nc", "bt2020c": self.init(kr: 0.2627, kb: 0.0593, fullRange: full)
        default: self.init(kr: 0.299, kb: 0.114, fullRange: full)
        }
    }

    /// Code values (Y, Cb, Cr) of an 8-bit RGB colour, unrounded.
    public func yuv(red: UInt8, green: UInt8, blue: UInt8) -> (Float, Float, Float) {
        let r = Float(red) / 255, g = Float(green) / 255, b = Float(blue) / 255
        let y = kr * r + (1 - kr - kb) * g + kb * b
        let pb = (b - y) / (2 * (1 - kb)), pr = (r - y) / (2 * (1 - kr))
        if fullRange { return (255 * y, 128 + 255 * pb, 128 + 255 * pr) }
        return (16 + 219 * y, 128 + 224 * pb, 128 + 224 * pr)
    }

    /// Code values (Y, Cb, Cr) of an 8-bit RGB colour, rounded and clamped to 0…255.
    public func yuvBytes(red: UInt8, green: UInt8, blue: UInt8) -> (UInt8, UInt8, UInt8) {
        let (y, u, v) = yuv(red: red, green: green, blue: blue)
        return (Self.byte(y), Self.byte(u), Self.byte(v))
    }

    /// A code value rounded and clamped to 0…255.
    public static func byte(_ x: Float) -> UInt8 { UInt8(min(255, max(0, x.rounded()))) }
}

extension VideoInfo {
    /// Whether frames of this video can be read and written as 8-bit YUV 4:2:0 with no colour
    /// conversion: an 8-bit yuv420p stream of even size (an odd size is encoded as yuv444p).
    public var isEvenYUV420p8: Bool {
        pixelFormat == "yuv420p" && bitDepth == 8 && width % 2 == 0 && height % 2 == 0
    }
}

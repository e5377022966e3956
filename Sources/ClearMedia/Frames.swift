// Frame types shared by every layer above Media: 8-bit interleaved RGB and 8-bit gray,
// row-major, top-left origin, no row padding (the layout of FFmpeg's rgb24 / gray).

/// One decoded video frame: `width * height * 3` bytes, R G B per pixel.
public struct RGBFrame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBFrame: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A frame filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: p.count, by: 3) { p[i] = fill.0; p[i + 1] = fill.1; p[i + 2] = fill.2 }
        self.init(width: width, height: height, pixels: p)
    }

    public static var bytesPerPixel: Int { 3 }
    public var byteCount: Int { width * height * 3 }
}

/// One 8-bit single-channel frame (`width * height` bytes), e.g. a subtitle opacity mask.
public struct GrayFrame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height,
                     "GrayFrame: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }
}

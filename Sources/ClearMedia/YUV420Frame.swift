// Planar 8-bit YUV 4:2:0 frames (FFmpeg's yuv420p layout: Y plane, then U, then V; chroma planes
// ceil(w/2)×ceil(h/2)), and reading/writing them through VideoDecoder / VideoEncoder. Used where
// pixels must pass through untouched: a yuv420p source decoded and re-encoded this way has no
// RGB round trip (which alone costs ~45 dB PSNR through 4:2:0 chroma resampling).

public struct YUV420Frame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        precondition(width > 0 && height > 0 && y.count == width * height && u.count == cw * ch && v.count == cw * ch,
                     "YUV420Frame: plane sizes do not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    /// Splits FFmpeg's packed yuv420p buffer into planes.
    public init(width: Int, height: Int, packed bytes: [UInt8]) {
        let luma = width * height, chroma = ((width + 1) / 2) * ((height + 1) / 2)
        precondition(bytes.count == luma + 2 * chroma, "YUV420Frame: \(bytes.count) bytes for \(width)x\(height)")
        self.init(width: width, height: height, y: Array(bytes[0..<luma]),
                  u: Array(bytes[luma..<(luma + chroma)]), v: Array(bytes[(luma + chroma)...]))
    }

    /// A frame of one colour (code values).
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8)) {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        self.init(width: width, height: height, y: [UInt8](repeating: fill.0, count: width * height),
                  u: [UInt8](repeating: fill.1, count: cw * ch), v: [UInt8](repeating: fill.2, count: cw * ch))
    }
}

extension VideoDecoder {
    /// FFmpeg's name of a raw layout.
    static func ffmpegName(_ layout: PixelLayout) -> String {
        switch layout {
        case .rgb24: return "rgb24"
        case .gray: return "gray"
        case .yuv420p: return "yuv420p"
        }
    }

    /// Bytes of one raw frame in `layout`.
    static func frameBytes(_ layout: PixelLayout, width: Int, height: Int) -> Int {
        switch layout {
        case .rgb24: return width * height * 3
        case .gray: return width * height
        case .yuv420p: return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2)
        }
    }

    /// Next YUV 4:2:0 frame (layout must be `.yuv420p`), or nil at the end.
    public func nextYUVFrame() throws -> YUV420Frame? {
        precondition(layout == .yuv420p, "nextYUVFrame() needs a yuv420p decoder")
        guard let b = try nextFrameBytes() else { return nil }
        return YUV420Frame(width: info.width, height: info.height, packed: b)
    }
}

extension VideoEncoder {
    /// Writes one YUV 4:2:0 frame (settings must have `yuvInput`).
    public func write(_ frame: YUV420Frame) throws {
        guard settings.inputPixelFormat == "yuv420p" else {
            throw MediaError.frameSizeMismatch(expected: "\(settings.inputPixelFormat) frame", got: "yuv420p frame")
        }
        try check(frame.width, frame.height)
        try (frame.y + frame.u + frame.v).withUnsafeBytes { try writeBytes($0) }
    }
}

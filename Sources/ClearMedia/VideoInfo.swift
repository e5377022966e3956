// What `VideoProbe` learns about a file (from ffprobe's JSON): the facts the pipeline must preserve.

/// A frame rate as an exact rational (e.g. 30000/1001).
public struct FrameRate: Sendable, Equatable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = max(1, denominator)
    }
    public var value: Double { Double(numerator) / Double(denominator) }
    /// "30000/1001" — the form FFmpeg options accept.
    public var ffmpegString: String { "\(numerator)/\(denominator)" }
    public var description: String { ffmpegString }

    /// Parses "30000/1001", "25", "0/0" (nil for zero or malformed rates).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard let n = Int(parts.first ?? "") else { return nil }
        let d = parts.count > 1 ? (Int(parts[1]) ?? 0) : 1
        guard n > 0, d > 0 else { return nil }
        self.init(n, d)
    }
}

public struct AudioStreamInfo: Sendable, Equatable {
    public let index: Int
    public let codec: String
    public let channels: Int
    public let sampleRate: Int
    public let language: String?
}

public struct VideoInfo: Sendable, Equatable {
    public let path: String
    /// Container format name(s) as ffprobe reports them, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public let container: String
    public let codec: String
    /// Display size: after applying rotation metadata (frames are decoded upright).
    public let width: Int
    public let height: Int
    /// Coded size, before rotation.
    public let codedWidth: Int
    public let codedHeight: Int
    /// Rotation metadata in degrees (0, 90, 180, 270), clockwise as displayed.
    public let rotation: Int
    public let pixelFormat: String
    public let bitDepth: Int
    /// Rate used for output: the stream's average rate (frames / duration), so that a
    /// constant-rate re-encode keeps both the frame count and the duration.
    public let fps: FrameRate
    /// True when the stream's nominal and average rates differ (variable frame rate).
    public let isVariableFrameRate: Bool
    /// Number of video frames (from the container, or by counting packets); an estimate until decoded.
    public let frameCount: Int
    public let durationSeconds: Double
    public let audioStreams: [AudioStreamInfo]
    /// Stream-level `nb_frames` written in the container header, when present (used to detect truncation).
    public let declaredFrameCount: Int?
    /// Video packets the demuxer could read (ffprobe `-count_packets`), when known.
    public let readablePacketCount: Int?
    /// The video stream's colour description (from the same probe).
    public var color = ColorDescription()

    /// Codec names of the audio streams, in order, as `EncoderSettings.audioCodecs` takes them
    /// (streams whose codec ffprobe does not name are left out, as its csv listing leaves them).
    public var audioCodecNames: [String] { audioStreams.map(\.codec).filter { $0 != "unknown" } }
}

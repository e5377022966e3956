// Streaming encode of 8-bit frames through an `ffmpeg` child process: H.264 (libx264, CRF) with
// every audio stream of a source file copied unchanged, or lossless FFV1 gray for masks.
// Frames are written at a constant rate, so N frames at the input's average rate keep both the
// frame count and the duration of the input.
import Foundation

public struct EncoderSettings: Sendable, Equatable {
    public enum Codec: Sendable, Equatable {
        /// H.264 via libx264 at the given CRF; yuv420p, or yuv444p when a dimension is odd
        /// (4:2:0 needs even sizes, and we keep the original resolution).
        case h264(crf: Int, preset: String)
        /// Lossless FFV1 8-bit gray (for opacity masks), in Matroska.
        case ffv1Gray
    }

    public var codec: Codec
    public var width: Int
    public var height: Int
    public var fps: FrameRate
    /// File whose audio streams are copied unchanged into the output (nil: no audio).
    public var audioSource: String?
    /// Codec names of `audioSource`'s audio streams, in order, when already probed (`VideoInfo`);
    /// nil: the encoder probes them.
    public var audioCodecs: [String]?
    /// H.264 only: frames are written as planar YUV 4:2:0 (`write(_: YUV420Frame)`) instead of RGB,
    /// so a yuv420p source passes through without colour conversion (even sizes only).
    public var yuvInput = false
    /// Colour description (matrix, primaries, transfer, range) tagged on the output, when known.
    public var color: ColorDescription?

    public init(codec: Codec, width: Int, height: Int, fps: FrameRate, audioSource: String? = nil) {
        self.codec = codec
        self.width = width
        self.height = height
        self.fps = fps
        self.audioSource = audioSource
    }

    /// Copies the audio of the probed file `info`: its path and the codec names its probe found.
    public mutating func copyAudio(of info: VideoInfo) {
        audioSource = info.path
        audioCodecs = info.audioCodecNames
    }

    public static func h264(width: Int, height: Int, fps: FrameRate, crf: Int = 16,
                            preset: String = "medium", audioSource: String? = nil) -> EncoderSettings {
        EncoderSettings(codec: .h264(crf: crf, preset: preset), width: width, height: height, fps: fps,
                        audioSource: audioSource)
    }

    var inputPixelFormat: String {
        if case .ffv1Gray = codec { return "gray" }
        return yuvInput ? "yuv420p" : "rgb24"
    }

    var bytesPerFrame: Int {
        switch inputPixelFormat {
        case "gray": return VideoDecoder.frameBytes(.gray, width: width, height: height)
        case "yuv420p": return VideoDecoder.frameBytes(.yuv420p, width: width, height: height)
        default: return VideoDecoder.frameBytes(.rgb24, width: width, height: height)
        }
    }

    /// The output pixel format FFmpeg is asked for.
    public var outputPixelFormat: String {
        switch codec {
        case .ffv1Gray: return "gray"
        case .h264: return (width % 2 == 0 && height % 2 == 0) ? "yuv420p" : "yuv444p"
        }
    }

    /// `copyAudio[i]`: whether audio stream i of the source is copied (else re-encoded to AAC).
    func arguments(output: String, copyAudio: [Bool], format: String?) -> [String] {
        var a = ["-nostdin", "-hide_banner", "-v", "error", "-y",
                 "-f", "rawvideo", "-pix_fmt", inputPixelFormat, "-s", "\(width)x\(height)",
                 "-framerate", fps.ffmpegString, "-i", "-"]
        if let src = audioSource {
            a += ["-i", src, "-map", "0:v:0", "-map", "1:a?"]
            for (i, copy) in copyAudio.enumerated() {
                a += copy ? ["-c:a:\(i)", "copy"] : ["-c:a:\(i)", "aac", "-b:a:\(i)", "320k"]
            }
        } else {
            a += ["-map", "0:v:0"]
        }
        switch codec {
        case .h264(let crf, let preset):
            a += ["-c:v", "libx264", "-preset", preset, "-crf", String(crf), "-pix_fmt", outputPixelFormat]
            a += ["-movflags", "+faststart"]
        case .ffv1Gray:
            a += ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "gray"]
        }
        a += ["-fps_mode", "passthrough", "-max_interleave_delta", "0"]
        if let c = color { a += c.outputArguments }
        if let f = format { a += ["-f", f] }
        a.append(output)
        return a
    }
}

public final class VideoEncoder: @unchecked Sendable {
    public let settings: EncoderSettings
    public let outputPath: String
    private let format: String?
    private var child: ChildProcess?
    private var copyAudio: [Bool] = []
    public private(set) var framesWritten = 0
    /// True when an audio codec could not be stored in the output container and was re-encoded to AAC.
    public var audioWasTranscoded: Bool { copyAudio.contains(false) }
    /// One line saying which audio streams were re-encoded and why (nil when all are copied).
    public private(set) var audioNote: String?

    /// Starts an encoder writing to `outputPath`. `format` forces the container (e.g. "mp4" for a
    /// temporary name whose extension FFmpeg would not recognise).
    public init(outputPath: String, settings: EncoderSettings, format: String? = nil) throws {
        guard settings.width > 0, settings.height > 0 else {
            throw MediaError.unsupportedSize(outputPath, width: settings.width, height: settings.height,
                                             reason: "empty frame")
        }
        self.settings = settings
        self.outputPath = outputPath
        self.format = format
        if let src = settings.audioSource {
            let plan = try AudioCopyPlan.make(source: src, container: Self.containerName(output: outputPath, format: format),
                                              codecs: settings.audioCodecs)
            copyAudio = plan.copy
            audioNote = plan.note
        }
        child = try ChildProcess(tool: "ffmpeg",
                                 arguments: settings.arguments(output: outputPath, copyAudio: copyAudio, format: format),
                                 direction: .writeToChild)
    }

    public func write(_ frame: RGBFrame) throws {
        guard settings.inputPixelFormat == "rgb24" else { throw MediaError.frameSizeMismatch(expected: "gray frame", got: "RGB frame") }
        try check(frame.width, frame.height)
        try frame.pixels.withUnsafeBytes { try writeBytes($0) }
    }

    public func write(_ frame: GrayFrame) throws {
        guard settings.inputPixelFormat == "gray" else { throw MediaError.frameSizeMismatch(expected: "RGB frame", got: "gray frame") }
        try check(frame.width, frame.height)
        try frame.pixels.withUnsafeBytes { try writeBytes($0) }
    }

    func check(_ w: Int, _ h: Int) throws {
        if w != settings.width || h != settings.height {
            throw MediaError.frameSizeMismatch(expected: "\(settings.width)x\(settings.height)", got: "\(w)x\(h)")
        }
    }

    func writeBytes(_ buffer: UnsafeRawBufferPointer) throws {
        guard let c = child else { throw MediaError.encoderClosed }
        if !c.writeFully(buffer.baseAddress!, count: buffer.count) {
            c.closePipe()
            c.wait()
            child = nil
            throw MediaError.ffmpegFailed(tool: "ffmpeg (encoder)", detail: FFmpegTools.lastLine(c.stderrText))
        }
        framesWritten += 1
    }

    /// Flushes and waits for the encoder; the output file is complete when this returns.
    public func finish() throws {
        guard let c = child else { throw MediaError.encoderClosed }
        child = nil
        c.closePipe()
        let status = c.wait()
        if status != 0 {
            throw MediaError.ffmpegFailed(tool: "ffmpeg (encoder)", detail: FFmpegTools.lastLine(c.stderrText))
        }
    }

    /// Aborts: stops the encoder and deletes whatever it wrote.
    public func cancel() {
        if let c = child {
            child = nil
            c.closePipe()
            c.terminate()
            c.wait()
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    static func containerName(output: String, format: String?) -> String {
        let fmt = format ?? (output as NSString).pathExtension.lowercased()
        return fmt == "mkv" ? "matroska" : fmt
    }
}

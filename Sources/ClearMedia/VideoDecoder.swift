// Streaming decode to 8-bit frames through an `ffmpeg` child process (rawvideo on a pipe):
// one frame in memory at a time, rotation metadata applied (FFmpeg autorotate), every decoded
// frame delivered (`-fps_mode passthrough`, so variable-rate input keeps its frame count).
import Foundation

public final class VideoDecoder: @unchecked Sendable {
    public enum PixelLayout: Sendable {
        case rgb24, gray
        /// Planar 8-bit YUV 4:2:0 (see YUV420Frame.swift); bit-exact for yuv420p sources.
        case yuv420p
    }

    public let info: VideoInfo
    public let layout: PixelLayout
    private let child: ChildProcess
    public private(set) var framesDecoded = 0
    private var finished = false

    /// Opens `info.path` for decoding (probe it first with `VideoProbe.probe`).
    public init(info: VideoInfo, layout: PixelLayout = .rgb24) throws {
        self.info = info
        self.layout = layout
        child = try ChildProcess(tool: "ffmpeg", arguments: [
            "-nostdin", "-hide_banner", "-v", "error", "-i", info.path,
            "-map", "0:v:0", "-fps_mode", "passthrough", "-an", "-sn", "-dn",
            "-f", "rawvideo", "-pix_fmt", Self.ffmpegName(layout), "-",
        ], direction: .readFromChild)
    }

    public convenience init(path: String, layout: PixelLayout = .rgb24) throws {
        try self.init(info: VideoProbe.probe(path), layout: layout)
    }

    private var frameBytes: Int { Self.frameBytes(layout, width: info.width, height: info.height) }

    /// Next frame as raw bytes, or nil at the end of the stream. Throws if the stream ends early
    /// (truncated file) or FFmpeg reports a decoding failure.
    public func nextFrameBytes() throws -> [UInt8]? {
        if finished { return nil }
        var bytes = [UInt8](repeating: 0, count: frameBytes)
        let got = bytes.withUnsafeMutableBytes { child.readFully(into: $0.baseAddress!, count: frameBytes) }
        if got == frameBytes {
            framesDecoded += 1
            return bytes
        }
        finished = true
        child.closePipe()
        let status = child.wait()
        let err = child.stderrText
        if got != 0 {
            throw MediaError.corrupt(info.path, detail: "stream ended inside a frame")
        }
        if status != 0 {
            if framesDecoded == 0 {
                throw MediaError.corrupt(info.path, detail: FFmpegTools.lastLine(err))
            }
            throw MediaError.truncated(info.path, decoded: framesDecoded, expected: info.frameCount)
        }
        if framesDecoded == 0 { throw MediaError.zeroFrames(info.path) }
        // A container that declares its frame count but delivers far fewer was cut short.
        if let declared = info.declaredFrameCount, framesDecoded < declared,
           Self.looksTruncated(stderr: err) || framesDecoded * 10 < declared * 9 {
            throw MediaError.truncated(info.path, decoded: framesDecoded, expected: declared)
        }
        return nil
    }

    /// Next RGB frame (layout must be `.rgb24`), or nil at the end.
    public func nextFrame() throws -> RGBFrame? {
        precondition(layout == .rgb24, "nextFrame() needs an rgb24 decoder")
        guard let b = try nextFrameBytes() else { return nil }
        return RGBFrame(width: info.width, height: info.height, pixels: b)
    }

    /// Next gray frame (layout must be `.gray`), or nil at the end.
    public func nextGrayFrame() throws -> GrayFrame? {
        precondition(layout == .gray, "nextGrayFrame() needs a gray decoder")
        guard let b = try nextFrameBytes() else { return nil }
        return GrayFrame(width: info.width, height: info.height, pixels: b)
    }

    /// Stops decoding early and releases the child process.
    public func close() {
        finished = true
        child.closePipe()
        child.terminate()
        child.wait()
    }

    static func looksTruncated(stderr: String) -> Bool {
        let s = stderr.lowercased()
        return s.contains("partial file") || s.contains("invalid data") || s.contains("truncat")
            || s.contains("error while decoding") || s.contains("corrupt")
    }
}

// Typed errors of the Media layer. Each message is one line: what is wrong and what to do.

public enum MediaError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(String)
    case isDirectory(String)
    case notAVideo(String, detail: String)
    case noVideoStream(String)
    case zeroFrames(String)
    case truncated(String, decoded: Int, expected: Int)
    /// The container's index or end is missing (e.g. an mp4 cut off before its `moov` box).
    case incompleteFile(String, detail: String)
    case corrupt(String, detail: String)
    case unsupportedSize(String, width: Int, height: Int, reason: String)
    case ffmpegMissing(String)
    case ffmpegFailed(tool: String, detail: String)
    case frameSizeMismatch(expected: String, got: String)
    case encoderClosed

    public var description: String {
        switch self {
        case .fileNotFound(let p):
            return "\(p): no such file; check the path"
        case .isDirectory(let p):
            return "\(p): is a directory, not a video file; pass a video file"
        case .notAVideo(let p, let d):
            return "\(p): not a readable video (\(d)); pass an mp4, mkv, mov, avi or webm file"
        case .noVideoStream(let p):
            return "\(p): contains no video stream (audio-only or data file); pass a video file"
        case .zeroFrames(let p):
            return "\(p): the video stream has zero frames; nothing to process"
        case .truncated(let p, let decoded, let expected):
            return "\(p): the video stream is truncated or corrupt (\(decoded) of \(expected) frames readable); re-download or re-export the file"
        case .incompleteFile(let p, let d):
            return "\(p): the file is incomplete (\(d)), probably cut off while downloading or recording; re-download or re-export the file"
        case .corrupt(let p, let d):
            return "\(p): the video stream is corrupt (\(d)); re-download or re-export the file"
        case .unsupportedSize(let p, let w, let h, let r):
            return "\(p): unsupported frame size \(w)x\(h) (\(r))"
        case .ffmpegMissing(let tool):
            return "\(tool) not found on PATH; install FFmpeg (Debian: apt-get install ffmpeg, or run `make deps`)"
        case .ffmpegFailed(let tool, let d):
            return "\(tool) failed: \(d)"
        case .frameSizeMismatch(let e, let g):
            return "frame size mismatch: expected \(e), got \(g)"
        case .encoderClosed:
            return "the encoder is already finished or cancelled"
        }
    }
}

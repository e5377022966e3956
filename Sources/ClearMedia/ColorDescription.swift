// A video stream's colour description (matrix, primaries, transfer, range) as ffprobe names it,
// so an output can carry the same tags as its source (`VideoProbe` reads it with the rest).
import Foundation

public struct ColorDescription: Sendable, Equatable {
    /// e.g. "bt709", "smpte170m", "bt2020nc"; nil when the stream does not say.
    public var matrix: String?
    public var primaries: String?
    public var transfer: String?
    /// "tv" (limited) or "pc" (full); nil when unknown.
    public var range: String?

    public init(matrix: String? = nil, primaries: String? = nil, transfer: String? = nil, range: String? = nil) {
        self.matrix = matrix
        self.primaries = primaries
        self.transfer = transfer
        self.range = range
    }

    /// Output options that tag these values (unknown ones are left out).
    public var outputArguments: [String] {
        var a: [String] = []
        if let m = matrix { a += ["-colorspace", m] }
        if let p = primaries { a += ["-color_primaries", p] }
        if let t = transfer { a += ["-color_trc", t] }
        if let r = range { a += ["-color_range", r] }
        return a
    }

    /// Probes the first video stream of `path`.
    public static func probe(_ path: String) throws -> ColorDescription {
        let r = try FFmpegTools.run("ffprobe", [
            "-v", "error", "-select_streams", "v:0", "-print_format", "json",
            "-show_entries", "stream=color_space,color_primaries,color_transfer,color_range", "--", path,
        ])
        guard r.status == 0,
              let root = try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any],
              let stream = (root["streams"] as? [[String: Any]])?.first else {
            throw MediaError.notAVideo(path, detail: FFmpegTools.lastLine(r.stderr))
        }
        return ColorDescription(stream: stream)
    }

    /// From an ffprobe JSON stream entry (unset, "unknown" and "reserved" values are nil).
    init(stream: [String: Any]) {
        func known(_ key: String) -> String? {
            guard let v = stream[key] as? String, !v.isEmpty, v != "unknown", v != "reserved" else { return nil }
            return v
        }
        self.init(matrix: known("color_space"), primaries: known("color_primaries"),
                  transfer: known("color_transfer"), range: known("color_range"))
    }
}

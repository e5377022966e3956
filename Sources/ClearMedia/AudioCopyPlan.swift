// Deciding, per audio stream of a source file, whether it can be copied unchanged into the output
// container or must be re-encoded to AAC (e.g. PCM from avi/mov or FLAC cannot go into mp4 with
// FFmpeg 5.1; Vorbis, Opus, MP3, AC-3 and AAC can). Decided by dry runs of FFmpeg's muxer.
import Foundation

struct AudioCopyPlan: Equatable {
    /// One entry per audio stream of the source, in order: true = copy, false = re-encode to AAC.
    var copy: [Bool]
    /// Codec names of the source's audio streams, in order.
    var codecs: [String]

    /// One line naming the re-encoded streams, or nil when every stream is copied.
    var note: String? {
        let moved = copy.indices.filter { !copy[$0] }
        guard !moved.isEmpty else { return nil }
        let list = moved.map { "#\($0) (\(codecs[$0]))" }.joined(separator: ", ")
        return "audio stream\(moved.count > 1 ? "s" : "") \(list) cannot be stored unchanged in this container; re-encoded to AAC 320 kb/s"
    }

    /// `codecs`: the source's audio codec names when already known (one probe fewer).
    static func make(source: String, container: String, codecs known: [String]? = nil) throws -> AudioCopyPlan {
        let codecs = try known ?? audioCodecs(source)
        if codecs.isEmpty { return AudioCopyPlan(copy: [], codecs: []) }
        if try muxes(source: source, map: "0:a", container: container) {
            return AudioCopyPlan(copy: codecs.map { _ in true }, codecs: codecs)
        }
        var copy: [Bool] = []
        for i in codecs.indices { copy.append(try muxes(source: source, map: "0:a:\(i)", container: container)) }
        return AudioCopyPlan(copy: copy, codecs: codecs)
    }

    /// Codec names of the audio streams of `source`, in stream order.
    static func audioCodecs(_ source: String) throws -> [String] {
        let r = try FFmpegTools.run("ffprobe", ["-v", "error", "-select_streams", "a",
                                                "-show_entries", "stream=codec_name", "-of", "csv=p=0", "--", source])
        guard r.status == 0 else { return [] }
        return String(decoding: r.stdout, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether the streams selected by `map` can be stream-copied into `container` (dry run on
    /// the first half second, written to /dev/null).
    static func muxes(source: String, map: String, container: String) throws -> Bool {
        let r = try FFmpegTools.run("ffmpeg", ["-nostdin", "-v", "error", "-i", source, "-map", map, "-c", "copy",
                                               "-t", "0.5", "-f", container, "-y", "/dev/null"])
        return r.status == 0
    }
}

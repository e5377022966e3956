// Probing a media file with ffprobe (JSON output) into `VideoInfo`, with one-line typed errors.
import Foundation

public enum VideoProbe {
    /// Probes `path`. Throws `MediaError` for a missing file, a directory, a non-video, no video
    /// stream or zero frames.
    public static func probe(_ path: String) throws -> VideoInfo {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw MediaError.fileNotFound(path)
        }
        if isDir.boolValue { throw MediaError.isDirectory(path) }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MediaError.notAVideo(path, detail: "permission denied")
        }
        let result = try FFmpegTools.run("ffprobe", [
            "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
            "-count_packets", "--", path,
        ])
        guard result.status == 0 else {
            let line = FFmpegTools.lastLine(result.stderr).replacingOccurrences(of: path + ": ", with: "")
            if result.stderr.contains("moov atom not found") && startsWithFtypBox(path) {
                throw MediaError.incompleteFile(path, detail: "mp4 index (moov box) missing")
            }
            throw MediaError.notAVideo(path, detail: line)
        }
        guard let root = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw MediaError.notAVideo(path, detail: "ffprobe gave no readable description")
        }
        let info = try parse(root, path: path)
        try checkComplete(info, probeErrors: result.stderr)
        return info
    }

    /// Rejects a file whose demuxer reports a premature end, or whose container declares more
    /// video frames than can be read (a download or recording cut short).
    static func checkComplete(_ info: VideoInfo, probeErrors: String) throws {
        let readable = info.readablePacketCount ?? info.frameCount
        if let declared = info.declaredFrameCount, readable < declared,
           declared - readable > max(1, declared / 100) {
            throw MediaError.truncated(info.path, decoded: readable, expected: declared)
        }
        let e = probeErrors.lowercased()
        if e.contains("file ended prematurely") || e.contains("partial file") {
            throw MediaError.incompleteFile(info.path, detail: "the container ends prematurely")
        }
    }

    /// True when the file begins like an ISO-BMFF (mp4/mov) file: a box of type `ftyp`.
    static func startsWithFtypBox(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 8)) ?? Data()
        return head.count == 8 && head[head.startIndex + 4 ..< head.startIndex + 8] == Data("ftyp".utf8)
    }

    static func parse(_ root: [String: Any], path: String) throws -> VideoInfo {
        let streams = root["streams"] as? [[String: Any]] ?? []
        let format = root["format"] as? [String: Any] ?? [:]
        let container = format["format_name"] as? String ?? "unknown"
        // Cover art (attached_pic) is a video stream in FFmpeg's eyes but not a video.
        let video = streams.first { s in
            (s["codec_type"] as? String) == "video" &&
                ((s["disposition"] as? [String: Any])?["attached_pic"] as? Int ?? 0) == 0
        }
        guard let v = video else {
            if streams.isEmpty && !["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"].contains(container) {
                throw MediaError.notAVideo(path, detail: "no media streams")
            }
            throw MediaError.noVideoStream(path)
        }
        let codedW = int(v["width"]) ?? 0, codedH = int(v["height"]) ?? 0
        guard codedW > 0, codedH > 0 else {
            throw MediaError.notAVideo(path, detail: "video stream without a frame size")
        }
        let rotation = rotationDegrees(v)
        let swap = rotation == 90 || rotation == 270
        let duration = double(v["duration"]) ?? double(format["duration"]) ?? 0
        let declared = int(v["nb_frames"]).flatMap { $0 > 0 ? $0 : nil }
        let packets = int(v["nb_read_packets"])
        // Packets actually present (one per frame for video); the header's count only as a fallback.
        let frameCount = (packets ?? 0) > 0 ? packets! : (declared ?? 0)
        guard frameCount > 0 else { throw MediaError.zeroFrames(path) }

        let nominal = FrameRate(parsing: v["r_frame_rate"] as? String ?? "")
        let average = FrameRate(parsing: v["avg_frame_rate"] as? String ?? "")
        var fps = average ?? nominal ?? FrameRate(25, 1)
        if average == nil, duration > 0 {
            fps = FrameRate(Int((Double(frameCount) / duration * 1000).rounded()), 1000)
        }
        var vfr = false
        if let n = nominal, let a = average, abs(n.value - a.value) > 0.01 * a.value { vfr = true }

        let pixFmt = v["pix_fmt"] as? String ?? "unknown"
        let audio: [AudioStreamInfo] = streams.filter { ($0["codec_type"] as? String) == "audio" }.map { s in
            AudioStreamInfo(index: int(s["index"]) ?? 0, codec: s["codec_name"] as? String ?? "unknown",
                            channels: int(s["channels"]) ?? 0, sampleRate: int(s["sample_rate"]) ?? 0,
                            language: (s["tags"] as? [String: Any])?["language"] as? String)
        }
        var info = VideoInfo(
            path: path, container: container, codec: v["codec_name"] as? String ?? "unknown",
            width: swap ? codedH : codedW, height: swap ? codedW : codedH,
            codedWidth: codedW, codedHeight: codedH, rotation: rotation,
            pixelFormat: pixFmt, bitDepth: bitDepth(v, pixFmt),
            fps: fps, isVariableFrameRate: vfr, frameCount: frameCount,
            durationSeconds: duration > 0 ? duration : Double(frameCount) / fps.value,
            audioStreams: audio, declaredFrameCount: declared, readablePacketCount: packets)
        info.color = ColorDescription(stream: v)
        return info
    }

    /// Rotation from the display matrix side data (FFmpeg ≥ 5) or the legacy `rotate` tag,
    /// normalised to 0/90/180/270 clockwise.
    static func rotationDegrees(_ v: [String: Any]) -> Int {
        var degrees = 0.0
        if let sides = v["side_data_list"] as? [[String: Any]] {
            for s in sides { if let r = double(s["rotation"]) { degrees = -r } }  // display matrix is counter-clockwise
        }
        if degrees == 0, let tag = (v["tags"] as? [String: Any])?["rotate"] as? String, let r = Double(tag) {
            degrees = r
        }
        let q = Int((degrees / 90).rounded()) * 90
        return ((q % 360) + 360) % 360
    }

    static func bitDepth(_ v: [String: Any], _ pixFmt: String) -> Int {
        if let b = int(v["bits_per_raw_sample"]), b > 0 { return b }
        for (suffix, depth) in [("p16", 16), ("p14", 14), ("p12", 12), ("p10", 10), ("p9", 9)] where pixFmt.contains(suffix) {
            return depth
        }
        return 8
    }

    static func int(_ any: Any?) -> Int? {
        if let i = any as? Int { return i }
        if let s = any as? String { return Int(s) }
        if let d = any as? Double { return Int(d) }
        return nil
    }

    static func double(_ any: Any?) -> Double? {
        if let d = any as? Double { return d }
        if let i = any as? Int { return Double(i) }
        if let s = any as? String { return Double(s) }
        return nil
    }
}

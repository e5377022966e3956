// Small synthetic clips made with FFmpeg's lavfi sources (testsrc2/testsrc picture, sine audio), for tests
// and benchmarks: any size, rate, length, codec and container, without shipping media files.
import Foundation

public enum SyntheticClip {
    /// Writes `path` with a test-pattern video (`width`×`height`, `rate` fps, `seconds` long) and, when
    /// `audioCodec` is not nil, a sine tone in that codec. `videoArgs` choose the video codec;
    /// `extra` go before the output name (e.g. metadata, container options).
    public static func make(_ path: String, width: Int = 160, height: Int = 120, rate: Int = 10,
                            seconds: Double = 2, audioCodec: String? = "aac",
                            videoArgs: [String] = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
                            extra: [String] = []) throws {
        // testsrc2 rounds sizes to even numbers; testsrc (RGB) keeps odd ones exactly.
        let source = width % 2 == 0 && height % 2 == 0 ? "testsrc2" : "testsrc"
        var a = ["-nostdin", "-v", "error", "-y",
                 "-f", "lavfi", "-i", "\(source)=size=\(width)x\(height):rate=\(rate)"]
        if audioCodec != nil { a += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"] }
        a += ["-t", String(seconds), "-map", "0:v"]
        if let codec = audioCodec { a += ["-map", "1:a", "-c:a", codec] }
        a += videoArgs + extra + [path]
        try ffmpeg(a)
    }

    /// Runs ffmpeg with `arguments`, throwing its last error line on failure.
    public static func ffmpeg(_ arguments: [String]) throws {
        let r = try FFmpegTools.run("ffmpeg", arguments)
        guard r.status == 0 else { throw MediaError.ffmpegFailed(tool: "ffmpeg", detail: FFmpegTools.lastLine(r.stderr)) }
    }
}

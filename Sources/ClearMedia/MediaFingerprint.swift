// Checksums that show whether streams were carried over unchanged: the MD5 of the coded packets
// of a file's audio streams (FFmpeg stream copy into its md5 muxer, so no decoding is involved).
import Foundation

public enum MediaFingerprint {
    /// MD5 of the packets of every audio stream of `path`, in stream order.
    public static func audioPacketMD5(_ path: String) throws -> String {
        let r = try FFmpegTools.run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        guard r.status == 0 else { throw MediaError.ffmpegFailed(tool: "ffmpeg", detail: FFmpegTools.lastLine(r.stderr)) }
        return String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

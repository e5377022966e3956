// `--copy-source`: NAME_source.mp4, the input as an mp4. An mp4 input is copied byte for byte;
// other containers are remuxed (video and audio streams copied, no re-encode); only when a codec
// cannot go into mp4 is it re-encoded (video: H.264 at the run's CRF, audio: AAC).
import Foundation
import ClearMedia

public enum SourceCopier {
    public enum Method: String, Sendable { case byteCopy = "byte copy", remux, transcode }

    /// Writes the copy to `destination` (a temporary name; the container is forced to mp4).
    @discardableResult
    public static func copy(_ info: VideoInfo, to destination: URL, crf: Int) throws -> Method {
        let ext = URL(fileURLWithPath: info.path).pathExtension.lowercased()
        if info.container.contains("mp4") && ["mp4", "m4v"].contains(ext) {
            try? FileManager.default.removeItem(at: destination)
            do {
                try FileManager.default.copyItem(atPath: info.path, toPath: destination.path)
            } catch {
                throw PipelineError.writeFailed(destination.path, detail: "copy failed")
            }
            return .byteCopy
        }
        let base = ["-nostdin", "-v", "error", "-y", "-i", info.path, "-map", "0:v:0", "-map", "0:a?"]
        let remux = try FFmpegTools.run("ffmpeg", base + ["-c", "copy", "-f", "mp4", destination.path])
        if remux.status == 0 { return .remux }
        let pixFmt = info.width % 2 == 0 && info.height % 2 == 0 ? "yuv420p" : "yuv444p"
        let encode = try FFmpegTools.run("ffmpeg", base + [
            "-c:v", "libx264", "-crf", String(crf), "-pix_fmt", pixFmt, "-c:a", "aac", "-b:a", "320k",
            "-f", "mp4", destination.path,
        ])
        guard encode.status == 0 else {
            throw PipelineError.writeFailed(destination.path, detail: FFmpegTools.lastLine(encode.stderr))
        }
        return .transcode
    }
}

// The numbers `clearsub bench io` prints, as a table or as JSON.
import Foundation
import ClearMedia

struct BenchIOReport {
    let info: VideoInfo
    /// The re-encoded file, probed before it is deleted.
    let output: VideoInfo
    let crf: Int
    let frames: Int
    let seconds: Double
    let ffmpegSeconds: Double
    let selfPeakMiB: Double
    let childrenPeakMiB: Double

    var fps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    var ffmpegFps: Double { ffmpegSeconds > 0 ? Double(frames) / ffmpegSeconds : 0 }
    var ratio: Double { ffmpegFps > 0 ? fps / ffmpegFps : 0 }

    private func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

    var table: String {
        """
        bench io: \(info.path) (\(info.width)x\(info.height), \(info.fps.value) fps, \(frames) frames, crf \(crf))
          clearsub decode → identity → encode + audio copy: \(f(seconds)) s, \(f(fps, 1)) fps
          plain ffmpeg -c:v libx264 -crf \(crf) -c:a copy:    \(f(ffmpegSeconds)) s, \(f(ffmpegFps, 1)) fps
          output: \(output.width)x\(output.height), \(output.frameCount) frames, \(f(output.durationSeconds, 3)) s (input \(f(info.durationSeconds, 3)) s)
          fps ratio clearsub / ffmpeg:                      \(f(ratio))
          peak RSS clearsub:                                \(f(selfPeakMiB, 1)) MiB
          peak RSS of FFmpeg children (largest):            \(f(childrenPeakMiB, 1)) MiB
        """
    }

    var json: String {
        let object: [String: Any] = [
            "video": info.path, "width": info.width, "height": info.height, "fps": info.fps.value,
            "frames": frames, "crf": crf,
            "clearsub_seconds": seconds, "clearsub_fps": fps,
            "ffmpeg_seconds": ffmpegSeconds, "ffmpeg_fps": ffmpegFps, "fps_ratio": ratio,
            "output_width": output.width, "output_height": output.height, "output_frames": output.frameCount,
            "output_duration_seconds": output.durationSeconds, "input_duration_seconds": info.durationSeconds,
            "output_audio_codecs": output.audioStreams.map(\.codec), "input_audio_codecs": info.audioStreams.map(\.codec),
            "peak_rss_mib": selfPeakMiB, "children_peak_rss_mib": childrenPeakMiB,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

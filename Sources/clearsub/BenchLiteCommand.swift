// `clearsub bench lite [VIDEO] [--json]` (issue 4 "Speed"; design §7): the lite engine's frames per
// second at 1280×720 alone (frames decoded beforehand) and end to end (decode → engine → encode
// with audio copy), beside a plain FFmpeg decode+encode of the same clip in the same run (the I/O
// floor), and peak RSS. Default clip: the bundled subtitled sample scaled to 1280×720 (found from
// any directory, under the repository the binary was built in). Both engine passes stream the
// frames through the same ChunkedProcessor and include the long-range static-scene analysis
// (`StaticSceneTracker`) unless it is turned off (CLEARSUB_LITE_STATIC_SCENE=0); like the frames,
// its gray frames' block statistics are computed before the engine-alone pass, as `clearsub
// remove` computes them on its gray decoder's thread. It also says which arithmetic ran: the
// networks' precision and the builds of the C kernels (AVX-512, AVX2 or the Swift loops).
import ArgumentParser
import ClearLite
import ClearMedia
import ClearPipeline
import ClearTensor
import Foundation

struct BenchLiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lite", abstract: "Lite engine fps at 1280x720 (engine alone, end to end) against plain FFmpeg.")

    @Argument(help: "Subtitled clip (default: Resources/samples/hall_subbed.mp4 scaled to 1280x720).")
    var video: String?
    @Option(help: "Frames to use from the clip.") var frames = 48
    @Flag(help: "Print JSON instead of a table.") var json = false

    static let sample = "Resources/samples/hall_subbed.mp4"

    /// The bundled sample: under the current directory (the repository's root) or, from anywhere
    /// else, under the repository the running binary was built in (`.build/…/clearsub`).
    static func bundledSample() throws -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: sample) { return sample }
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent(sample).path
            if fm.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        throw ValidationError("no VIDEO given and the bundled sample \(sample) is not under the current directory or the "
                              + "repository clearsub was built in: give a clip, e.g. `clearsub bench lite clip.mp4`")
    }

    func run() throws {
        let scratch = try ScratchDirectory(label: "bench-lite")
        defer { scratch.remove() }
        let clip = scratch.path("bench.mp4")
        let source = try video ?? Self.bundledSample()
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", source, "-frames:v", String(frames),
                                  "-vf", video == nil ? "scale=1280:720" : "null", "-c:v", "libx264", "-crf", "10",
                                  "-pix_fmt", "yuv420p", "-c:a", "aac", clip])
        let info = try VideoProbe.probe(clip)
        let engine = try LiteEngine.configured()

        // Engine alone (with its long-range static-scene analysis, fed from pre-decoded gray frames).
        let decoder = try VideoDecoder(info: info)
        var all: [RGBFrame] = []
        while let f = try decoder.nextFrame() { all.append(f) }
        decoder.close()
        // (reduced to block statistics beforehand, as `clearsub remove` does on its reading thread)
        let grayDecoder = try VideoDecoder(info: info, layout: .gray)
        var blockFrames: [StaticSceneTracker.BlockFrame] = []
        while let g = try grayDecoder.nextGrayFrame() { blockFrames.append(StaticSceneTracker.BlockFrame(g)) }
        grayDecoder.close()
        var grayIndex = 0
        let tracker = engine.staticSceneSettings.map { settings in
            StaticSceneTracker(width: info.width, height: info.height, fps: info.fps.value, settings: settings, blockFrames: {
                defer { grayIndex += 1 }
                return grayIndex < blockFrames.count ? blockFrames[grayIndex] : nil
            })
        }
        // Streamed exactly as `clearsub remove` streams it (ChunkedProcessor), minus decode and encode.
        let processor = try ChunkedProcessor(engine: engine)
        let t0 = Date()
        var next = 0
        try processor.run(next: { () -> RGBFrame? in
            defer { next += 1 }
            return next < all.count ? all[next] : nil
        }, emit: { _, _ in }, staticScene: tracker.map { t in { try t.map(at: $0) } })
        let engineSeconds = Date().timeIntervalSince(t0)
        all.removeAll()
        blockFrames.removeAll()

        // End to end.
        let out = URL(fileURLWithPath: scratch.path("out"))
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let pipeline = RemovalPipeline(engine: engine, options: RemovalOptions(outputDir: out), cancellation: CancellationToken())
        let entry = try pipeline.process(info)

        // Plain FFmpeg decode + encode.
        let f0 = Date()
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", clip, "-c:v", "libx264", "-crf", "16",
                                  "-c:a", "copy", scratch.path("ffmpeg.mp4")])
        let ffmpegSeconds = Date().timeIntervalSince(f0)

        let n = Double(entry.numFrames)
        let report: [String: Any] = [
            "video": source, "width": info.width, "height": info.height, "frames": entry.numFrames,
            "engine_fps": n / engineSeconds, "end_to_end_fps": n / entry.totalTimeSeconds,
            "ffmpeg_fps": n / ffmpegSeconds, "peak_rss_bytes": Int(ResourceUsage.selfPeakMiB * 1024 * 1024),
            "threads": ProcessInfo.processInfo.activeProcessorCount,
            "occlusion_precision": engine.occlusionPrecision.rawValue, "restoration_precision": engine.restorationPrecision.rawValue,
            "kernel_set": KernelDispatch.activeName, "plate_kernels": KernelDispatch.plateBuild.rawValue,
            "avx2_kernels": KernelDispatch.avx2Allowed,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            func f(_ k: String) -> String { String(format: "%.2f", report[k] as! Double) }
            print("""
                bench lite: \(source) → \(info.width)x\(info.height), \(entry.numFrames) frames
                  engine alone:                 \(f("engine_fps")) fps
                  end to end (decode+lite+enc): \(f("end_to_end_fps")) fps
                  plain ffmpeg decode+encode:   \(f("ffmpeg_fps")) fps
                  peak RSS:                     \(String(format: "%.1f", ResourceUsage.selfPeakMiB)) MiB
                  networks:                     head \(engine.occlusionPrecision.rawValue), restoration \(engine.restorationPrecision.rawValue)
                  kernels:                      \(KernelDispatch.activeName), plate \(KernelDispatch.plateBuild.rawValue), AVX2 \(KernelDispatch.avx2Allowed ? "on" : "off")
                """)
        }
    }
}

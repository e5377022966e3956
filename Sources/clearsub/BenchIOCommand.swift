// `clearsub bench io VIDEO`: the streaming I/O floor. Re-encodes VIDEO through the full removal
// path (probe → decode → windowed identity pass → H.264 encode with audio copy → rename) and, in
// the same run, a plain `ffmpeg -i VIDEO -c:v libx264 -crf N -c:a copy`; reports frames, seconds,
// fps, the output's frame count, size and duration (checked by re-probing it), their ratio and the peak RSS of clearsub and of its FFmpeg children.
import ArgumentParser
import Foundation
import ClearMedia
import ClearPipeline

struct BenchIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "io",
        abstract: "Streaming decode → identity → encode throughput and memory, against plain FFmpeg.")

    @Argument(help: "Video to re-encode.")
    var video: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "H.264 quality, 0 to 51.")
    var crf = 16

    mutating func validate() throws {
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51 (got \(crf))") }
    }

    func run() throws {
        let info = try VideoProbe.probe(video)
        let token = CancellationToken()
        let trap = SignalTrap(token: token)
        defer { withExtendedLifetime(trap) {} }
        let scratch = try ScratchDirectory(label: "bench-io")
        let dir = scratch.url
        token.track(dir.path)
        defer { scratch.remove(); token.untrack(dir.path) }

        var options = RemovalOptions(outputDir: dir)
        options.crf = crf
        let pipeline = RemovalPipeline(engine: IdentityPass(), options: options, cancellation: token)
        let entry: TimingEntry
        do {
            entry = try pipeline.process(info)
        } catch PipelineError.cancelled {
            CLIOutput.line(PipelineError.cancelled.description)
            throw ExitCode(SignalTrap.interruptedExitCode)
        }
        let selfPeak = ResourceUsage.selfPeakMiB
        let childPeak = ResourceUsage.childrenPeakMiB
        let cleaned = pipeline.plan(for: info.path).cleaned
        let output = try VideoProbe.probe(cleaned.path)
        try? FileManager.default.removeItem(at: cleaned)
        if token.isCancelled { throw ExitCode(SignalTrap.interruptedExitCode) }

        let baseline = try plainFFmpeg(info: info, output: dir.appendingPathComponent("ffmpeg.mp4").path, token: token)
        let report = BenchIOReport(info: info, output: output, crf: crf, frames: entry.numFrames, seconds: entry.totalTimeSeconds,
                                   ffmpegSeconds: baseline, selfPeakMiB: selfPeak, childrenPeakMiB: childPeak)
        print(json ? report.json : report.table)
    }

    /// Wall seconds of `ffmpeg -i VIDEO -c:v libx264 -crf N -c:a copy OUT.mp4` (audio re-encoded to
    /// AAC only if it cannot be copied into mp4).
    private func plainFFmpeg(info: VideoInfo, output: String, token: CancellationToken) throws -> Double {
        token.track(output)
        defer { unlink(output); token.untrack(output) }
        let start = Date()
        for audio in ["copy", "aac"] {
            let r = try FFmpegTools.run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", info.path,
                                                   "-c:v", "libx264", "-crf", String(crf), "-c:a", audio, output])
            if token.isCancelled {
                CLIOutput.line(PipelineError.cancelled.description)
                throw ExitCode(SignalTrap.interruptedExitCode)
            }
            if r.status == 0 { return Date().timeIntervalSince(start) }
            if audio == "aac" { throw MediaError.ffmpegFailed(tool: "ffmpeg", detail: FFmpegTools.lastLine(r.stderr)) }
        }
        return Date().timeIntervalSince(start)
    }
}

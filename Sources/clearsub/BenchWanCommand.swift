// `clearsub bench wan`: the whole `clearsub remove --engine wan` path on a generated clip, with a
// random-weight model folder written under the real file names, shapes and dtypes (UMT5 cut to 2
// layers; WanRandomModel), reporting seconds per frame and the peak RSS of the `remove` process.
// The remove run is a child process (this binary), so the peak RSS is its own, not the writer's.
import ArgumentParser
import ClearMedia
import ClearTensor
import ClearWan
import Foundation

struct BenchWanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wan", abstract: "End-to-end wan engine: seconds per frame and peak RSS on a generated clip (random weights).")

    @Option(help: "Clip size WxHxF (W, H multiples of 16).") var size = "480x272x33"
    @Option(help: "Denoising steps (CLEAR uses 5).") var steps = 1
    @Option(help: "bf16 or f32 (default: bf16 where the CPU runs it natively, else f32).") var dtype = Ops.nativeBF16 ? "bf16" : "f32"
    @Option(help: "Model folder to write (or reuse when complete); default: a temporary folder, removed afterwards.")
    var modelDir: String?
    @Flag(help: "Tiny model of the same structure (checks the command path in seconds).") var tiny = false
    @Flag(help: "Pass --raw-output (no composite, one VAE decode fewer).") var rawOutput = false
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Only write the model folder (--model-dir) and its LoRA, then stop.") var writeOnly = false

    struct Report: Encodable {
        let size: String, frames: Int, steps: Int, dtype: String, model: String
        let write_seconds: Double, remove_wall_seconds: Double, engine_seconds_per_frame: Double, wall_seconds_per_frame: Double
        /// CPU seconds (user + system) of the remove process: with the machine shared, wall time overstates the work.
        let remove_cpu_seconds: Double, cpu_seconds_per_frame: Double
        let peak_rss_bytes: Int, command: String
    }

    func run() throws {
        let p = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 3, p[0] >= 16, p[1] >= 16, p[2] >= 1 else { throw ValidationError("--size must be WxHxF (got '\(size)')") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard dtype == "bf16" || dtype == "f32" else { throw ValidationError("--dtype must be bf16 or f32") }
        let scratch = try ScratchDirectory(label: "bench-wan")
        defer { scratch.remove() }
        let model = modelDir ?? scratch.path("model")
        let lora = (model as NSString).appendingPathComponent("clear_lora_random.pt")
        let spec = tiny ? WanRandomModel.tiny : WanRandomModel.real()
        let w0 = Date()
        if (try? WanModelFolder(path: model)) == nil || !FileManager.default.fileExists(atPath: lora) {
            log("writing a random-weight model folder to \(model)…")
            let bytes = try spec.write(folder: model, lora: lora)
            log(String(format: "  %.2f GB written in %.0f s", Double(bytes) / 1e9, Date().timeIntervalSince(w0)))
        }
        let writeSeconds = Date().timeIntervalSince(w0)
        if writeOnly {
            guard modelDir != nil else { throw ValidationError("--write-only needs --model-dir DIR (the folder would be removed)") }
            print(lora)
            return
        }
        let clip = scratch.path("clip.mp4")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                  "testsrc2=size=\(p[0])x\(p[1]):rate=25,drawtext=text='subtitle text':fontcolor=white:fontsize=\(max(8, p[1] / 12)):x=(w-tw)/2:y=h-2*th",
                                  "-frames:v", String(p[2]), "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", clip])
        let out = scratch.path("out")
        var args = ["remove", clip, "--engine", "wan", "--model-base-path", model, "--lora-checkpoint", lora,
                    "--lora-rank", String(spec.loraRank), "--num-steps", String(steps), "--dtype", dtype, "--seed", "1",
                    "--output-dir", out, "--quiet"]
        if rawOutput { args.append("--raw-output") }
        log("running clearsub \(args.joined(separator: " "))…")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = args
        child.environment = ProcessInfo.processInfo.environment.merging(["CLEARSUB_CACHE_DIR": scratch.path("cache"), "CLEARSUB_WAN_LOG": "1"]) { $1 }
        let cpu0 = ResourceUsage.childrenCPUSeconds
        let r0 = Date()
        try child.run()
        child.waitUntilExit()
        let wall = Date().timeIntervalSince(r0)
        let cpu = ResourceUsage.childrenCPUSeconds - cpu0
        guard child.terminationStatus == 0 else { throw ValidationError("clearsub remove --engine wan failed (status \(child.terminationStatus))") }
        let timing = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/timing_info.json"))) as? [[String: Any]]
        let perFrame = (timing?.first?["time_per_frame_seconds"] as? Double) ?? .nan
        let report = Report(size: size, frames: p[2], steps: steps, dtype: dtype, model: tiny ? "tiny" : "real shapes (UMT5 2 layers)",
                            write_seconds: writeSeconds, remove_wall_seconds: wall, engine_seconds_per_frame: perFrame,
                            wall_seconds_per_frame: wall / Double(p[2]), remove_cpu_seconds: cpu, cpu_seconds_per_frame: cpu / Double(p[2]),
                            peak_rss_bytes: Int(ResourceUsage.childrenPeakMiB * 1024 * 1024),
                            command: "clearsub " + args.joined(separator: " "))
        if json {
            print(try JSONEncoder.benchReport(report))
        } else {
            print("size        frames  steps  dtype  s/frame (remove)  s/frame (wall, incl. load)  CPU s/frame  peak RSS")
            print(String(format: "%-11@ %6d  %5d  %-5@  %16.2f  %26.2f  %11.2f  %.2f GiB", size as NSString, p[2], steps, dtype as NSString,
                         perFrame, report.wall_seconds_per_frame, report.cpu_seconds_per_frame, Double(report.peak_rss_bytes) / 1_073_741_824))
        }
    }

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}

extension JSONEncoder {
    /// `value` as pretty-printed JSON with sorted keys (the `--json` output of the bench commands).
    static func benchReport<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }
}

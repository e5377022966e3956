// `clearsub remove VIDEO...` (shared/design.md §1.1): options in both spellings (kebab-case and
// CLEAR's snake_case), validation, then inputs probed and output conflicts checked before the
// engine is created, then each input run through the pipeline.
import ArgumentParser
import Foundation
import ClearMedia
import ClearPipeline

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove burned-in subtitles; writes NAME_cleaned.mp4 per input into the output directory.")

    @Argument(help: "Input videos (mp4, mkv, mov, avi, webm).")
    var videos: [String] = []

    @Option(name: [.customLong("input-video"), .customLong("input_video")], help: "An input video (CLEAR's spelling; repeatable).")
    var inputVideos: [String] = []

    @Option(name: [.customLong("output-dir"), .customLong("output_dir")], help: "Output directory.")
    var outputDir = "./results"

    @Option(help: "Removal engine: lite or wan.")
    var engine = "lite"

    @Flag(name: [.customLong("create-comparison"), .customLong("create_comparison")],
          help: "Also write NAME_comparison.mp4 (source | cleaned, side by side).")
    var createComparison = false

    @Flag(name: [.customLong("copy-source"), .customLong("copy_source")], help: "Also write NAME_source.mp4.")
    var copySource = false

    @Option(help: "H.264 quality, 0 (lossless) to 51.")
    var crf = 16

    @Flag(help: "Replace existing outputs.")
    var overwrite = false

    @Flag(help: "No progress bar.")
    var quiet = false

    @OptionGroup var wan: WanOptions

    mutating func validate() throws {
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51 (got \(crf))") }
        guard InstalledEngines.knownNames.contains(engine) else {
            throw ValidationError("--engine must be one of \(InstalledEngines.knownNames.joined(separator: ", ")) (got '\(engine)')")
        }
        if videos.isEmpty && inputVideos.isEmpty {
            throw ValidationError("no input video; pass one or more video files")
        }
        try wan.validate(engine: engine)
    }

    func run() throws {
        let inputs = videos + inputVideos
        let outDir = URL(fileURLWithPath: outputDir)
        // 1. Inputs and outputs, before any engine exists and before anything is written.
        let infos = try inputs.map { try VideoProbe.probe($0) }
        var options = RemovalOptions(outputDir: outDir)
        options.createComparison = createComparison
        options.copySource = copySource
        options.crf = crf
        let plans = inputs.map {
            OutputPlan(input: $0, outputDir: outDir, createComparison: createComparison, copySource: copySource)
        }
        try OutputPlan.checkConflicts(plans, overwrite: overwrite)
        try OutputDirectory.check(outDir)
        // 2. The engine.
        let removal = try InstalledEngines.registry.makeEngine(named: engine, options: wan.engineOptions)
        // 3. The work.
        try OutputDirectory.create(outDir)
        let token = CancellationToken()
        let trap = SignalTrap(token: token)
        defer { withExtendedLifetime(trap) {} }
        let bar = ProgressBar(quiet: quiet)
        let pipeline = RemovalPipeline(engine: removal, options: options, cancellation: token)
        pipeline.onProgress = { bar.update($0) }
        pipeline.onWarning = { bar.finish(); CLIOutput.warningLine($0) }
        var entries: [TimingEntry] = []
        for info in infos {
            do {
                entries.append(try pipeline.process(info))
                bar.finish()
            } catch PipelineError.cancelled {
                bar.finish()
                if !entries.isEmpty { try? TimingInfoFile.merge(entries, in: outDir) }
                CLIOutput.line(PipelineError.cancelled.description)
                throw ExitCode(SignalTrap.interruptedExitCode)
            } catch {
                bar.finish()
                if !entries.isEmpty { try? TimingInfoFile.merge(entries, in: outDir) }
                throw error
            }
            if !quiet {
                let e = entries[entries.count - 1]
                let secs = String(format: "%.1f", e.totalTimeSeconds)
                CLIOutput.line("\(info.path): \(e.numFrames) frames in \(secs) s -> \(pipeline.plan(for: info.path).cleaned.path)")
            }
        }
        try TimingInfoFile.merge(entries, in: outDir)
    }
}

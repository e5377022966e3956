// One input end to end: decode → windowed engine → encode NAME_cleaned.mp4 (audio copied), plus
// the optional comparison and source copy, all under temporary names renamed only when every
// output of the input is complete. Returns the input's timing entry.
import Foundation
import ClearMedia

public struct RemovalOptions: Sendable {
    public var outputDir: URL
    public var createComparison = false
    public var copySource = false
    public var crf = 16
    public var preset = "medium"

    public init(outputDir: URL) { self.outputDir = outputDir }
}

public final class RemovalPipeline {
    public let engine: any RemovalEngine
    public let options: RemovalOptions
    public let cancellation: CancellationToken
    /// Called after every written frame.
    public var onProgress: ((FrameProgress) -> Void)?
    /// Called with one-line warnings (e.g. audio re-encoded).
    public var onWarning: ((String) -> Void)?

    public init(engine: any RemovalEngine, options: RemovalOptions, cancellation: CancellationToken = CancellationToken()) {
        self.engine = engine
        self.options = options
        self.cancellation = cancellation
    }

    public func plan(for input: String) -> OutputPlan {
        OutputPlan(input: input, outputDir: options.outputDir,
                   createComparison: options.createComparison, copySource: options.copySource)
    }

    /// Processes one probed input. On any error or cancellation nothing of this input is left
    /// in the output directory (existing outputs stay untouched).
    public func process(_ info: VideoInfo) throws -> TimingEntry {
        let start = Date()
        let plan = plan(for: info.path)
        let processor = try ChunkedProcessor(engine: engine, cancellation: cancellation)
        let cleanedFile = PartialFile(final: plan.cleaned, cancellation: cancellation)
        let comparisonFile = plan.createComparison ? PartialFile(final: plan.comparison, cancellation: cancellation) : nil
        let sourceFile = plan.copySource ? PartialFile(final: plan.source, cancellation: cancellation) : nil
        var encoders: [VideoEncoder] = []
        let decoder = try VideoDecoder(info: info)
        do {
            defer { decoder.close() }
            let cleanedEncoder = try VideoEncoder(
                outputPath: cleanedFile.temporaryURL.path,
                settings: .h264(width: info.width, height: info.height, fps: info.fps, crf: options.crf,
                                preset: options.preset, audioSource: info.path),
                format: "mp4")
            encoders.append(cleanedEncoder)
            if let note = cleanedEncoder.audioNote { onWarning?("\(info.path): \(note)") }
            var comparisonEncoder: VideoEncoder?
            if let file = comparisonFile {
                let e = try VideoEncoder(
                    outputPath: file.temporaryURL.path,
                    settings: .h264(width: 2 * info.width, height: info.height, fps: info.fps, crf: options.crf,
                                    preset: options.preset, audioSource: info.path),
                    format: "mp4")
                encoders.append(e)
                comparisonEncoder = e
            }
            let name = plan.name
            let frames = try processor.run(next: { try decoder.nextFrame() }, emit: { original, cleaned in
                try cleanedEncoder.write(cleaned)
                try comparisonEncoder?.write(ComparisonComposer.compose(source: original, cleaned: cleaned))
                onProgress?(FrameProgress(videoName: name, framesDone: cleanedEncoder.framesWritten,
                                          totalFrames: max(info.frameCount, cleanedEncoder.framesWritten),
                                          elapsedSeconds: Date().timeIntervalSince(start)))
            })
            try cancellation.check()
            for e in encoders { try e.finish() }
            encoders = []
            try cancellation.check()
            if let file = sourceFile { try SourceCopier.copy(info, to: file.temporaryURL, crf: options.crf) }
            try cancellation.check()
            try cleanedFile.commit()
            try comparisonFile?.commit()
            try sourceFile?.commit()
            return TimingEntry(videoName: URL(fileURLWithPath: info.path).lastPathComponent,
                               totalTimeSeconds: Date().timeIntervalSince(start), numFrames: frames,
                               engine: engine.name, width: info.width, height: info.height, fps: info.fps.value)
        } catch {
            for e in encoders { e.cancel() }
            cleanedFile.discard()
            comparisonFile?.discard()
            sourceFile?.discard()
            if cancellation.isCancelled { throw PipelineError.cancelled }
            throw error
        }
    }
}

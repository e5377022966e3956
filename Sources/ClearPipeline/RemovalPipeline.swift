// One input end to end: decode → windowed engine → encode NAME_cleaned.mp4 (audio copied), plus
// the optional comparison and source copy, all under temporary names renamed only when every
// output of the input is complete. Returns the input's timing entry.
//
// Pixel path: an 8-bit yuv420p source of even size is also decoded as YUV 4:2:0 by a second
// decoder in lockstep (the engine still gets exactly the RGB frames of the RGB decoder), the
// engine's result is written into the source's YUV frame where it changed pixels
// (`YUVResultCompositor`) and encoded as yuv420p with the source's colour tags, so untouched pixels
// reach the encoder bit-exact. Other sources go RGB → encoder as before. The comparison stays RGB.
// A `StaticSceneAware` engine also gets, per frame, the blocks that stayed unchanged for seconds
// around it, from a gray decoder running ahead of the engine (`StaticSceneTracker`; its frames are
// reduced to block statistics on the decoder's read-ahead thread).
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
        let yuvPath = info.isEvenYUV420p8
        // yuv420p sources are decoded once, as YUV: the engine's RGB is converted from it here
        // (with the matrix that converts the engine's changes back); others are decoded as RGB.
        let decoder: VideoDecoder? = yuvPath ? nil : try VideoDecoder(info: info)
        var yuvDecoder: VideoDecoder?
        var sceneDecoder: VideoDecoder?
        var readers: [() -> Void] = []      // stops of the read-ahead threads, before the decoders close
        var sink: WriteBehind<(YUV420Frame?, RGBFrame, RGBFrame)>?
        do {
            defer {
                for stop in readers { stop() }
                decoder?.close()
                yuvDecoder?.close()
                sceneDecoder?.close()
            }
            // The long-range cue: a third decoder (gray) runs ahead of the engine by the tracker's window.
            var tracker: StaticSceneTracker?
            if let aware = engine as? any StaticSceneAware, let settings = aware.staticSceneSettings {
                let gray = try VideoDecoder(info: info, layout: .gray)
                sceneDecoder = gray
                // each frame is reduced to its blocks on the read-ahead thread, off the engine's
                let grayAhead = ReadAhead(capacity: 4, label: "clearsub.decode-gray") {
                    try gray.nextGrayFrame().map(StaticSceneTracker.BlockFrame.init)
                }
                readers.append(grayAhead.stop)
                tracker = StaticSceneTracker(width: info.width, height: info.height, fps: info.fps.value,
                                             settings: settings, revisit: max(64, engine.chunkSize),
                                             blockFrames: { try grayAhead.next() })
            }
            var settings = EncoderSettings.h264(width: info.width, height: info.height, fps: info.fps, crf: options.crf,
                                                preset: options.preset)
            settings.copyAudio(of: info)
            var matrix = YUVMatrix.bt601
            if yuvPath {
                settings.yuvInput = true
                settings.color = info.color
                matrix = YUVMatrix(info.color)
                yuvDecoder = try VideoDecoder(info: info, layout: .yuv420p)
            }
            let cleanedEncoder = try VideoEncoder(outputPath: cleanedFile.temporaryURL.path, settings: settings,
                                                  format: "mp4")
            encoders.append(cleanedEncoder)
            if let note = cleanedEncoder.audioNote { onWarning?("\(info.path): \(note)") }
            var comparisonEncoder: VideoEncoder?
            if let file = comparisonFile {
                var side = EncoderSettings.h264(width: 2 * info.width, height: info.height, fps: info.fps, crf: options.crf,
                                                preset: options.preset)
                side.copyAudio(of: info)
                let e = try VideoEncoder(outputPath: file.temporaryURL.path, settings: side, format: "mp4")
                encoders.append(e)
                comparisonEncoder = e
            }
            let name = plan.name
            // Decoding (and the YUV → RGB conversion) run ahead on their own thread, compositing
            // and encoding behind on another, so FFmpeg works while the engine computes.
            let decoded = ReadAhead<(YUV420Frame?, RGBFrame)>(capacity: 2, label: "clearsub.decode") {
                if let yd = yuvDecoder {
                    guard let yuv = try yd.nextYUVFrame() else { return nil }
                    return (yuv, yuv.rgb(matrix: matrix))
                }
                return try decoder?.nextFrame().map { (nil, $0) }
            }
            readers.append(decoded.stop)
            let writer = WriteBehind<(YUV420Frame?, RGBFrame, RGBFrame)>(capacity: 2, label: "clearsub.encode") { source, original, cleaned in
                if let source {
                    try cleanedEncoder.write(YUVResultCompositor.composite(source: source, original: original,
                                                                           cleaned: cleaned, matrix: matrix))
                } else {
                    try cleanedEncoder.write(cleaned)
                }
                try comparisonEncoder?.write(ComparisonComposer.compose(source: original, cleaned: cleaned))
            }
            sink = writer
            var pendingYUV: [YUV420Frame?] = []   // YUV of the frames pulled but not yet emitted, in order
            var framesDone = 0
            let frames = try processor.run(next: {
                guard let (yuv, rgb) = try decoded.next() else { return nil }
                pendingYUV.append(yuv)
                return rgb
            }, emit: { original, cleaned in
                try writer.put((pendingYUV.removeFirst(), original, cleaned))
                framesDone += 1
                onProgress?(FrameProgress(videoName: name, framesDone: framesDone,
                                          totalFrames: max(info.frameCount, framesDone),
                                          elapsedSeconds: Date().timeIntervalSince(start)))
            }, staticScene: tracker.map { t in { try t.map(at: $0) } })
            try writer.finish()
            sink = nil
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
            sink?.cancel()
            for e in encoders { e.cancel() }
            cleanedFile.discard()
            comparisonFile?.discard()
            sourceFile?.discard()
            if cancellation.isCancelled { throw PipelineError.cancelled }
            throw error
        }
    }
}

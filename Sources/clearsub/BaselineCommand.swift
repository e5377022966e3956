// `clearsub baseline telea VIDEO --mask MASK.mkv --output OUT.mp4 [--crf 10] [--dilate N] [--radius 5]`:
// the ground-truth-mask baseline of the lite engine's validation (issue 4). Every frame of VIDEO
// has the pixels where MASK's opacity is > 0 (optionally grown by a (2N+1)² square) filled by
// Telea's fast-marching inpainting (A. Telea, "An Image Inpainting Technique Based on the Fast
// Marching Method", 2004; ClearMetrics/TeleaInpainting.swift); the frames stream through the
// decoder and an H.264 encoder with VIDEO's audio copied, like `remove`. The output is written
// under a temporary name and renamed when complete; on any error nothing is left.
import ArgumentParser
import ClearMedia
import ClearMetrics
import ClearPipeline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Baselines for the validation of removal engines.",
        subcommands: [TeleaBaselineCommand.self])
}

struct TeleaBaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telea",
        abstract: "Fill the ground-truth subtitle mask of every frame by Telea's fast-marching inpainting.",
        discussion: """
        A reference point that knows exactly where the subtitles are (the mask from `clearsub synth`); \
        a mask-free engine should beat it. Pixels outside the (dilated) mask are copied unchanged \
        before the H.264 encode. Audio streams are copied as `remove` does.
        """)

    @Argument(help: "The subtitled video.")
    var video: String

    @Option(help: ArgumentHelp("Subtitle opacity video (NAME_mask.mkv from `clearsub synth`); pixels with opacity > 0 are filled.", valueName: "MASK"))
    var mask: String

    @Option(help: ArgumentHelp("The output video (H.264).", valueName: "OUT.mp4"))
    var output: String

    @Option(help: "H.264 quality, 0 (lossless) to 51.")
    var crf = 16

    @Option(help: "Grow the mask by this many pixels (square) before filling.")
    var dilate = 0

    @Option(help: "Neighbourhood radius of the fill, in pixels.")
    var radius = TeleaInpainting.defaultRadius

    @Flag(help: "Replace an existing output.")
    var overwrite = false

    @Flag(help: "No progress line.")
    var quiet = false

    mutating func validate() throws {
        guard (0...51).contains(crf) else { throw ValidationError("--crf must be between 0 and 51 (got \(crf))") }
        guard (0...64).contains(dilate) else { throw ValidationError("--dilate must be between 0 and 64 pixels (got \(dilate))") }
        guard (1...32).contains(radius) else { throw ValidationError("--radius must be between 1 and 32 pixels (got \(radius))") }
    }

    func run() throws {
        let info = try VideoProbe.probe(video)
        let maskInfo = try VideoProbe.probe(mask)
        if maskInfo.width != info.width || maskInfo.height != info.height {
            throw BaselineError.maskSize(mask, width: maskInfo.width, height: maskInfo.height,
                                         videoWidth: info.width, videoHeight: info.height)
        }
        if maskInfo.frameCount != info.frameCount {
            throw BaselineError.maskFrames(mask, frames: maskInfo.frameCount, videoFrames: info.frameCount)
        }
        let outURL = URL(fileURLWithPath: output)
        try BaselineError.checkOutput(outURL, input: video, mask: mask, overwrite: overwrite)

        let token = CancellationToken()
        let trap = SignalTrap(token: token)
        defer { withExtendedLifetime(trap) {} }
        let file = PartialFile(final: outURL, cancellation: token)
        let decoder = try VideoDecoder(info: info, layout: .rgb24)
        let maskDecoder = try VideoDecoder(info: maskInfo, layout: .gray)
        defer {
            decoder.close()
            maskDecoder.close()
        }
        let ext = outURL.pathExtension.lowercased()
        let encoder = try VideoEncoder(
            outputPath: file.temporaryURL.path,
            settings: .h264(width: info.width, height: info.height, fps: info.fps, crf: crf, audioSource: video),
            format: ext == "mkv" ? "matroska" : ext == "mov" ? "mov" : "mp4")
        if let note = encoder.audioNote { CLIOutput.warningLine("\(video): \(note)") }
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        let start = Date()
        do {
            while let frame = try decoder.nextFrame() {
                try token.check()
                guard let opacity = try maskDecoder.nextGrayFrame() else {
                    throw BaselineError.maskFrames(mask, frames: encoder.framesWritten, videoFrames: info.frameCount)
                }
                let hole = MaskDilation.dilate(BinaryMask(opacity: opacity), radius: dilate)
                try encoder.write(TeleaInpainting.inpaint(frame, mask: hole, radius: radius))
                let done = encoder.framesWritten
                if done % 10 == 0 || done == info.frameCount {
                    progress.show(String(format: "telea: frame %d/%d  %.1f fps", done, info.frameCount,
                                         Double(done) / max(Date().timeIntervalSince(start), 1e-9)))
                }
            }
            progress.end()
            if try maskDecoder.nextGrayFrame() != nil {
                throw BaselineError.maskFrames(mask, frames: encoder.framesWritten + 1, videoFrames: encoder.framesWritten)
            }
            try encoder.finish()
            try file.commit()
        } catch {
            progress.end()
            encoder.cancel()
            file.discard()
            if token.isCancelled {
                CLIOutput.line(PipelineError.cancelled.description)
                throw ExitCode(SignalTrap.interruptedExitCode)
            }
            throw error
        }
        if !quiet {
            CLIOutput.line(String(format: "%@: %d frames in %.1f s -> %@", video, encoder.framesWritten,
                                  Date().timeIntervalSince(start), output))
        }
    }
}

enum BaselineError: Error, CustomStringConvertible {
    case maskSize(String, width: Int, height: Int, videoWidth: Int, videoHeight: Int)
    case maskFrames(String, frames: Int, videoFrames: Int)
    case outputExists(String)
    case outputIsInput(String)
    case outputDirMissing(String)

    var description: String {
        switch self {
        case let .maskSize(p, w, h, vw, vh):
            return "mask \(p) is \(w)x\(h) but the video is \(vw)x\(vh); pass the mask made for this video by `clearsub synth`"
        case let .maskFrames(p, n, vn):
            return "mask \(p) has \(n) frames but the video has \(vn); pass the mask made for this video by `clearsub synth`"
        case let .outputExists(p):
            return "\(p) already exists; pass --overwrite to replace it or choose another --output"
        case let .outputIsInput(p):
            return "--output \(p) is one of the inputs; choose another path"
        case let .outputDirMissing(p):
            return "--output \(p): the folder does not exist; create it or pass another path"
        }
    }

    /// The output must not be an input, must not exist (unless `overwrite`), and its folder must exist.
    static func checkOutput(_ url: URL, input: String, mask: String, overwrite: Bool) throws {
        let path = url.standardizedFileURL.path
        for p in [input, mask] where URL(fileURLWithPath: p).standardizedFileURL.path == path {
            throw outputIsInput(url.path)
        }
        var isDir: ObjCBool = false
        let dir = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw outputDirMissing(url.path)
        }
        if !overwrite && FileManager.default.fileExists(atPath: url.path) { throw outputExists(url.path) }
    }
}

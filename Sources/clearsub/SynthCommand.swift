// `clearsub synth`: burns subtitles into clean videos with libass and writes, per input NAME.ext,
// DIR/NAME_subbed.mp4, DIR/NAME_mask.mkv (exact opacity, lossless FFV1 gray) and DIR/NAME.ass
// (shared/design.md §1.2). Errors: one line on stderr, non-zero exit, no partial files.
import ArgumentParser
import ClearMedia
import ClearSubtitles
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Burn random multilingual subtitles (or your .srt/.ass) into clean videos, with exact masks.",
        discussion: """
        Per input NAME.ext writes into --output-dir: NAME_subbed.mp4 (same frames, fps, size, audio \
        copied), NAME_mask.mkv (8-bit gray subtitle opacity, 0 where untouched, lossless FFV1) and \
        NAME.ass (the script used). Frame i is rendered at time i/fps. The same --seed gives the same cues.
        """)

    // Both are checked in `run` rather than by the parser, so a missing one is a one-line error too.
    @Argument(help: "Clean input video(s).")
    var videos: [String] = []

    @Option(name: [.customLong("output-dir"), .customLong("output_dir")], help: "Directory for the outputs (required).")
    var outputDir: String?

    @Option(help: "Comma-separated language codes for generated cues (\(SubtitleLanguage.allCodes)).")
    var languages: String?

    @Option(help: "Burn this .srt or .ass file instead of generated cues (.ass is used as is).")
    var subtitles: String?

    @Option(help: "Style preset: \(StylePreset.allCases.map(\.rawValue).joined(separator: ", ")) (default random: per cue).")
    var style: String?

    @Option(help: "Seed of the cue and style generator.")
    var seed: UInt64 = 0

    @Option(help: "H.264 CRF of the subtitled video (0–51; low keeps pixels outside the subtitles faithful).")
    var crf: Int = SynthRequest.defaultCRF

    @Flag(help: "Replace existing outputs.")
    var overwrite = false

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let progressLine = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        InterruptCleanup.install()
        do {
            let request = try makeRequest()
            let infos = try SubtitleBurner.prepare(inputs: videos, request: request)
            for info in infos {
                let name = URL(fileURLWithPath: info.path).lastPathComponent
                let outputs = try SubtitleBurner.run(info, request: request, progress: progressLine.enabled ? { done, total in
                    if done == total || done % 10 == 0 { progressLine.show("synth \(name): \(done)/\(total) frames") }
                } : nil)
                progressLine.end()
                if !quiet { print("\(name) -> \(outputs.video), \(outputs.mask), \(outputs.script)") }
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            progressLine.end()
            FileHandle.standardError.write(Data("clearsub: error: \(Self.oneLine(error))\n".utf8))
            throw ExitCode.failure
        }
    }

    func makeRequest() throws -> SynthRequest {
        if videos.isEmpty { throw SynthUsageError("no input video; pass one or more clean videos") }
        guard let outputDir, !outputDir.isEmpty else {
            throw SynthUsageError("--output-dir is required; pass the directory for the outputs")
        }
        guard (0...51).contains(crf) else {
            throw SynthUsageError("--crf \(crf) is out of range; pass a value from 0 to 51")
        }
        if let subtitles, languages != nil {
            throw SynthUsageError("--languages applies to generated cues only; drop it when burning \(subtitles)")
        }
        if let subtitles, style != nil, !subtitles.lowercased().hasSuffix(".srt") {
            throw SynthUsageError("--style applies to generated cues and .srt files; an .ass file keeps its own styles")
        }
        return SynthRequest(
            outputDirectory: outputDir,
            languages: try languages.map(SubtitleLanguage.parseList) ?? SubtitleLanguage.allCases,
            subtitlesFile: subtitles,
            preset: try style.map(StylePreset.init(parsing:)) ?? .random,
            seed: seed, crf: crf, overwrite: overwrite)
    }

    /// The error's own one-line description (typed errors carry what to do), never a dump.
    static func oneLine(_ error: Error) -> String {
        let text = String(describing: error)
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
    }
}

/// A bad combination of synth options, reported as one line.
struct SynthUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A single progress line on stderr, redrawn in place with a carriage return.
final class ProgressLine {
    let enabled: Bool
    private var open = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(text)".utf8))
        open = true
    }

    /// Ends the line (if one is showing) so the next output starts on a fresh line.
    func end() {
        if open { FileHandle.standardError.write(Data("\n".utf8)) }
        open = false
    }
}

// What `clearsub synth` is asked to do, the three output paths per input, and the script source
// (generated cues, a user's .srt converted, or a user's .ass used as is).
import Foundation
import ClearMedia

public struct SynthRequest: Sendable, Equatable {
    /// Default H.264 CRF of the subtitled video: low enough that pixels outside the subtitles stay
    /// faithful to the clean input (PSNR outside the 2-px-dilated mask > 48 dB on the sample).
    public static let defaultCRF = 10

    public var outputDirectory: String
    public var languages: [SubtitleLanguage]
    /// A user's .srt or .ass file to burn instead of generated cues.
    public var subtitlesFile: String?
    public var preset: StylePreset
    public var seed: UInt64
    public var crf: Int
    /// libx264 preset of the subtitled video.
    public var x264Preset: String
    public var overwrite: Bool

    public init(outputDirectory: String, languages: [SubtitleLanguage] = SubtitleLanguage.allCases,
                subtitlesFile: String? = nil, preset: StylePreset = .random, seed: UInt64 = 0,
                crf: Int = SynthRequest.defaultCRF, x264Preset: String = "medium", overwrite: Bool = false) {
        self.outputDirectory = outputDirectory
        self.languages = languages
        self.subtitlesFile = subtitlesFile
        self.preset = preset
        self.seed = seed
        self.crf = crf
        self.x264Preset = x264Preset
        self.overwrite = overwrite
    }

    /// NAME of `path/NAME.ext`.
    public static func baseName(of input: String) -> String {
        URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
    }

    /// DIR/NAME_subbed.mp4, DIR/NAME_mask.mkv, DIR/NAME.ass for `input`.
    public func outputs(for input: String) -> SynthOutputs {
        let name = Self.baseName(of: input)
        let dir = URL(fileURLWithPath: outputDirectory)
        return SynthOutputs(video: dir.appendingPathComponent("\(name)_subbed.mp4").path,
                            mask: dir.appendingPathComponent("\(name)_mask.mkv").path,
                            script: dir.appendingPathComponent("\(name).ass").path)
    }

    /// Seed of one input's cue stream: the user seed mixed with the input's name, so an input gets
    /// the same cues whatever its position in the argument list.
    public func seed(for input: String) -> UInt64 {
        seed ^ SeededRandom.hash(Self.baseName(of: input))
    }

    /// The ASS script text to burn into `info`'s video.
    public func scriptText(for info: VideoInfo) throws -> String {
        let duration = Double(info.frameCount) / info.fps.value
        guard let file = subtitlesFile else {
            var generator = SubtitleGenerator(seed: seed(for: info.path))
            return generator.makeScript(width: info.width, height: info.height, durationSeconds: duration,
                                        languages: languages, preset: preset).text
        }
        let text = try Self.readSubtitlesFile(file)
        switch URL(fileURLWithPath: file).pathExtension.lowercased() {
        case "srt":
            return try SRTConverter.script(fromSRT: text, width: info.width, height: info.height, preset: preset,
                                           seed: seed(for: info.path), origin: file).text
        case "ass", "ssa":
            return text
        default:
            throw SubtitleError.unsupportedSubtitlesFormat(file)
        }
    }

    /// Checks the --subtitles file before any work: it exists, has a supported extension, is UTF-8.
    public func validateSubtitlesFile() throws {
        guard let file = subtitlesFile else { return }
        guard ["srt", "ass", "ssa"].contains(URL(fileURLWithPath: file).pathExtension.lowercased()) else {
            throw SubtitleError.unsupportedSubtitlesFormat(file)
        }
        _ = try Self.readSubtitlesFile(file)
    }

    static func readSubtitlesFile(_ path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw SubtitleError.subtitlesFileNotFound(path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SubtitleError.ioFailed(path, detail: "cannot read the subtitles file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SubtitleError.notUTF8(path) }
        return text
    }
}

/// The three files written per input.
public struct SynthOutputs: Sendable, Equatable {
    public let video: String
    public let mask: String
    public let script: String

    public var all: [String] { [video, mask, script] }
}

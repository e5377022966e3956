// The streaming `synth` job for one video: decode a frame, render the script at that frame's time,
// composite and build the mask, encode both; one frame in memory at a time. Outputs are written
// under hidden temporary names in the output directory and renamed only when all three are
// complete, so an error or interruption never leaves a truncated NAME_subbed.mp4 / NAME_mask.mkv.
//
// Frame time: frame i is rendered at t_i = i · den / num seconds (the exact rational frame rate,
// floored to whole milliseconds), which is its presentation time in the output: the output is
// written at the input's average rate from t = 0, as a player or FFmpeg's subtitles filter would
// show the script against it.
//
// Pixel path: a yuv420p source of even size is decoded, composited and encoded as YUV 4:2:0
// (`YUVCompositing.swift`), its colour tags copied, so pixels without subtitles reach the encoder
// bit-exact; anything else goes through RGB frames (FFmpeg converts), as the RGB round trip of
// 4:2:0 video alone limits fidelity to ~45 dB PSNR.
import Foundation
import ClearMedia

public enum SubtitleBurner {
    /// Presentation time of frame `index` at `fps`, in whole milliseconds (floored).
    public static func frameTimeMilliseconds(index: Int, fps: FrameRate) -> Int64 {
        Int64(index) * 1000 * Int64(fps.denominator) / Int64(fps.numerator)
    }

    /// Probes every input and checks the request before anything is written: inputs are videos,
    /// their names are distinct, the subtitles file is usable, and (without `overwrite`) no output
    /// exists yet. Returns the probed inputs in order.
    public static func prepare(inputs: [String], request: SynthRequest) throws -> [VideoInfo] {
        let infos = try inputs.map { try VideoProbe.probe($0) }
        var seen = Set<String>()
        for input in inputs {
            let name = SynthRequest.baseName(of: input)
            if !seen.insert(name).inserted { throw SubtitleError.duplicateInputName(name) }
        }
        try request.validateSubtitlesFile()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: request.outputDirectory, isDirectory: &isDir), !isDir.boolValue {
            throw SubtitleError.outputDirectory(request.outputDirectory, detail: "it is a file")
        }
        if !request.overwrite {
            for input in inputs {
                for path in request.outputs(for: input).all where FileManager.default.fileExists(atPath: path) {
                    throw SubtitleError.outputExists(path)
                }
            }
        }
        return infos
    }

    /// Burns subtitles into one probed video and writes its three outputs (creating the output
    /// directory if needed). `progress` gets (frames done, expected frames) after each frame.
    @discardableResult
    public static func run(_ info: VideoInfo, request: SynthRequest,
                           progress: ((Int, Int) -> Void)? = nil) throws -> SynthOutputs {
        let outputs = request.outputs(for: info.path)
        let script = try request.scriptText(for: info)
        let renderer = try SubtitleRenderer(script: script, width: info.width, height: info.height,
                                            origin: request.subtitlesFile ?? outputs.script)
        if renderer.eventCount == 0 { throw SubtitleError.noEvents(request.subtitlesFile ?? outputs.script) }
        do {
            try FileManager.default.createDirectory(atPath: request.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw SubtitleError.outputDirectory(request.outputDirectory, detail: "cannot create it")
        }

        let token = UUID().uuidString.prefix(8)
        func temporary(_ final: String) -> String {
            let url = URL(fileURLWithPath: final)
            return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(token).partial").path
        }
        let tmp = SynthOutputs(video: temporary(outputs.video), mask: temporary(outputs.mask),
                               script: temporary(outputs.script))
        InterruptCleanup.register(tmp.all)
        defer { InterruptCleanup.unregister(tmp.all) }

        let yuvPath = usesYUVPath(info)
        let color = yuvPath ? info.color : nil
        let decoder = try VideoDecoder(info: info, layout: yuvPath ? .yuv420p : .rgb24)
        var videoEncoder: VideoEncoder?
        var maskEncoder: VideoEncoder?
        do {
            var settings = EncoderSettings.h264(width: info.width, height: info.height, fps: info.fps, crf: request.crf,
                                                preset: request.x264Preset)
            settings.copyAudio(of: info)
            settings.yuvInput = yuvPath
            settings.color = color
            videoEncoder = try VideoEncoder(outputPath: tmp.video, settings: settings, format: "mp4")
            maskEncoder = try VideoEncoder(
                outputPath: tmp.mask,
                settings: EncoderSettings(codec: .ffv1Gray, width: info.width, height: info.height, fps: info.fps),
                format: "matroska")
            let matrix = YUVMatrix(color)
            var index = 0
            while true {
                let subtitles = renderer.render(atMilliseconds: frameTimeMilliseconds(index: index, fps: info.fps))
                let mask: GrayFrame
                if yuvPath {
                    guard var frame = try decoder.nextYUVFrame() else { break }
                    mask = try subtitles.composite(onto: &frame, matrix: matrix)
                    try videoEncoder!.write(frame)
                } else {
                    guard var frame = try decoder.nextFrame() else { break }
                    mask = try subtitles.composite(onto: &frame)
                    try videoEncoder!.write(frame)
                }
                try maskEncoder!.write(mask)
                index += 1
                progress?(index, max(index, info.frameCount))
            }
            try videoEncoder!.finish()
            try maskEncoder!.finish()
            do {
                try Data(script.utf8).write(to: URL(fileURLWithPath: tmp.script))
            } catch {
                throw SubtitleError.ioFailed(tmp.script, detail: "cannot write the ASS script")
            }
            try commit(tmp, to: outputs)
        } catch {
            decoder.close()
            videoEncoder?.cancel()
            maskEncoder?.cancel()
            for p in tmp.all { try? FileManager.default.removeItem(atPath: p) }
            throw error
        }
        return outputs
    }

    /// Whether `info` goes the bit-exact YUV 4:2:0 way (see file header).
    public static func usesYUVPath(_ info: VideoInfo) -> Bool {
        info.isEvenYUV420p8
    }

    /// Renames the finished temporary files onto their final names (replacing old outputs; the
    /// overwrite check happened in `prepare`).
    static func commit(_ tmp: SynthOutputs, to outputs: SynthOutputs) throws {
        for (from, to) in zip(tmp.all, outputs.all) where rename(from, to) != 0 {
            let reason = String(cString: strerror(errno))
            throw SubtitleError.ioFailed(to, detail: "cannot move the finished file into place (\(reason))")
        }
    }
}

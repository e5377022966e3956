// The synth job end to end on small generated clips: outputs keep frame count, fps, size and audio,
// the mask decodes to one frame per video frame and marks where the video changed, the ASS parses;
// user .srt/.ass input; existing outputs and bad inputs fail before anything is written.
import XCTest
import Foundation
import ClearMedia
@testable import ClearSubtitles

final class SynthEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try TestSupport.temporaryDirectory("synth") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func synth(_ input: String, _ request: SynthRequest) throws -> SynthOutputs {
        let infos = try SubtitleBurner.prepare(inputs: [input], request: request)
        return try SubtitleBurner.run(infos[0], request: request)
    }

    func testSynthKeepsFramesFpsSizeAudioAndWritesExactMask() throws {
        let clip = try TestSupport.makeClip(in: dir)
        let request = SynthRequest(outputDirectory: dir.appendingPathComponent("out").path,
                                   languages: [.en, .zh], preset: .classic, seed: 11)
        let out = try synth(clip, request)
        XCTAssertEqual(out.video, dir.appendingPathComponent("out/clip_subbed.mp4").path)
        XCTAssertEqual(out.mask, dir.appendingPathComponent("out/clip_mask.mkv").path)
        XCTAssertEqual(out.script, dir.appendingPathComponent("out/clip.ass").path)

        let src = try VideoProbe.probe(clip), sub = try VideoProbe.probe(out.video), msk = try VideoProbe.probe(out.mask)
        XCTAssertEqual(sub.frameCount, 20)
        XCTAssertEqual(sub.fps, src.fps)
        XCTAssertEqual([sub.width, sub.height], [320, 240])
        XCTAssertEqual(sub.audioStreams.map(\.codec), ["aac"])
        XCTAssertEqual(sub.durationSeconds, src.durationSeconds, accuracy: 0.1)
        XCTAssertEqual(msk.codec, "ffv1")
        XCTAssertEqual(msk.fps, src.fps)

        // The mask decodes to one frame per video frame, and marks the changed pixels.
        let clean = try VideoDecoder(path: clip), subbed = try VideoDecoder(path: out.video)
        let masks = try VideoDecoder(path: out.mask, layout: .gray)
        var frames = 0, maskedPixels = 0
        var bigDiffOutside = 0, bigDiffInside = 0
        while let c = try clean.nextFrame() {
            let s = try XCTUnwrap(try subbed.nextFrame()), m = try XCTUnwrap(try masks.nextGrayFrame())
            let near = TestSupport.dilate(m, radius: 2)
            for i in 0..<(320 * 240) {
                let d = max(abs(Int(c.pixels[i * 3]) - Int(s.pixels[i * 3])),
                            abs(Int(c.pixels[i * 3 + 1]) - Int(s.pixels[i * 3 + 1])),
                            abs(Int(c.pixels[i * 3 + 2]) - Int(s.pixels[i * 3 + 2])))
                if m.pixels[i] > 0 { maskedPixels += 1 }
                if d > 40 { if near[i] { bigDiffInside += 1 } else { bigDiffOutside += 1 } }
            }
            frames += 1
        }
        XCTAssertNil(try masks.nextGrayFrame())
        XCTAssertEqual(frames, 20)
        XCTAssertGreaterThan(maskedPixels, 500)
        XCTAssertGreaterThan(bigDiffInside, 500)
        XCTAssertEqual(bigDiffOutside, 0)

        // The script parses and is the one that was burned.
        let text = try String(contentsOfFile: out.script, encoding: .utf8)
        XCTAssertEqual(text, try request.scriptText(for: src))
        XCTAssertGreaterThan(try SubtitleRenderer(script: text, width: 320, height: 240).eventCount, 0)
        // No temporary files left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: request.outputDirectory).sorted()
        XCTAssertEqual(names, ["clip.ass", "clip_mask.mkv", "clip_subbed.mp4"])
    }

    func testExistingOutputsNeedOverwrite() throws {
        let clip = try TestSupport.makeClip(in: dir, seconds: 1)
        var request = SynthRequest(outputDirectory: dir.path, seed: 2)
        let out = try synth(clip, request)
        let before = try Data(contentsOf: URL(fileURLWithPath: out.script))
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [clip], request: request)) { e in
            XCTAssertEqual(e as? SubtitleError, .outputExists(out.video))
        }
        request.overwrite = true
        request.seed = 3
        _ = try synth(clip, request)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: out.script)), before)
    }

    func testMissingInputWritesNothing() throws {
        let outDir = dir.appendingPathComponent("never")
        let request = SynthRequest(outputDirectory: outDir.path)
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [dir.appendingPathComponent("nope.mp4").path],
                                                        request: request)) { e in
            XCTAssertEqual(e as? MediaError, .fileNotFound(self.dir.appendingPathComponent("nope.mp4").path))
            XCTAssertFalse("\(e)".contains("\n"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outDir.path))
    }

    func testBadSubtitlesFilesFailBeforeWriting() throws {
        let clip = try TestSupport.makeClip(in: dir, seconds: 1)
        let outDir = dir.appendingPathComponent("out").path
        let vtt = dir.appendingPathComponent("subs.vtt")
        try "WEBVTT\n".write(to: vtt, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [clip], request: SynthRequest(
            outputDirectory: outDir, subtitlesFile: vtt.path))) { e in
            XCTAssertEqual(e as? SubtitleError, .unsupportedSubtitlesFormat(vtt.path))
        }
        let missing = dir.appendingPathComponent("missing.srt").path
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [clip], request: SynthRequest(
            outputDirectory: outDir, subtitlesFile: missing))) { e in
            XCTAssertEqual(e as? SubtitleError, .subtitlesFileNotFound(missing))
        }
        let latin1 = dir.appendingPathComponent("latin1.srt")
        try Data([0x31, 0x0A, 0xE9, 0xFF, 0x0A]).write(to: latin1)
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [clip], request: SynthRequest(
            outputDirectory: outDir, subtitlesFile: latin1.path))) { e in
            XCTAssertEqual(e as? SubtitleError, .notUTF8(latin1.path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outDir))
    }

    func testUserSRTAndASSFiles() throws {
        let clip = try TestSupport.makeClip(in: dir, seconds: 1)
        let srt = dir.appendingPathComponent("subs.srt")
        try "1\n00:00:00,100 --> 00:00:00,900\nHello <i>there</i>\n".write(to: srt, atomically: true, encoding: .utf8)
        let fromSRT = try synth(clip, SynthRequest(outputDirectory: dir.appendingPathComponent("a").path,
                                                   subtitlesFile: srt.path, preset: .boxed))
        let converted = try String(contentsOfFile: fromSRT.script, encoding: .utf8)
        XCTAssertTrue(converted.contains("Dialogue: 0,0:00:00.10,0:00:00.90,boxed-en,,0,0,0,,Hello {\\i1}there{\\i0}"))

        // An .ass file is used byte for byte.
        let ass = dir.appendingPathComponent("user.ass")
        try converted.replacingOccurrences(of: "Hello", with: "Bonjour").write(to: ass, atomically: true, encoding: .utf8)
        let fromASS = try synth(clip, SynthRequest(outputDirectory: dir.appendingPathComponent("b").path,
                                                   subtitlesFile: ass.path))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: fromASS.script)), try Data(contentsOf: ass))
        let masks = try VideoDecoder(path: fromASS.mask, layout: .gray)
        var lit = 0
        while let m = try masks.nextGrayFrame() { if m.pixels.contains(where: { $0 > 0 }) { lit += 1 } }
        XCTAssertEqual(lit, 8)   // frames at 0.1 … 0.8 s
    }

    func testNonYUV420SourceGoesThroughRGB() throws {
        let clip = dir.appendingPathComponent("rgbish.mkv").path
        try TestSupport.makeSilentClip(clip, size: "160x120", rate: 5, options: ["-pix_fmt", "yuv444p"])
        let info = try VideoProbe.probe(clip)
        XCTAssertFalse(SubtitleBurner.usesYUVPath(info))
        let out = try synth(clip, SynthRequest(outputDirectory: dir.appendingPathComponent("o").path, seed: 4))
        XCTAssertEqual(try VideoProbe.probe(out.video).frameCount, 5)
        XCTAssertTrue(try VideoProbe.probe(out.video).audioStreams.isEmpty)
    }

    func testColourTagsOfTheSourceAreKept() throws {
        let clip = dir.appendingPathComponent("hd.mp4").path
        try TestSupport.makeSilentClip(clip, size: "160x90", rate: 5, options: [
            "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-color_range", "tv"])
        XCTAssertTrue(SubtitleBurner.usesYUVPath(try VideoProbe.probe(clip)))
        let out = try synth(clip, SynthRequest(outputDirectory: dir.appendingPathComponent("o").path))
        XCTAssertEqual(try ColorDescription.probe(out.video), try ColorDescription.probe(clip))
        XCTAssertEqual(try ColorDescription.probe(out.video).matrix, "bt709")
    }

    func testFrameTimes() {
        XCTAssertEqual(SubtitleBurner.frameTimeMilliseconds(index: 10, fps: FrameRate(10, 1)), 1000)
        XCTAssertEqual(SubtitleBurner.frameTimeMilliseconds(index: 30, fps: FrameRate(30000, 1001)), 1001)
        XCTAssertEqual(SubtitleBurner.frameTimeMilliseconds(index: 1, fps: FrameRate(24, 1)), 41)
    }

    func testDuplicateInputNamesRejected() throws {
        let a = try TestSupport.makeClip(in: dir, name: "x.mp4", seconds: 0.5)
        let sub = dir.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let b = try TestSupport.makeClip(in: sub, name: "x.mkv", seconds: 0.5)
        XCTAssertThrowsError(try SubtitleBurner.prepare(inputs: [a, b], request: SynthRequest(outputDirectory: dir.path))) { e in
            XCTAssertEqual(e as? SubtitleError, .duplicateInputName("x"))
        }
    }
}

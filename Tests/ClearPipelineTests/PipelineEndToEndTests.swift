// The whole pipeline on generated clips with test-only engines: outputs keep frame count, rate,
// size, duration and the audio packets; comparison, source copy and timing_info.json; failures
// and cancellation leave nothing behind; existing outputs are refused without overwrite.
import XCTest
import Foundation
import ClearMedia
@testable import ClearPipeline

final class PipelineEndToEndTests: XCTestCase {
    func testCleanedOutputKeepsEverythingAndOnlyTheBoxChanges() throws {
        let fx = try ClipFixture("e2e")
        let input = try fx.clip("clip.mp4")
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        var options = RemovalOptions(outputDir: out)
        options.createComparison = true
        options.copySource = true
        options.crf = 0
        let engine = BoxInvertEngine()
        let pipeline = RemovalPipeline(engine: engine, options: options)
        var progress: [FrameProgress] = []
        pipeline.onProgress = { progress.append($0) }
        let info = try VideoProbe.probe(input)
        let entry = try pipeline.process(info)
        try TimingInfoFile.merge([entry], in: out)

        XCTAssertEqual(fx.listing(), ["clip.mp4", "out"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(),
                       ["clip_cleaned.mp4", "clip_comparison.mp4", "clip_source.mp4", "timing_info.json"])
        let cleaned = try VideoProbe.probe(out.appendingPathComponent("clip_cleaned.mp4").path)
        XCTAssertEqual(cleaned.frameCount, 20)
        XCTAssertEqual(cleaned.fps, info.fps)
        XCTAssertEqual(cleaned.width, 160)
        XCTAssertEqual(cleaned.height, 120)
        XCTAssertEqual(cleaned.durationSeconds, info.durationSeconds, accuracy: 0.05)
        XCTAssertEqual(try ClipFixture.audioPacketHash(cleaned.path), try ClipFixture.audioPacketHash(input))
        XCTAssertEqual(engine.chunkLengths, [6, 6, 6, 6, 4])   // stride 4 over 20 frames
        XCTAssertEqual(progress.map(\.framesDone), Array(1...20))
        XCTAssertEqual(progress.last?.totalFrames, 20)

        // Decoded output ≈ the engine's result (H.264 at CRF 0 from RGB: colour conversion only).
        let src = try ClipFixture.decodeAll(input), got = try ClipFixture.decodeAll(cleaned.path)
        XCTAssertEqual(got.count, src.count)
        for (s, g) in zip(src, got) {
            XCTAssertLessThan(ClipFixture.meanAbsDiff(BoxInvertEngine.invert(s, engine.box), g), 3)
            XCTAssertGreaterThan(ClipFixture.meanAbsDiff(s, g), 3)
        }

        // Comparison: twice as wide, source left, cleaned right, labels in the top-left corners.
        let cmpPath = out.appendingPathComponent("clip_comparison.mp4").path
        let cmp = try VideoProbe.probe(cmpPath)
        XCTAssertEqual([cmp.width, cmp.height, cmp.frameCount], [320, 120, 20])
        XCTAssertEqual(try ClipFixture.audioPacketHash(cmpPath), try ClipFixture.audioPacketHash(input))
        let firstCmp = try ClipFixture.decodeAll(cmpPath)[0]
        let expected = ComparisonComposer.compose(source: src[0], cleaned: BoxInvertEngine.invert(src[0], engine.box))
        XCTAssertLessThan(ClipFixture.meanAbsDiff(firstCmp, expected), 3)

        // Source copy: an mp4 input is copied byte for byte.
        XCTAssertEqual(FileManager.default.contents(atPath: out.appendingPathComponent("clip_source.mp4").path),
                       FileManager.default.contents(atPath: input))

        // timing_info.json: a list with one entry and CLEAR's keys.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("timing_info.json")))
        let list = try XCTUnwrap(json as? [[String: Any]])
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(Set(list[0].keys), ["total_time_seconds", "time_per_frame_seconds", "num_frames", "video_name",
                                           "engine", "width", "height", "fps"])
        XCTAssertEqual(list[0]["num_frames"] as? Int, 20)
        XCTAssertEqual(list[0]["video_name"] as? String, "clip.mp4")
        XCTAssertEqual(list[0]["engine"] as? String, "box-invert")
        XCTAssertEqual(list[0]["fps"] as? Double, 10)
    }

    func testIdentityEngineFramesAreBitIdenticalBeforeEncoding() throws {
        let fx = try ClipFixture("identity")
        let input = try fx.clip("clip.mp4", seconds: 1.7)
        let direct = try ClipFixture.decodeAll(input)
        let dec = try VideoDecoder(path: input)
        var through: [RGBFrame] = []
        let engine = IdentityEngine(chunkSize: 5, chunkOverlap: 3)
        try ChunkedProcessor(engine: engine).run(next: { try dec.nextFrame() }, emit: { through.append($1) })
        XCTAssertEqual(through.count, 17)
        XCTAssertEqual(through, direct)
        XCTAssertGreaterThan(engine.chunkLengths.count, 5)
    }

    func testFailureMidRunLeavesNoFilesAndKeepsExistingOutputs() throws {
        let fx = try ClipFixture("fail")
        let input = try fx.clip("clip.mp4")
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        let old = Data("previous result".utf8)
        FileManager.default.createFile(atPath: out.appendingPathComponent("clip_cleaned.mp4").path, contents: old)
        var options = RemovalOptions(outputDir: out)
        options.createComparison = true
        options.copySource = true
        let pipeline = RemovalPipeline(engine: FailingEngine(failAt: 3), options: options)
        XCTAssertThrowsError(try pipeline.process(try VideoProbe.probe(input))) { XCTAssertTrue($0 is InjectedFailure) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["clip_cleaned.mp4"])
        XCTAssertEqual(FileManager.default.contents(atPath: out.appendingPathComponent("clip_cleaned.mp4").path), old)
    }

    func testCancellationInProcessLeavesNothing() throws {
        let fx = try ClipFixture("cancel")
        let input = try fx.clip("clip.mp4")
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        let token = CancellationToken()
        var options = RemovalOptions(outputDir: out)
        options.createComparison = true
        let pipeline = RemovalPipeline(engine: IdentityEngine(), options: options, cancellation: token)
        pipeline.onProgress = { if $0.framesDone == 7 { token.cancel() } }
        XCTAssertThrowsError(try pipeline.process(try VideoProbe.probe(input))) {
            XCTAssertEqual($0 as? PipelineError, .cancelled)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
    }

    func testExistingOutputIsRefusedWithoutOverwrite() throws {
        let fx = try ClipFixture("conflict")
        let input = try fx.clip("clip.mp4", seconds: 0.5)
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        let plan = OutputPlan(input: input, outputDir: out, createComparison: true, copySource: false)
        XCTAssertNoThrow(try OutputPlan.checkConflicts([plan], overwrite: false))
        FileManager.default.createFile(atPath: plan.comparison.path, contents: Data())
        XCTAssertThrowsError(try OutputPlan.checkConflicts([plan], overwrite: false)) {
            XCTAssertEqual($0 as? PipelineError, .outputExists(plan.comparison.path))
        }
        XCTAssertNoThrow(try OutputPlan.checkConflicts([plan], overwrite: true))
        // Two inputs with the same name, and an input that is also an output.
        let other = OutputPlan(input: fx.path("other/clip.mkv"), outputDir: out, createComparison: false, copySource: false)
        XCTAssertThrowsError(try OutputPlan.checkConflicts([plan, other], overwrite: true)) {
            guard case .duplicateOutputName? = $0 as? PipelineError else { return XCTFail("\($0)") }
        }
        // An earlier output given as an input next to the input that would overwrite it.
        let previous = OutputPlan(input: plan.cleaned.path, outputDir: out, createComparison: false, copySource: false)
        XCTAssertThrowsError(try OutputPlan.checkConflicts([plan, previous], overwrite: true)) {
            XCTAssertEqual($0 as? PipelineError, .outputIsInput(plan.cleaned.path))
        }
    }

    func testTimingInfoMergesEntriesPerInput() throws {
        let fx = try ClipFixture("timing")
        let a = TimingEntry(videoName: "a.mp4", totalTimeSeconds: 2, numFrames: 4, engine: "x", width: 2, height: 2, fps: 10)
        let b = TimingEntry(videoName: "b.mp4", totalTimeSeconds: 1, numFrames: 1, engine: "x", width: 2, height: 2, fps: 10)
        try TimingInfoFile.merge([a], in: fx.dir)
        try TimingInfoFile.merge([b], in: fx.dir)
        var a2 = a
        a2.totalTimeSeconds = 9
        try TimingInfoFile.merge([a2], in: fx.dir)
        XCTAssertEqual(TimingInfoFile.read(in: fx.dir).map(\.videoName), ["b.mp4", "a.mp4"])
        XCTAssertEqual(TimingInfoFile.read(in: fx.dir).last?.totalTimeSeconds, 9)
        XCTAssertEqual(a.timePerFrameSeconds, 0.5)
        XCTAssertEqual(fx.listing(), ["timing_info.json"])
    }
}

final class PipelineShapesTests: XCTestCase {
    /// Odd sizes and rotated phone videos keep their (display) size; the comparison doubles the width.
    func testOddAndRotatedInputsWithComparison() throws {
        let fx = try ClipFixture("shapes")
        let odd = fx.path("odd.mkv")
        try SyntheticClip.make(odd, width: 853, height: 479, seconds: 0.3, audioCodec: "pcm_s16le",
                               videoArgs: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"])
        let plain = try fx.clip("plain.mp4", seconds: 0.5)
        let phone = fx.path("phone.mov")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", phone])
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        var options = RemovalOptions(outputDir: out)
        options.createComparison = true
        options.copySource = true
        options.preset = "ultrafast"
        let pipeline = RemovalPipeline(engine: BoxInvertEngine(box: (0, 0, 40, 40)), options: options)
        var warnings: [String] = []
        pipeline.onWarning = { warnings.append($0) }
        for (input, w, h, n) in [(odd, 853, 479, 3), (phone, 120, 160, 5)] {
            _ = try pipeline.process(try VideoProbe.probe(input))
            let name = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
            let cleaned = try VideoProbe.probe(out.appendingPathComponent("\(name)_cleaned.mp4").path)
            XCTAssertEqual([cleaned.width, cleaned.height, cleaned.frameCount, cleaned.rotation], [w, h, n, 0], name)
            let cmp = try VideoProbe.probe(out.appendingPathComponent("\(name)_comparison.mp4").path)
            XCTAssertEqual([cmp.width, cmp.height, cmp.frameCount], [2 * w, h, n], name)
            let source = try VideoProbe.probe(out.appendingPathComponent("\(name)_source.mp4").path)
            XCTAssertEqual([source.width, source.height, source.frameCount], [w, h, n], name)
        }
        // PCM audio cannot go into mp4: re-encoded to AAC with one warning line.
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("pcm_s16le") && !warnings[0].contains("\n"), warnings[0])
        let oddCleaned = try VideoProbe.probe(out.appendingPathComponent("odd_cleaned.mp4").path)
        XCTAssertEqual(oddCleaned.audioStreams.map(\.codec), ["aac"])
        // The phone video's source copy (mov → mp4) is a remux: audio packets unchanged.
        XCTAssertEqual(try MediaFingerprint.audioPacketMD5(out.appendingPathComponent("phone_source.mp4").path),
                       try MediaFingerprint.audioPacketMD5(phone))
    }
}

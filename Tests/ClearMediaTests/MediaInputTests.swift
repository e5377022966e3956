// The inputs the Media layer must take or reject cleanly: containers (mp4, mkv, mov, avi, webm),
// odd sizes, rotation metadata, 10-bit, variable frame rate, audio that cannot go into mp4,
// truncated files, non-videos, zero frames, 1×1 and 3840×2160.
import XCTest
import Foundation
@testable import ClearMedia

final class MediaInputTests: XCTestCase {
    var scratch: ScratchDirectory!
    var dir: URL { scratch.url }

    override func setUpWithError() throws { scratch = try ScratchDirectory(label: "media-in") }

    override func tearDown() { scratch = nil }

    func path(_ name: String) -> String { scratch.path(name) }

    /// Decodes `input` and encodes it again as mp4 (audio from the input); returns (in, out, encoder).
    @discardableResult
    func reencode(_ input: String) throws -> (VideoInfo, VideoInfo, VideoEncoder) {
        let info = try VideoProbe.probe(input)
        let out = path(URL(fileURLWithPath: input).lastPathComponent + ".out.mp4")
        let dec = try VideoDecoder(info: info)
        let enc = try VideoEncoder(outputPath: out, settings: .h264(width: info.width, height: info.height, fps: info.fps,
                                                                    crf: 20, preset: "ultrafast", audioSource: input))
        while let f = try dec.nextFrame() { try enc.write(f) }
        try enc.finish()
        XCTAssertEqual(enc.framesWritten, dec.framesDecoded)
        return (info, try VideoProbe.probe(out), enc)
    }

    func testEveryContainerRoundTripsWithItsAudio() throws {
        let cases: [(ext: String, video: [String], audio: String, outAudio: String, transcoded: Bool)] = [
            ("mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "aac", "aac", false),
            ("mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "mp3", "mp3", false),
            ("mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], "pcm_s16le", "aac", true),
            ("avi", ["-c:v", "mpeg4"], "pcm_s16le", "aac", true),
            ("webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"], "libvorbis", "vorbis", false),
        ]
        for c in cases {
            let input = path("clip.\(c.ext)")
            try SyntheticClip.make(input, seconds: 1, audioCodec: c.audio, videoArgs: c.video)
            let (info, out, enc) = try reencode(input)
            XCTAssertEqual(info.frameCount, 10, c.ext)
            XCTAssertEqual(out.frameCount, 10, c.ext)
            XCTAssertEqual(out.fps, FrameRate(10, 1), c.ext)
            XCTAssertEqual(out.audioStreams.map(\.codec), [c.outAudio], c.ext)
            XCTAssertEqual(enc.audioWasTranscoded, c.transcoded, c.ext)
            XCTAssertEqual(enc.audioNote != nil, c.transcoded, c.ext)
            if !c.transcoded {
                XCTAssertEqual(try MediaFingerprint.audioPacketMD5(out.path), try MediaFingerprint.audioPacketMD5(input), c.ext)
            }
        }
    }

    func testSeveralAudioStreamsAreEachCopiedOrConverted() throws {
        let input = path("two.mkv")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
                                  "-f", "lavfi", "-i", "sine=frequency=300", "-f", "lavfi", "-i", "sine=frequency=600",
                                  "-t", "1", "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264",
                                  "-c:a:0", "aac", "-c:a:1", "flac", input])
        let (_, out, enc) = try reencode(input)
        XCTAssertEqual(out.audioStreams.map(\.codec), ["aac", "aac"])
        XCTAssertTrue(try XCTUnwrap(enc.audioNote).contains("#1 (flac)"))
    }

    func testOddSizeIsKeptExactly() throws {
        let input = path("odd.mp4")
        try SyntheticClip.make(input, width: 853, height: 479, seconds: 0.3, audioCodec: nil,
                               videoArgs: ["-c:v", "libx264", "-pix_fmt", "yuv444p"])
        let (_, out, enc) = try reencode(input)
        XCTAssertEqual([out.width, out.height, out.frameCount], [853, 479, 3])
        XCTAssertEqual(out.pixelFormat, "yuv444p")
        XCTAssertEqual(enc.settings.outputPixelFormat, "yuv444p")
        // Rows are not sheared or shifted: the picture matches the input closely.
        let a = try XCTUnwrap(try VideoDecoder(path: input).nextFrame())
        let b = try XCTUnwrap(try VideoDecoder(path: out.path).nextFrame())
        let diff = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        XCTAssertLessThan(Double(diff) / Double(a.pixels.count), 3)
    }

    func testRotationMetadataDecodesUpright() throws {
        let plain = path("plain.mp4"), rotated = path("phone.mp4")
        try SyntheticClip.make(plain, width: 160, height: 96, seconds: 0.3, audioCodec: "aac")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", rotated])
        let info = try VideoProbe.probe(rotated)
        XCTAssertEqual([info.codedWidth, info.codedHeight, info.width, info.height], [160, 96, 96, 160])
        XCTAssertEqual(info.rotation % 180, 90)
        // FFmpeg's display matrix here means a quarter turn counter-clockwise (transpose=cclock).
        let reference = path("reference.rgb")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", plain, "-vf", "transpose=cclock",
                                  "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", reference])
        let first = try XCTUnwrap(try VideoDecoder(info: info).nextFrame())
        XCTAssertEqual(first.pixels, [UInt8](try Data(contentsOf: URL(fileURLWithPath: reference))))
        let (_, out, _) = try reencode(rotated)
        XCTAssertEqual([out.width, out.height, out.rotation], [96, 160, 0])
    }

    func testTenBitInputGivesEightBitOutput() throws {
        let input = path("ten.mp4")
        try SyntheticClip.make(input, seconds: 0.5, videoArgs: ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"])
        let (info, out, _) = try reencode(input)
        XCTAssertEqual(info.bitDepth, 10)
        XCTAssertEqual(out.pixelFormat, "yuv420p")
        XCTAssertEqual(out.frameCount, 5)
    }

    func testVariableFrameRateKeepsFrameCountAndDuration() throws {
        let input = path("vfr.mp4")
        try SyntheticClip.make(input, seconds: 3, audioCodec: nil, extra: [
            "-vf", "setpts='if(lt(N,10),N*0.05,0.5+(N-10)*0.15)/TB'", "-fps_mode", "vfr"])
        let (info, out, _) = try reencode(input)
        XCTAssertTrue(info.isVariableFrameRate)
        XCTAssertEqual(out.frameCount, info.frameCount)
        XCTAssertEqual(out.fps.value, info.fps.value, accuracy: 0.01)
        XCTAssertEqual(out.durationSeconds, info.durationSeconds, accuracy: 0.15)
    }

    func testTruncatedFilesAreRejectedBeforeDecoding() throws {
        let full = path("full.mp4"), fast = path("fast.mp4")
        try SyntheticClip.make(full, seconds: 2, extra: ["-movflags", "-faststart"])
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", full, "-c", "copy", "-movflags", "+faststart", fast])
        for (source, name) in [(full, "cut-moov-at-end.mp4"), (fast, "cut-faststart.mp4"), ] {
            let data = try Data(contentsOf: URL(fileURLWithPath: source))
            let cut = path(name)
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try VideoProbe.probe(cut), name) { error in
                switch error as? MediaError {
                case .incompleteFile?, .truncated?: break
                default: XCTFail("\(name): \(error)")
                }
            }
        }
        let mkv = path("full.mkv")
        try SyntheticClip.make(mkv, seconds: 2)
        let data = try Data(contentsOf: URL(fileURLWithPath: mkv))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path("cut.mkv")))
        XCTAssertThrowsError(try VideoProbe.probe(path("cut.mkv"))) {
            XCTAssertEqual($0 as? MediaError, .incompleteFile(self.path("cut.mkv"), detail: "the container ends prematurely"))
        }
    }

    func testNonVideosAreRejectedWithOneLine() throws {
        let text = path("notes.mp4")
        try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        let audio = path("audio.m4a")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine", "-t", "0.5", "-c:a", "aac", audio])
        let zero = path("zero.avi")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=size=64x48:rate=10", "-frames:v", "0", zero])
        let expectations: [(String, (MediaError) -> Bool)] = [
            (path("missing.mp4"), { if case .fileNotFound = $0 { return true }; return false }),
            (dir.path, { if case .isDirectory = $0 { return true }; return false }),
            (text, { if case .notAVideo = $0 { return true }; return false }),
            (audio, { if case .noVideoStream = $0 { return true }; return false }),
            (zero, { if case .zeroFrames = $0 { return true }; return false }),
        ]
        for (p, matches) in expectations {
            XCTAssertThrowsError(try VideoProbe.probe(p), p) { error in
                let m = error as? MediaError
                XCTAssertTrue(m.map(matches) ?? false, "\(p): \(error)")
                XCTAssertFalse(String(describing: error).contains("\n"))
            }
        }
    }

    func testTinyAndHugeFrames() throws {
        let one = path("one.mp4")
        try SyntheticClip.make(one, width: 1, height: 1, seconds: 0.5, audioCodec: nil,
                               videoArgs: ["-c:v", "libx264", "-pix_fmt", "yuv444p"])
        let (_, o1, _) = try reencode(one)
        XCTAssertEqual([o1.width, o1.height, o1.frameCount], [1, 1, 5])
        let uhd = path("uhd.mp4")
        try SyntheticClip.make(uhd, width: 3840, height: 2160, seconds: 0.2, audioCodec: "aac")
        let (_, o4, _) = try reencode(uhd)
        XCTAssertEqual([o4.width, o4.height, o4.frameCount], [3840, 2160, 2])
    }

    func testEncoderFailureReportsFFmpegsOwnLineAndLeavesNoLog() throws {
        let logsBefore = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("clearsub-ffmpeg") }
        let enc = try VideoEncoder(outputPath: path("x.mp4"),
                                   settings: .h264(width: 64, height: 48, fps: FrameRate(10, 1), preset: "no-such-preset"))
        XCTAssertThrowsError(try { for _ in 0..<200 { try enc.write(RGBFrame(width: 64, height: 48)) }; try enc.finish() }()) { error in
            guard case .ffmpegFailed(_, let detail)? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.lowercased().contains("preset") || detail.lowercased().contains("error"), detail)
            XCTAssertNotEqual(detail, "no message")
        }
        let logsAfter = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("clearsub-ffmpeg") }
        XCTAssertEqual(Set(logsAfter), Set(logsBefore))
    }
}

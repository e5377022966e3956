// `clearsub bench io` as a binary: unusual but valid inputs (odd size, 1×1, 3840×2160, variable
// frame rate, a rotated phone video, 10-bit) stream through decode → identity → encode with
// every frame; SIGINT / SIGTERM stop it with status 130 and leave no temporary files.
import XCTest
import Foundation
import ClearMedia
#if canImport(Glibc)
import Glibc
#endif

final class BenchIOTests: XCTestCase {
    func benchJSON(_ input: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let r = try CLIHarness.run(["bench", "io", input, "--json", "--crf", "28"])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr, "", file: file, line: line)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return try XCTUnwrap(json as? [String: Any], file: file, line: line)
    }

    func testUnusualValidInputs() throws {
        let s = try Scratch("bench")
        let odd = s.path("odd.mp4"), one = s.path("one.mp4"), uhd = s.path("uhd.mp4")
        let vfr = s.path("vfr.mp4"), plain = s.path("plain.mp4"), phone = s.path("phone.mp4"), ten = s.path("ten.mkv")
        let yuv444 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]
        try SyntheticClip.make(odd, width: 853, height: 479, seconds: 0.3, videoArgs: yuv444)
        try SyntheticClip.make(one, width: 1, height: 1, seconds: 0.3, audioCodec: nil, videoArgs: yuv444)
        try SyntheticClip.make(uhd, width: 3840, height: 2160, seconds: 0.2)
        try SyntheticClip.make(vfr, seconds: 3, audioCodec: nil,
                               extra: ["-vf", "setpts='if(lt(N,10),N*0.05,0.5+(N-10)*0.15)/TB'", "-fps_mode", "vfr"])
        try SyntheticClip.make(plain, width: 128, height: 72, seconds: 0.5)
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v", "rotate=90", phone])
        try SyntheticClip.make(ten, seconds: 0.5, audioCodec: "libvorbis", videoArgs: ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"])
        let expected: [(String, Int, Int, Int)] = [
            (odd, 853, 479, 3), (one, 1, 1, 3), (uhd, 3840, 2160, 2), (vfr, 160, 120, 23), (phone, 72, 128, 5), (ten, 160, 120, 5),
        ]
        for (input, w, h, frames) in expected {
            let j = try benchJSON(input)
            XCTAssertEqual(j["width"] as? Int, w, input)
            XCTAssertEqual(j["height"] as? Int, h, input)
            XCTAssertEqual(j["frames"] as? Int, frames, input)
            // The re-encoded output keeps size, frame count, duration and audio.
            XCTAssertEqual(j["output_width"] as? Int, w, input)
            XCTAssertEqual(j["output_height"] as? Int, h, input)
            XCTAssertEqual(j["output_frames"] as? Int, frames, input)
            XCTAssertEqual(j["output_duration_seconds"] as? Double ?? 0, j["input_duration_seconds"] as? Double ?? -1,
                           accuracy: 0.11, input)
            let audioIn = j["input_audio_codecs"] as? [String], audioOut = j["output_audio_codecs"] as? [String]
            XCTAssertEqual(audioOut?.count, audioIn?.count, input)
            XCTAssertGreaterThan(j["clearsub_fps"] as? Double ?? 0, 0, input)
            XCTAssertGreaterThan(j["peak_rss_mib"] as? Double ?? 0, 1, input)
            XCTAssertGreaterThan(j["children_peak_rss_mib"] as? Double ?? 0, 1, input)
        }
        XCTAssertEqual(s.listing(), ["odd.mp4", "one.mp4", "phone.mp4", "plain.mp4", "ten.mkv", "uhd.mp4", "vfr.mp4"])
    }

    func testSignalsStopTheRunAndRemoveTemporaryFiles() throws {
        let s = try Scratch("sigint")
        let long = s.path("long.mp4")
        try SyntheticClip.make(long, width: 320, height: 240, rate: 30, seconds: 60)
        for sig in [SIGINT, SIGTERM] {
            let tmp = s.path("tmp-\(sig)")
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            let (p, out, err) = try CLIHarness.launch(["bench", "io", long], environment: ["TMPDIR": tmp])
            Thread.sleep(forTimeInterval: 1.0)
            XCTAssertTrue(p.isRunning, "bench io should still be running after 1 s")
            kill(p.processIdentifier, sig)
            let started = Date()
            let r = CLIHarness.collect(p, out, err)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "stops promptly")
            XCTAssertEqual(r.status, 130, r.stderr)
            XCTAssertEqual(r.stderrLines, ["clearsub: interrupted; partial outputs were removed"])
            XCTAssertEqual(s.listing("tmp-\(sig)"), [], "no temporary files left")
        }
    }
}

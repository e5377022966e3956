// `clearsub eval` as a user runs it: the built binary on small FFV1 clips made with ffmpeg — the
// table on stdout, the --json object, and one-line errors (`clearsub: error: …`, non-zero exit).
import XCTest
import Foundation
import ClearMedia

final class EvalCLITests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        try XCTSkipIf(FFmpegTools.find("ffmpeg") == nil, "ffmpeg not installed")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-evalcli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let d = dir { try? FileManager.default.removeItem(at: d) }
    }

    /// The `clearsub` executable next to the test bundle (SwiftPM builds it for this target).
    private var binary: String {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("clearsub"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("clearsub"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/clearsub"),
        ]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]).path
    }

    private func exec(_ tool: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let outURL = dir.appendingPathComponent("stdout-\(UUID().uuidString)"), errURL = dir.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
    }

    private func clip(_ name: String, _ source: String, filter: String = "format=yuv444p", frames: Int = 5,
                      pixFmt: String = "yuv444p") throws -> String {
        let out = dir.appendingPathComponent(name).path
        let r = try exec(FFmpegTools.find("ffmpeg")!, ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-vf", filter,
                                                     "-frames:v", String(frames), "-c:v", "ffv1", "-pix_fmt", pixFmt, out])
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    private func assertOneLineError(_ r: (status: Int32, stdout: String, stderr: String), mentions: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, "exit status", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("clearsub: error: "), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(mentions), "expected '\(mentions)' in: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stdout, "", file: file, line: line)
    }

    func testTableAndJSON() throws {
        let box = "format=yuv444p,drawbox=x=40:y=84:w=80:h=16:color=white:t=fill"
        let ref = try clip("ref.mkv", "testsrc2=size=160x120:rate=10")
        let cand = try clip("cand.mkv", "testsrc2=size=160x120:rate=10", filter: box)
        let mask = try clip("mask.mkv", "color=c=black:size=160x120:rate=10", filter: box + ",format=gray", pixFmt: "gray")
        let json = dir.appendingPathComponent("eval.json").path
        let r = try exec(binary, ["eval", "--reference", ref, "--candidate", cand, "--mask", mask, "--json", json, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        for row in ["5 frames, 160x120", "PSNR (mean of frames)", "PSNR (whole clip)", "SSIM (luma)",
                    "PSNR inside mask", "PSNR outside mask", "warping error"] {
            XCTAssertTrue(r.stdout.contains(row), "missing '\(row)' in:\n\(r.stdout)")
        }
        let outside = r.stdout.split(separator: "\n").first { $0.hasPrefix("PSNR outside mask") }
        XCTAssertTrue(outside?.hasSuffix(" 100.00 dB") == true, String(outside ?? ""))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        XCTAssertEqual(obj["frames"] as? Int, 5)
        XCTAssertEqual(obj["psnr_outside_mask"] as? Double, 100)
        XCTAssertLessThan(try XCTUnwrap(obj["psnr_inside_mask"] as? Double), 20)
        for key in ["psnr", "psnr_clip", "ssim", "warping_error"] { XCTAssertTrue(obj[key] is Double, key) }
        XCTAssertEqual(obj["warping_pairs"] as? Int, 4)
    }

    func testOneFrameAndNoMaskGiveNulls() throws {
        let a = try clip("a.mkv", "testsrc2=size=64x48:rate=10", frames: 1)
        let json = dir.appendingPathComponent("one.json").path
        let r = try exec(binary, ["eval", "--reference", a, "--candidate", a, "--json", json, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        XCTAssertEqual(obj["psnr"] as? Double, 100)
        XCTAssertEqual(obj["psnr_clip"] as? Double, 100)
        for key in ["psnr_inside_mask", "psnr_outside_mask", "warping_error"] { XCTAssertTrue(obj[key] is NSNull, key) }
    }

    func testErrorsAreOneLine() throws {
        let a = try clip("a.mkv", "testsrc2=size=160x120:rate=10")
        let small = try clip("small.mkv", "testsrc2=size=128x96:rate=10")
        let short = try clip("short.mkv", "testsrc2=size=160x120:rate=10", frames: 3)
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", small]), mentions: "128x96")
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", a, "--mask", small]), mentions: "mask")
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", short]), mentions: "3 frames")
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", dir.appendingPathComponent("none.mp4").path]),
                           mentions: "no such file")
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", a, "--max-frames", "0"]), mentions: "--max-frames")
        assertOneLineError(try exec(binary, ["eval", "--reference", a, "--candidate", a, "--json", "/nonexistent-dir/x.json"]),
                           mentions: "--json")
    }
}

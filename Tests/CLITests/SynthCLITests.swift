// `clearsub synth` as a user runs it: the built binary on a small clip, one-line errors, no
// partial files, no replacement without --overwrite.
import XCTest
import Foundation

final class SynthCLITests: XCTestCase {
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("clearsub").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/clearsub").path
    }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func temporaryDirectory() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    func testMissingInputIsOneLineErrorAndWritesNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try run(["synth", dir.appendingPathComponent("missing.mp4").path, "--output-dir", out])
        XCTAssertNotEqual(r.status, 0)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("clearsub: error: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("missing.mp4"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testBadOptionsAreOneLineErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [[String]] = [["whatever.mp4", "--output-dir", dir.path, "--languages", "zh,xx"],
                                 ["whatever.mp4", "--output-dir", dir.path, "--style", "neon"],
                                 ["whatever.mp4", "--output-dir", dir.path, "--crf", "99"],
                                 ["whatever.mp4"], ["--output-dir", dir.path]]
        for args in cases {
            let r = try run(["synth"] + args)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("clearsub: error: "), r.stderr)
        }
    }

    func testSynthWritesThreeFilesAndRefusesToOverwrite() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("tiny.mp4").path
        let ff = Process()
        ff.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ff.arguments = ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
                        "-f", "lavfi", "-i", "sine", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
                        "-pix_fmt", "yuv420p", "-c:a", "aac", clip]
        try ff.run()
        ff.waitUntilExit()
        let out = dir.appendingPathComponent("out").path
        let ok = try run(["synth", clip, "--output-dir", out, "--seed", "3", "--languages", "ja,ar", "--quiet"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stderr, "")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(names, ["tiny.ass", "tiny_mask.mkv", "tiny_subbed.mp4"])
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/tiny.ass"))
        let again = try run(["synth", clip, "--output-dir", out, "--seed", "4", "--quiet"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.hasPrefix("clearsub: error: ") && again.stderr.contains("--overwrite"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/tiny.ass")), before)
        let forced = try run(["synth", clip, "--output-dir", out, "--seed", "4", "--overwrite", "--quiet"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/tiny.ass")), before)
    }

    func testInterruptedRunLeavesNoFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/samples/hall.mp4").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["synth", sample, "--output-dir", dir.path, "--quiet"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.0)
        p.terminate()   // SIGTERM
        p.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.5)
        if p.terminationStatus == 0 { throw XCTSkip("synth finished before it could be interrupted") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}

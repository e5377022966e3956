// Running the built `clearsub` binary from the tests: locating it next to the test bundle
// (SwiftPM builds the executable before the tests because CLITests depends on it), capturing its
// exit status, stdout and stderr, and a scratch directory per test.
import XCTest
import Foundation
import ClearMedia
#if canImport(Glibc)
import Glibc
#endif

struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
}

enum CLIHarness {
    /// `.build/<triple>/debug/clearsub`: on Linux `Bundle.main` is the xctest runner's directory,
    /// which is the build products directory; the package's `.build/debug` is the fallback.
    static let binary: URL = {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("clearsub"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("clearsub"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/clearsub"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    static func launch(_ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = cwd }
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    static func run(_ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        let (p, out, err) = try launch(arguments, cwd: cwd, environment: environment)
        return collect(p, out, err)
    }

    static func collect(_ p: Process, _ out: Pipe, _ err: Pipe) -> CLIResult {
        let box = ErrBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { box.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: box.data, as: UTF8.self))
    }

    /// Asserts a clean failure: non-zero status, exactly one stderr line "clearsub: error: …"
    /// containing `mentions`, and no crash output.
    static func assertOneLineError(_ r: CLIResult, mentions: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(r.status, 0, "exit status", file: file, line: line)
        XCTAssertEqual(r.stderrLines.count, 1, "stderr: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("clearsub: error: "), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(mentions), "expected '\(mentions)' in: \(r.stderr)", file: file, line: line)
        for crash in ["Fatal error", "backtrace", "Stack dump", "Illegal instruction", "Current stack trace"] {
            XCTAssertFalse(r.stderr.contains(crash), r.stderr, file: file, line: line)
        }
    }
}

final class ErrBox: @unchecked Sendable { var data = Data() }

extension CLIHarness {
    /// A 2-second 192×108 clip with audio, subtitled by `clearsub synth` (seed 3, en and zh), in
    /// `s`: the path of `syn/walk_subbed.mp4`.
    static func subtitledClip(in s: Scratch, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let clean = s.path("walk.mp4")
        try SyntheticClip.make(clean, width: 192, height: 108, rate: 12, seconds: 2)
        let synth = try run(["synth", clean, "--output-dir", s.path("syn"), "--seed", "3", "--languages", "en,zh"])
        XCTAssertEqual(synth.status, 0, synth.stderr, file: file, line: line)
        return s.path("syn/walk_subbed.mp4")
    }
}

/// A scratch directory (removed at deinit) with an existence check.
final class Scratch {
    let scratch: ScratchDirectory
    var dir: URL { scratch.url }
    init(_ label: String) throws { scratch = try ScratchDirectory(label: "cli-\(label)") }
    func path(_ name: String) -> String { scratch.path(name) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
    func listing(_ sub: String = "") -> [String] { scratch.listing(sub) }
}

// Locating and running the FFmpeg command-line tools (ffmpeg, ffprobe) as child processes.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum FFmpegTools {
    /// Absolute path of `name` on PATH, or nil.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func require(_ name: String) throws -> String {
        guard let p = find(name) else { throw MediaError.ffmpegMissing(name) }
        return p
    }

    /// Ignore SIGPIPE process-wide, so a child that exits early makes `write` fail with EPIPE
    /// instead of killing us.
    static let ignoreSigpipe: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Runs a tool to completion and returns (exit status, stdout, stderr).
    public static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let exe = try require(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so neither fills up and blocks the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, stdoutData, String(decoding: errBox.data, as: UTF8.self))
    }

    /// Last non-empty line of a tool's stderr, for one-line error messages.
    public static func lastLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.last(where: { !$0.isEmpty }) ?? "no message"
    }
}

final class DataBox: @unchecked Sendable { var data = Data() }

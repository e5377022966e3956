// A child FFmpeg process with a raw-frame pipe (its stdout to read, or its stdin to write) and its
// stderr kept in an unlinked temporary file (read back for the one-line error message; nothing is
// left on disk even if the process exits without cleaning up).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ChildProcess: @unchecked Sendable {
    enum Direction { case readFromChild, writeToChild }

    let tool: String
    let process = Process()
    let pipe = Pipe()
    let stderrURL: URL
    private let stderrReader: FileHandle
    let direction: Direction
    private(set) var fd: Int32

    init(tool: String, arguments: [String], direction: Direction) throws {
        _ = FFmpegTools.ignoreSigpipe
        self.tool = tool
        self.direction = direction
        let exe = try FFmpegTools.require(tool)
        stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("clearsub-\(tool)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            throw MediaError.ffmpegFailed(tool: tool, detail: "cannot create its log file \(stderrURL.path); set TMPDIR to a writable directory")
        }
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        let stderrWriter = try FileHandle(forWritingTo: stderrURL)
        stderrReader = try FileHandle(forReadingFrom: stderrURL)
        unlink(stderrURL.path)   // lives on through the two handles only
        process.standardError = stderrWriter
        switch direction {
        case .readFromChild:
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            fd = pipe.fileHandleForReading.fileDescriptor
        case .writeToChild:
            process.standardInput = pipe
            process.standardOutput = FileHandle.nullDevice
            fd = pipe.fileHandleForWriting.fileDescriptor
        }
        try process.run()
        ChildRegistry.add(process)
        try? stderrWriter.close()   // the child has its own copy
        // Close our copy of the child's end so EOF / EPIPE propagate.
        switch direction {
        case .readFromChild: try? pipe.fileHandleForWriting.close()
        case .writeToChild: try? pipe.fileHandleForReading.close()
        }
    }

    /// Reads exactly `count` bytes into `buffer`; returns the number read (< count only at EOF).
    func readFully(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        var got = 0
        while got < count {
            let n = read(fd, buffer + got, count - got)
            if n > 0 { got += n } else if n == 0 { break } else if errno == EINTR { continue } else { break }
        }
        return got
    }

    /// Writes all bytes; false if the child stopped reading (EPIPE).
    func writeFully(_ buffer: UnsafeRawPointer, count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = write(fd, buffer + done, count - done)
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    /// Closes our end of the pipe (EOF for a writing pipe).
    func closePipe() {
        if fd >= 0 {
            switch direction {
            case .readFromChild: try? pipe.fileHandleForReading.close()
            case .writeToChild: try? pipe.fileHandleForWriting.close()
            }
            fd = -1
        }
    }

    /// Waits for the child and returns its exit status.
    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        ChildRegistry.remove(process)
        return process.terminationStatus
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    var stderrText: String {
        try? stderrReader.seek(toOffset: 0)
        return String(decoding: (try? stderrReader.readToEnd()) ?? Data(), as: UTF8.self)
    }

    deinit {
        closePipe()
        terminate()
        ChildRegistry.remove(process)
        try? stderrReader.close()
    }
}

// A file written under a hidden temporary name in its final directory
// (`.NAME_cleaned.mp4.partial-<pid>`) and renamed over the final name only when complete, so an
// interrupted run never leaves a truncated output and never damages an existing one.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class PartialFile: @unchecked Sendable {
    public let finalURL: URL
    public let temporaryURL: URL
    private let cancellation: CancellationToken?
    private var open = true

    public init(final: URL, cancellation: CancellationToken? = nil) {
        finalURL = final
        temporaryURL = final.deletingLastPathComponent()
            .appendingPathComponent(".\(final.lastPathComponent).partial-\(getpid())")
        self.cancellation = cancellation
        cancellation?.track(temporaryURL.path)
    }

    /// Atomically moves the finished temporary file over the final name.
    public func commit() throws {
        guard open else { return }
        if rename(temporaryURL.path, finalURL.path) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw PipelineError.writeFailed(finalURL.path, detail: reason)
        }
        open = false
        cancellation?.untrack(temporaryURL.path)
    }

    /// Deletes the temporary file, if any.
    public func discard() {
        guard open else { return }
        open = false
        unlink(temporaryURL.path)
        cancellation?.untrack(temporaryURL.path)
    }

    deinit { discard() }
}

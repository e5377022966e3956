// A thread-safe stop flag (set from a signal handler or another thread, checked per frame) plus
// the list of temporary files to delete if the process has to exit without unwinding.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var temporaries: Set<String> = []

    public init() {}

    public func cancel() { lock.withLock { cancelled = true } }

    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Throws `PipelineError.cancelled` once `cancel()` was called.
    public func check() throws {
        if isCancelled { throw PipelineError.cancelled }
    }

    /// Records a temporary file that must not outlive an interrupted run.
    public func track(_ path: String) { lock.withLock { _ = temporaries.insert(path) } }

    public func untrack(_ path: String) { lock.withLock { _ = temporaries.remove(path) } }

    /// Deletes every tracked temporary file or empty directory, deepest paths first (last resort
    /// before a forced exit).
    public func removeTrackedFiles() {
        let paths = lock.withLock { temporaries }.sorted { $0.count > $1.count }
        for p in paths { remove(p) }
    }
}

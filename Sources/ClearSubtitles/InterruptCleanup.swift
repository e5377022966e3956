// Removes in-progress temporary outputs when the process is interrupted (SIGINT, SIGTERM, SIGHUP),
// so an interrupted `synth` leaves neither truncated final files (those never exist before the
// final rename) nor hidden partial ones. Signals are received on a dispatch source, not in a raw
// signal handler, so the cleanup may take locks and call into Foundation.
import Foundation
import ClearMedia

public enum InterruptCleanup {
    private static let pending = Locked<Set<String>>([])
    private static let sources = Locked<[DispatchSourceSignal]>([])

    /// Starts watching for interruption (idempotent). On a signal: deletes the registered files,
    /// prints one line to stderr and exits with 128 + the signal number.
    public static func install() {
        sources.withLock { installed in
            guard installed.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    FFmpegTools.terminateAllChildren()   // before deleting: a starting child could recreate its file
                    removeAll()
                    FileHandle.standardError.write(Data("\nclearsub: error: interrupted; partial outputs removed\n".utf8))
                    exit(128 + sig)
                }
                source.resume()
                installed.append(source)
            }
        }
    }

    /// Files to delete if interrupted (temporary outputs being written).
    public static func register(_ paths: [String]) {
        pending.withLock { $0.formUnion(paths) }
    }

    /// Files that are finished or already cleaned up.
    public static func unregister(_ paths: [String]) {
        pending.withLock { $0.subtract(paths) }
    }

    static func removeAll() {
        let paths = pending.withLock { p -> Set<String> in
            let all = p
            p.removeAll()
            return all
        }
        for p in paths { unlink(p) }
    }
}

/// A value behind a lock. `@unchecked Sendable` is sound because every access goes through `lock`
/// (Foundation's NSLock, as `Synchronization.Mutex` needs macOS 15 and the package allows 13).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

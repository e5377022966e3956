// The FFmpeg child processes alive right now, so an interrupt handler can stop them (and wait for
// them) BEFORE deleting their partial outputs: a child that is still starting up could otherwise
// create its output file after the deletion and leave it behind.
import Foundation

enum ChildRegistry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [ObjectIdentifier: Process] = [:]

    static func add(_ p: Process) { lock.lock(); live[ObjectIdentifier(p)] = p; lock.unlock() }
    static func remove(_ p: Process) { lock.lock(); live[ObjectIdentifier(p)] = nil; lock.unlock() }

    /// Sends SIGTERM to every live child, then waits for each to exit (SIGKILL after 2 s).
    static func terminateAll() {
        lock.lock(); let all = Array(live.values); lock.unlock()
        for p in all where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        for p in all {
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        }
    }
}

extension FFmpegTools {
    /// Stops every FFmpeg child this process started and waits for them to exit. Call it from an
    /// interrupt handler before removing partial output files.
    public static func terminateAllChildren() { ChildRegistry.terminateAll() }
}

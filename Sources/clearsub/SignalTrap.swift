// SIGINT / SIGTERM handling for long commands: the first signal cancels the token (the work
// stops at the next frame, deletes its temporary files and exits 130); a second one deletes the
// tracked temporary files at once and exits 130.
import Dispatch
import Foundation
import ClearPipeline
import ClearMedia
#if canImport(Glibc)
import Glibc
#endif

final class SignalTrap: @unchecked Sendable {
    static let interruptedExitCode: Int32 = 130
    private var sources: [DispatchSourceSignal] = []
    let token: CancellationToken

    init(token: CancellationToken) {
        self.token = token
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [token] in
                if token.isCancelled {
                    FFmpegTools.terminateAllChildren()
                    token.removeTrackedFiles()
                    _exit(SignalTrap.interruptedExitCode)
                }
                token.cancel()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }
}

// A one-line progress bar on stderr (frames done/total, fps, ETA), drawn only when stderr is a
// terminal and --quiet is not given; redrawn at most five times a second.
import Foundation
import ClearPipeline
#if canImport(Glibc)
import Glibc
#endif

final class ProgressBar {
    let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(quiet: Bool) {
        enabled = !quiet && isatty(2) == 1
    }

    func update(_ p: FrameProgress) {
        guard enabled else { return }
        let now = Date()
        guard p.framesDone >= p.totalFrames || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let width = 24
        let fraction = p.totalFrames > 0 ? min(1, Double(p.framesDone) / Double(p.totalFrames)) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = p.etaSeconds.map(Self.clock) ?? "--:--"
        let fps = String(format: "%.1f", p.framesPerSecond)
        let text = "\r\(p.videoName) [\(bar)] \(p.framesDone)/\(p.totalFrames) frames  \(fps) fps  ETA \(eta) "
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    /// Ends the bar's line (before any other stderr output).
    func finish() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}

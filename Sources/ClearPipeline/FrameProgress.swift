// Progress of one input through the pipeline, reported after every written frame.
import Foundation

public struct FrameProgress: Sendable, Equatable {
    public let videoName: String
    public let framesDone: Int
    /// Frames expected (from the probe).
    public let totalFrames: Int
    public let elapsedSeconds: Double

    public init(videoName: String, framesDone: Int, totalFrames: Int, elapsedSeconds: Double) {
        self.videoName = videoName
        self.framesDone = framesDone
        self.totalFrames = totalFrames
        self.elapsedSeconds = elapsedSeconds
    }

    public var framesPerSecond: Double { elapsedSeconds > 0 ? Double(framesDone) / elapsedSeconds : 0 }

    /// Seconds left at the current rate (nil until the rate is known).
    public var etaSeconds: Double? {
        let rate = framesPerSecond
        guard rate > 0 else { return nil }
        return Double(max(0, totalFrames - framesDone)) / rate
    }
}

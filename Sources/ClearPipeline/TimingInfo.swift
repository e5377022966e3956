// timing_info.json: one JSON list with an entry per processed input (CLEAR's keys plus engine,
// size and fps). Entries of earlier runs for other inputs are kept; an input processed again
// replaces its own entry. Written under a temporary name and renamed.
import Foundation

public struct TimingEntry: Codable, Sendable, Equatable {
    public var videoName: String
    public var totalTimeSeconds: Double
    public var timePerFrameSeconds: Double
    public var numFrames: Int
    public var engine: String
    public var width: Int
    public var height: Int
    public var fps: Double

    public init(videoName: String, totalTimeSeconds: Double, numFrames: Int, engine: String,
                width: Int, height: Int, fps: Double) {
        self.videoName = videoName
        self.totalTimeSeconds = totalTimeSeconds
        self.timePerFrameSeconds = numFrames > 0 ? totalTimeSeconds / Double(numFrames) : 0
        self.numFrames = numFrames
        self.engine = engine
        self.width = width
        self.height = height
        self.fps = fps
    }

    enum CodingKeys: String, CodingKey {
        case videoName = "video_name", totalTimeSeconds = "total_time_seconds"
        case timePerFrameSeconds = "time_per_frame_seconds", numFrames = "num_frames"
        case engine, width, height, fps
    }
}

public enum TimingInfoFile {
    public static let fileName = "timing_info.json"

    /// Entries already in `dir/timing_info.json` (empty if absent or not a list of entries).
    public static func read(in dir: URL) -> [TimingEntry] {
        let url = dir.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode([TimingEntry].self, from: data)) ?? []
    }

    /// Merges `entries` into `dir/timing_info.json` (same `video_name` replaced, others kept).
    public static func merge(_ entries: [TimingEntry], in dir: URL) throws {
        let names = Set(entries.map(\.videoName))
        let all = read(in: dir).filter { !names.contains($0.videoName) } + entries
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(all)
        let file = PartialFile(final: dir.appendingPathComponent(fileName))
        guard FileManager.default.createFile(atPath: file.temporaryURL.path, contents: data + Data("\n".utf8)) else {
            throw PipelineError.writeFailed(file.finalURL.path, detail: "cannot create file")
        }
        try file.commit()
    }
}

// The contract between the pipeline and a subtitle-removal engine (design §2, "Engines"):
// frames in, clean frames out, with the temporal window the engine needs.
import ClearMedia

/// A subtitle remover working on short chunks of consecutive frames.
///
/// The pipeline streams a video through `clean` in chunks of at most `chunkSize` frames; consecutive
/// chunks share `chunkOverlap` frames, whose two results are cross-faded linearly. An engine must
/// accept any chunk length from 1 to `chunkSize` (the last chunk of a video is usually shorter) and
/// return exactly as many frames, each the size of its input frame.
public protocol RemovalEngine: AnyObject {
    /// Short name shown in progress lines and in `timing_info.json` (e.g. "lite").
    var name: String { get }
    /// Largest number of frames passed to one `clean` call (≥ 1).
    var chunkSize: Int { get }
    /// Frames shared by consecutive chunks (0 ≤ overlap < chunkSize).
    var chunkOverlap: Int { get }
    /// Returns the cleaned frames of `chunk`: same count, same sizes, same order.
    func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame]
}

/// An engine that also takes the long-range temporal cue: per frame of the chunk, the blocks that
/// stayed unchanged for seconds around it (`StaticSceneMap`, nil where the video is too short to
/// tell). The pipeline computes the maps from a look-ahead decoder when `staticSceneSettings` is set.
public protocol StaticSceneAware: RemovalEngine {
    /// What the engine wants analysed; nil turns the analysis off.
    var staticSceneSettings: StaticSceneSettings? { get }
    /// As `clean(_:)`, with one map (or nil) per frame of `chunk`.
    func clean(_ chunk: [RGBFrame], staticScene: [StaticSceneMap?]) throws -> [RGBFrame]
}

/// An engine whose output for frame t depends only on the frames t − contextRadius … t + contextRadius
/// (clamped to the video), and, for an engine with a memory, on the frames before them (see
/// `beginVideo`). The pipeline then streams it without overlapping chunks or cross-fades:
/// each call gets up to `chunkSize` consecutive frames, of which `outputs` are to be cleaned and
/// the others (at most `contextRadius` on each side) are only context. Every frame is cleaned
/// exactly once, and the result equals cleaning the whole video in one call.
public protocol WindowedEngine: StaticSceneAware {
    /// Frames of context each output frame needs on either side (0 ≤ 2·radius < chunkSize).
    var contextRadius: Int { get }
    /// The cleaned frames `frames[outputs]`, in order. A frame's window is clamped to `frames`, so
    /// `frames` starts at the video's first frame or `contextRadius` before `outputs`, and ends at
    /// the video's last frame or `contextRadius` after. `staticScene` has one entry per frame of
    /// `frames` (nil for context frames and where the video is too short to tell).
    func clean(_ frames: [RGBFrame], outputs: Range<Int>, staticScene: [StaticSceneMap?]) throws -> [RGBFrame]
    /// Called before the first frame of each video. An engine that remembers earlier frames of a
    /// video (the lite engine's background memory) forgets them here; its output for frame t may
    /// then also depend on frames before t − contextRadius, which the pipeline cleans in order.
    func beginVideo()
}

extension WindowedEngine {
    public func beginVideo() {}
}

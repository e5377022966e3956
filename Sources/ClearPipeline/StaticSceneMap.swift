// The long-range temporal cue of subtitle removal (design §4 "Temporal consistency", at the scale of
// a whole cue): a burned-in subtitle appears and disappears within seconds (a cue lasts at most
// about 7 s), while the static parts of a scene stay as they are. For one frame, a
// `StaticSceneMap` marks the blocks of the picture whose brightness did not change, within a
// tolerance, over several seconds before and after it. Whatever an engine detects there is part
// of the scene (a sign, a window, a logo), not a subtitle, and is left untouched.

/// What counts as "static" (see `StaticSceneTracker`).
public struct StaticSceneSettings: Sendable, Equatable {
    /// Seconds looked at before and after the frame (the window is clipped to the video).
    public var windowSeconds: Double = 6
    /// The clipped window must span at least this many seconds, or the frame gets no map (a short
    /// clip says nothing about how long its text stays).
    public var minimumSpanSeconds: Double = 3
    /// Largest change of a block's mean luma (0…255) that still counts as unchanged.
    public var tolerance: Int = 8
    /// Largest change of a block's luma range (brightest − darkest pixel) with which a stable
    /// block beside a changing one is still static (nil: such blocks never are).
    public var rangeTolerance: Int? = 16
    /// Frames compared per second of the window (every frame at or below this rate).
    public var samplesPerSecond: Double = 5
    /// Also mark (`StaticSceneMap.carried`, which the lite engine applies to α after its line cue)
    /// a block that was static in an earlier frame k at most `windowSeconds` back
    /// (whose window therefore reaches this frame) whose luma range in this frame is within
    /// `rangeTolerance` of frame k's (needs `rangeTolerance`) and whose mean luma, and its eight
    /// neighbours', within `tolerance`.
    /// Scenery stays protected up to the moment something passes in front of it, not only until
    /// that moment enters the window. An experiment (`CLEARSUB_LITE_STATIC_SCENE=carry`).
    public var carry = false

    public init() {}

    /// Block edge in pixels for a `width`×`height` video: about 180 blocks on the short side, so
    /// memory per buffered frame is the same at any resolution (4 px at 720p, 3 px at 576p).
    public static func blockSize(width: Int, height: Int) -> Int { max(2, min(width, height) / 180) }
}

/// For one frame: which blocks stayed unchanged over the whole window (next to a block that
/// changed, only when the block's luma range stayed unchanged too, so the edges of anything that
/// did change are not marked).
public struct StaticSceneMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let blockSize: Int
    public let columns: Int
    public let rows: Int
    /// Row-major, `columns * rows`: true where the block is static.
    public let isStatic: [Bool]
    /// Row-major like `isStatic`, or empty: blocks static only by `StaticSceneSettings.carry`
    /// (false where `isStatic` is true). An engine applies them after its other cues on α.
    public let carried: [Bool]

    public init(width: Int, height: Int, blockSize: Int, isStatic: [Bool], carried: [Bool] = []) {
        let columns = (width + blockSize - 1) / blockSize, rows = (height + blockSize - 1) / blockSize
        precondition(isStatic.count == columns * rows, "StaticSceneMap: \(isStatic.count) blocks for \(columns)x\(rows)")
        precondition(carried.isEmpty || carried.count == isStatic.count, "StaticSceneMap: \(carried.count) carried blocks for \(isStatic.count)")
        self.width = width; self.height = height; self.blockSize = blockSize
        self.columns = columns; self.rows = rows; self.isStatic = isStatic; self.carried = carried
    }

    /// The carried blocks as a map of their own (nil when there are none).
    public var carriedMap: StaticSceneMap? {
        carried.contains(true) ? StaticSceneMap(width: width, height: height, blockSize: blockSize, isStatic: carried) : nil
    }

    /// Whether pixel (x, y) lies in a static block.
    public func isStatic(x: Int, y: Int) -> Bool { isStatic[(y / blockSize) * columns + x / blockSize] }

    /// Share of the blocks that are static (diagnostics).
    public var staticFraction: Double {
        isStatic.isEmpty ? 0 : Double(isStatic.lazy.filter { $0 }.count) / Double(isStatic.count)
    }
}

// Background memory for still shots: under a subtitle, a fixed camera shows the scenery it showed
// before the cue appeared (or between two cues). The plate keeps, per pixel, the running mean of
// the values seen away from any subtitle (α = 0 within `guardDistance` pixels) since the pixel
// last changed (`averageFrames`), once it has held still for `stableFrames` frames; and,
// provisionally, what a clean frame just before a cue shows under the head's α (`recordClean`,
// the lead rule of TemporalAlpha.swift). When a later frame restores a pixel, the plate replaces
// the network's guess if the scenery around it still matches the plate: in its `block`² block, at
// least `contextShare` of the pixels of the surrounding blocks (`contextBlocks`) that are
// subtitle-free now and have a stable sighting are within `stabilityTolerance` luma levels of it. A moving camera,
// a lighting change or a person walking past fails that test, and the network's restoration stays;
// a thick outline the head missed, a few percent of the context, does not fail it.
// That test only sees the present: context that changed while the subtitle hid the block (a cut,
// a character who moved beside the cue) matches the plate again two frames later, while the plate
// under the text still shows the old view. The freshness rule (`freshShare`) also asks that most of
// the context has not changed since the hidden pixels were last seen. A context pixel counts as
// changed when its plate value jumps by more than `freshDifference` at once or, since the
// twenty-sixth session (`freshDrift`), drifts that far from its value at its last change over any
// number of records: a character moving slowly beside the cue changes the context a few levels
// per record (each stable run restarts past `stabilityTolerance`), never 24 at once; and, in
// frames that are not still (`freshMoving`), as soon as the frame itself is that far from it,
// since context that never holds still is never recorded.
// Neither rule reads the pixels right beside the text, which an arm moving under a cue changes
// while the room around holds still. The seam test's fill cross-check (`seamFill`,
// SeamFillCheck.swift) does, in frames that are not still: where the plate misses those pixels
// by more than a fill made without them does, the fill is taken instead of the plate.
// The stability rule keeps a subtitle out of the plate while α misses it: a cue fading in is
// faint for a few frames, below α's threshold, and changes every frame. The hold rule keeps it
// out once it stands still: in a still frame, a known pixel takes a value far from its plate
// value only after `holdFrames` stable frames (a glyph or outline the head missed entirely lies
// beyond the guard ring).
// In a still frame (`completionStillFraction`), the plate also completes α: pixels within
// `completionReach` of the detected subtitle that differ strongly from the plate are the rest of
// it (outline, shadow, soft edge, a neighbouring glyph the head missed).
// Every number was chosen on training footage (tools/tune_lite_memory.sh clips; MODEL_CARD.md),
// except `completionShare`, which was set after a validation run (MODEL_CARD.md says why).
// No reference implementation: a rule of this project (MODEL_CARD.md "Background memory"); the
// idea is the temporal propagation of video inpainting (known pixels copied from other frames)
// with zero motion, or a whole-pixel camera pan (`follow`, PlateFollow.swift). `record`'s per-pixel
// step and `blockCounts`' pixel pass also exist in C, built for AVX-512 and AVX2
// (ClearSIMD/PlateKernels.swift), bit for bit the same.
import ClearMedia
import ClearMetrics
import ClearSIMD
import ClearTensor

/// The numbers of the background memory (chosen on training footage, MODEL_CARD.md).
public struct BackgroundMemorySettings: Sendable, Equatable {
    /// Pixels within this distance (Chebyshev) of α > 0 are neither recorded nor used as context:
    /// the head's α can stop short of a thick outline or a soft shadow.
    public var guardDistance = 4
    /// Side of the blocks the scenery test decides on.
    public var block = 16
    /// Blocks on each side of a block whose pixels form its context (3: a 7 × 7-block square,
    /// 112 px with 16-px blocks, so that blocks inside a wide subtitle box still have context).
    public var contextBlocks = 3
    /// Context pixels a block needs for the test.
    public var minimumContext = 64
    /// Share of a block's context pixels that must be within `stabilityTolerance` luma levels of
    /// the plate for the block's scenery to match it.
    public var contextShare: Float = 0.8
    /// Frames a pixel must stay within `stabilityTolerance` luma levels of its value at the start
    /// of the run (and away from the subtitle) before it is recorded.
    public var stableFrames = 2
    public var stabilityTolerance = 8
    /// `complete`: difference from the plate (levels, any channel) from which a pixel beside the
    /// subtitle is part of it; nil: α is not completed (and the plate is not held).
    public var completionDifference: Int? = 24
    /// `complete` runs only when `stillFraction` is at least this.
    public var completionStillFraction: Float = 0.95
    /// Share of a block's context that must match the plate for `complete` to add pixels in it:
    /// stricter than `contextShare`, so that a person standing or walking beside a subtitle
    /// (more of the context than a missed outline) is not taken for part of it.
    public var completionShare: Float = 0.95
    /// Rounds of `complete` per frame (each may grow α by up to `completionReach` pixels; it
    /// stops early when a round adds nothing).
    public var completionRounds = 4
    /// Distance (Chebyshev) from α > 0 within which `complete` adds pixels in one round; at least
    /// `guardDistance` is used (the blocks it tests must include the guard ring's).
    public var completionReach = 12
    /// In a frame whose `stillFraction` is at least `holdStillFraction`, a known pixel whose
    /// stable value differs from its plate value by more than `completionDifference` is recorded
    /// only after this many stable frames (at most 255): in a still shot such a lasting change is
    /// a subtitle the head missed (or something that stopped moving). 0: off.
    public var holdFrames = 200
    public var holdStillFraction: Float = 0.9
    /// `follow`: largest camera pan (pixels per frame, either axis) the plate is moved with; 0: off.
    public var followReach = 16
    /// `follow` searches only when fewer than this share of the sampled subtitle-free pixels are
    /// within `stabilityTolerance` of the previous frame in place, and moves the plate only by a
    /// shift under which at least this share are.
    public var followShare: Float = 0.9
    /// The plate value is the running mean of the pixel's current stable run, over about its
    /// last this many frames: a still camera's noise averages out, where one frame's value
    /// carries all of it (1: the last value, as up to the tenth session; 16 chosen on training
    /// footage in the eleventh, MODEL_CARD.md "Running mean of the plate").
    public var averageFrames = 16
    /// The scenery test's freshness rule: a block's plate values under the subtitle were last seen
    /// at some frame (their mean); of its context pixels (within `freshBlocks` blocks), at least
    /// this share must not have changed (their plate value moved by more than `freshDifference`
    /// levels, any channel) since then. A still camera keeps its context; a person moving beside
    /// the subtitle since the cue appeared changes it, and what the plate holds under the text is
    /// then a stale view, and so is a shot before a cut (the push-pull fill is taken instead).
    /// nil: off. 0.8 chosen on training footage over 0.9 (MODEL_CARD.md "The freshness rule").
    public var freshShare: Float? = 0.8
    /// Blocks on each side of a block whose context the freshness rule reads (as `contextBlocks`).
    public var freshBlocks = 3
    /// A plate value that moves by more than this (levels, any channel) counts as a change.
    public var freshDifference = 24
    /// A plate value that drifts by more than `freshDifference` luma levels from its value at its
    /// last change, over any number of records, also counts as a change (`false`: only a jump
    /// between two records does, as before the twenty-sixth session; `fdrift=0`).
    /// MODEL_CARD.md "The freshness rule, drift".
    public var freshDrift = true
    /// With `freshDrift`, in frames that are not still (`record`'s `still`), a pixel with a stable
    /// sighting also counts as changed as soon as the frame's own luma is more than
    /// `freshDifference` from its reference, whether or not the plate records it (context that
    /// never holds still is never recorded). Off in still frames, where people walking past a
    /// fixed camera leave the plate under the cue valid (`false`: as before the twenty-sixth
    /// session's second rule; `fmoving=0`). MODEL_CARD.md "The freshness rule, drift".
    public var freshMoving = true
    /// The seam test's share form (`checkSeams`; nil: off; opt-in, it failed its rule; runs only
    /// with `seamFill` off, which replaced it): the guard ring's
    /// visible pixels (α = 0, within `guardDistance` of the subtitle, with a stable sighting) show
    /// the scenery right beside the text now, which the scenery test and the freshness rule never
    /// read. Where at least `seamMinimum` of them lie within `seamBlocks` blocks of a matching
    /// block, the share of them within `seamTolerance` luma levels of the plate must be at least
    /// this times the same share of the context pixels (`near` 0) of those blocks, or the block
    /// does not match (with `seamWeight` above 0: is doubted, and mixed): the ring may not leave
    /// the plate much more than its surroundings do.
    /// Only in frames that are not still (the engine's `still`, which needs the hold rule on):
    /// with a fixed camera the scenery beside the text rarely moves, and a thick outline the head
    /// missed fills the ring. MODEL_CARD.md "The seam test".
    public var seamShare: Float? = nil
    /// Blocks on each side of a block whose ring pixels the seam test reads (both forms).
    public var seamBlocks = 1
    /// Luma levels within which a ring pixel agrees with the plate (twice `stabilityTolerance`:
    /// the ring holds the text's soft edge and the codec's smear of it).
    public var seamTolerance = 16
    /// Ring pixels the seam test needs before it decides (fewer: the block keeps its match), and
    /// context pixels it needs before their agreement sets the bar (fewer: the bar is 1).
    public var seamMinimum = 32
    /// What a block the seam test doubts gets: 0, the restoration alone (it stops matching);
    /// above 0, this weight of the plate and the rest of the restoration (`apply`'s `doubted`).
    public var seamWeight: Float = 0
    /// The fill cross-check (`checkSeams` with a `ringFill`; nil: off; on since the thirtieth
    /// session): the seam test's form that asks which of the two, plate or fill, is closer to the
    /// scenery beside the text. The engine fills the frame with the whole guard ring as the hole
    /// (`leaveOutFill`), so the fill predicts the ring's visible pixels from the scenery beyond
    /// them, as it predicts the text's pixels from the ring. A matching block is doubted when,
    /// over those pixels within `seamBlocks` blocks (at least `seamMinimum`), the plate's mean
    /// absolute luma error exceeds this times the fill's plus `seamFloor` levels. Only in frames
    /// that are not still, unless `seamInStill`. Replaces the share test (`seamShare`) when set:
    /// `sfill=off,seam=0.9` runs that one. MODEL_CARD.md "The seam test, fill cross-check".
    public var seamFill: Float? = 1
    /// Levels the plate's mean ring error must exceed the fill's (times `seamFill`) by.
    public var seamFloor: Float = 4
    /// The seam test in still frames too (`false`: only in frames that are not still; `true` lost
    /// on still-camera and `vivid` clips, MODEL_CARD.md "The seam test, fill cross-check").
    public var seamInStill = false

    public init() {}

    /// The settings for frames `k` times the size they were chosen at (linear size; footage up to
    /// 1280×720): the pixel distances and block size times `k`, the context pixels a block needs
    /// times `k`²; levels, shares and frame counts unchanged. `LiteEngine` scales them with the
    /// frame (`LiteEngine.memoryScale`), so that a subtitle box on a 1080p or 4K frame still has
    /// context around its inner blocks. k = 1 returns the settings unchanged.
    public func scaled(by k: Double) -> BackgroundMemorySettings {
        guard k != 1 else { return self }
        func px(_ v: Int) -> Int { max(v == 0 ? 0 : 1, Int((Double(v) * k).rounded())) }
        var s = self
        s.guardDistance = px(guardDistance)
        s.block = px(block)
        s.minimumContext = max(1, Int((Double(minimumContext) * k * k).rounded()))
        s.completionReach = px(completionReach)
        s.followReach = px(followReach)
        return s
    }

    /// The keys `init?(parsing:)` understands, in the order its error message lists them.
    public static let keys = ["guard", "block", "context", "minimum", "share", "stable", "stability", "complete", "still",
                              "cshare", "rounds", "reach", "hold", "holdstill", "follow", "fshare", "mean", "fresh",
                              "fblocks", "flevels", "fdrift", "fmoving", "seam", "sblocks", "slevels", "sminimum", "sweight",
                              "sfill", "sfloor", "sstill"]

    /// Parses `key=value,…` (`keys`; complete, fresh, seam and sfill also take "off") over the defaults;
    /// nil when a key or value is not understood.
    public init?(parsing text: String) {
        self.init()
        for item in text.split(separator: ",") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map { String($0.filter { $0 != " " }) }
            guard kv.count == 2 else { return nil }
            let (k, v) = (kv[0], kv[1])
            switch k {
            case "guard": guard let x = Int(v), x >= 0 else { return nil }; guardDistance = x
            case "block": guard let x = Int(v), x >= 1 else { return nil }; block = x
            case "context": guard let x = Int(v), x >= 0 else { return nil }; contextBlocks = x
            case "minimum": guard let x = Int(v), x >= 1 else { return nil }; minimumContext = x
            case "share": guard let x = Float(v), x >= 0, x <= 1 else { return nil }; contextShare = x
            case "stable": guard let x = Int(v), x >= 1 else { return nil }; stableFrames = x
            case "stability": guard let x = Int(v), x >= 0 else { return nil }; stabilityTolerance = x
            case "complete": if v == "off" { completionDifference = nil } else { guard let x = Int(v) else { return nil }; completionDifference = x }
            case "still": guard let x = Float(v) else { return nil }; completionStillFraction = x
            case "rounds": guard let x = Int(v), x >= 0 else { return nil }; completionRounds = x
            case "reach": guard let x = Int(v), x >= 0 else { return nil }; completionReach = x
            case "hold": guard let x = Int(v), x >= 0, x <= 255 else { return nil }; holdFrames = x
            case "cshare": guard let x = Float(v), x >= 0, x <= 1 else { return nil }; completionShare = x
            case "holdstill": guard let x = Float(v) else { return nil }; holdStillFraction = x
            case "follow": guard let x = Int(v), x >= 0 else { return nil }; followReach = x
            case "fshare": guard let x = Float(v), x >= 0, x <= 1 else { return nil }; followShare = x
            case "mean": guard let x = Int(v), x >= 1 else { return nil }; averageFrames = x
            case "fresh": if v == "off" { freshShare = nil } else { guard let x = Float(v), x >= 0, x <= 1 else { return nil }; freshShare = x }
            case "fblocks": guard let x = Int(v), x >= 0 else { return nil }; freshBlocks = x
            case "flevels": guard let x = Int(v), x >= 0 else { return nil }; freshDifference = x
            case "fdrift": guard v == "0" || v == "1" else { return nil }; freshDrift = v == "1"
            case "fmoving": guard v == "0" || v == "1" else { return nil }; freshMoving = v == "1"
            case "seam": if v == "off" { seamShare = nil } else { guard let x = Float(v), x >= 0, x <= 1 else { return nil }; seamShare = x }
            case "sblocks": guard let x = Int(v), x >= 0 else { return nil }; seamBlocks = x
            case "slevels": guard let x = Int(v), x >= 0 else { return nil }; seamTolerance = x
            case "sminimum": guard let x = Int(v), x >= 1 else { return nil }; seamMinimum = x
            case "sweight": guard let x = Float(v), x >= 0, x < 1 else { return nil }; seamWeight = x
            case "sfill": if v == "off" { seamFill = nil } else { guard let x = Float(v), x >= 0 else { return nil }; seamFill = x }
            case "sfloor": guard let x = Float(v), x >= 0 else { return nil }; seamFloor = x
            case "sstill": guard v == "0" || v == "1" else { return nil }; seamInStill = v == "1"
            default: return nil
            }
        }
    }
}

public struct BackgroundPlate: Sendable {
    public let width: Int
    public let height: Int
    public var settings: BackgroundMemorySettings

    /// RGB of each pixel's stable, subtitle-free sightings (their running mean); `known` is 1 where
    /// there is one, 2 where the only sighting is a frame `recordClean` took (a frame beside a
    /// cue): `apply` uses both, the scenery test, the stillness and the completion only 1.
    var rgb: [UInt8]
    var known: [UInt8]
    /// Luma at the start of each pixel's current stable run, and the run's length (saturating).
    var anchor: [UInt8]
    var run: [UInt8]
    /// RGB running mean of each pixel's stable run in 1/128 levels (`averageFrames` > 1; empty otherwise).
    var mean: [UInt16] = []
    /// Luma of the last recorded frame away from the subtitle, -1 near it (empty before the
    /// first): what `follow` measures a camera pan against.
    var previous: [Int16] = []
    /// The shift `follow` applied for the previous frame ((0, 0): none).
    var lastShift = (dx: 0, dy: 0)
    /// Frames `record` has seen; per pixel, the frame it was last recorded at and the frame its
    /// plate value last moved by more than `freshDifference` (the freshness rule; empty when off).
    var frameCount: Int32 = 0
    var seen: [Int32] = []
    var changed: [Int32] = []
    /// Luma of each pixel's plate value at its last change (`freshDrift`; `BackgroundPlate.unset`
    /// before its first stable sighting; empty when off).
    var changedLuma: [UInt16] = []
    static let unset = UInt16.max

    public init(width: Int, height: Int, settings: BackgroundMemorySettings = BackgroundMemorySettings()) {
        self.width = width; self.height = height; self.settings = settings
        rgb = [UInt8](repeating: 0, count: width * height * 3)
        known = [UInt8](repeating: 0, count: width * height)
        anchor = [UInt8](repeating: 0, count: width * height)
        run = [UInt8](repeating: 0, count: width * height)
    }

    @inline(__always) static func luma(_ p: UnsafePointer<UInt8>) -> Int {
        (299 * Int(p[0]) + 587 * Int(p[1]) + 114 * Int(p[2]) + 500) / 1000
    }

    /// Largest absolute difference over the three channels of two RGB pixels.
    @inline(__always) static func channelDifference(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Int {
        max(abs(Int(a[0]) - Int(b[0])), abs(Int(a[1]) - Int(b[1])), abs(Int(a[2]) - Int(b[2])))
    }

    /// 1 where α > 0 within `guardDistance` pixels (Chebyshev distance), else 0.
    public func nearSubtitle(_ alpha: AlphaMap) -> [UInt8] { ring(alpha, distance: settings.guardDistance) }

    /// 1 where α > 0 within `completionReach` (at least `guardDistance`) pixels: where `complete` may add.
    public func completionCandidates(_ alpha: AlphaMap) -> [UInt8] {
        ring(alpha, distance: max(settings.completionReach, settings.guardDistance))
    }

    /// `nearSubtitle` and `completionCandidates` of one α, from one mask of its pixels.
    public func nearAndCandidates(_ alpha: AlphaMap) -> (near: [UInt8], candidates: [UInt8]) {
        let touched = self.touched(alpha)
        return (Self.dilate(touched, radius: settings.guardDistance).bits,
                Self.dilate(touched, radius: max(settings.completionReach, settings.guardDistance)).bits)
    }

    /// 1 where α > 0 within `distance` pixels (Chebyshev distance), else 0.
    func ring(_ alpha: AlphaMap, distance: Int) -> [UInt8] {
        Self.dilate(touched(alpha), radius: distance).bits
    }

    /// `MaskDilation.dilate` with its rows on the engine's threads.
    static func dilate(_ mask: BinaryMask, radius: Int) -> BinaryMask {
        MaskDilation.dilate(mask, radius: radius) { n, body in parallelFor(n, minChunk: 16, body) }
    }

    /// The pixels with α > 0.
    func touched(_ alpha: AlphaMap) -> BinaryMask {
        precondition(alpha.width == width && alpha.height == height, "BackgroundPlate: α size")
        var bits = [UInt8](repeating: 0, count: width * height)
        alpha.values.withUnsafeBufferPointer { a in bits.withUnsafeMutableBufferPointer { b in
            let (ap, bp) = (a.baseAddress!, b.baseAddress!)
            parallelFor(a.count, minChunk: 65_536) { part in
                for i in part { bp[i] = ap[i] > 0 ? 1 : 0 }
            }
        } }
        return BinaryMask(width: width, height: height, bits: bits)
    }

    /// Blocks (`block`² pixels, row-major, ⌈w/block⌉ per row) whose scenery still matches the
    /// plate: only blocks holding a pixel of `testing` (default `near`) are tested (the others
    /// are false). A block's context is the subtitle-free pixels with a stable sighting (`known` 1) of the blocks
    /// within `contextBlocks` of it. `near` is `nearSubtitle(alpha)`, `frame` the input frame.
    public func matchingBlocks(frame: RGBFrame, near: [UInt8], testing: [UInt8]? = nil) -> [Bool] {
        matchingBlocks(frame: frame, near: near, testing: testing, shares: [settings.contextShare])[0]
    }

    /// `matchingBlocks` for several context shares in one pass (one [Bool] per share).
    public func matchingBlocks(frame: RGBFrame, near: [UInt8], testing: [UInt8]?, shares: [Float]) -> [[Bool]] {
        precondition(frame.width == width && frame.height == height && near.count == width * height, "BackgroundPlate: frame size")
        let (fw, fh, b, r) = (width, height, settings.block, settings.contextBlocks)
        let bw = (fw + b - 1) / b, bh = (fh + b - 1) / b
        var tested = [Bool](repeating: false, count: bw * bh)
        (testing ?? near).withUnsafeBufferPointer { np in tested.withUnsafeMutableBufferPointer { tp in
            let (nr, t) = (np.baseAddress!, tp.baseAddress!)
            parallelFor(bh, minChunk: 4) { part in   // block rows are independent
                for by in part {
                    for y in by * b..<min(fh, (by + 1) * b) where UnsafeBufferPointer(start: nr + y * fw, count: fw).contains(1) {
                        for x in 0..<fw where nr[y * fw + x] != 0 { t[by * bw + x / b] = true }
                    }
                }
            }
        } }
        // the freshness rule: when each tested block's hidden pixels were seen (nil: rule off)
        let since = hiddenSince(tested: tested, near: near, bw: bw, bh: bh)
        let earliest = since.flatMap { s in tested.indices.filter { tested[$0] }.map { s[$0] }.min() }.flatMap { $0.isFinite ? $0 : nil }
        let fr = settings.freshBlocks
        // per block: its own context pixels, how many of them are within stabilityTolerance of the
        // plate and (rule on) when those that changed after the earliest sighting changed (in a
        // still shot, none), for the blocks some tested block reads
        var needed = [Bool](repeating: false, count: bw * bh)
        for j in tested.indices where tested[j] {
            Self.forEachBlock(around: j, radius: earliest == nil ? r : max(r, fr), bw: bw, bh: bh) { needed[$0] = true }
        }
        let todo = needed.indices.filter { needed[$0] }
        let (sames, counts, recent) = blockCounts(frame: frame, near: near, blocks: todo, earliest: earliest, bw: bw)
        var matches = shares.map { _ in [Bool](repeating: false, count: bw * bh) }
        for j in tested.indices where tested[j] {
            var same = 0, n = 0
            Self.forEachBlock(around: j, radius: r, bw: bw, bh: bh) { same += sames[$0]; n += counts[$0] }
            var fresh = true
            if let since, let share = settings.freshShare, since[j].isFinite {
                // at least `freshShare` of the context within `freshBlocks` has not changed since then
                var stale = 0, m = 0
                Self.forEachBlock(around: j, radius: fr, bw: bw, bh: bh) { c in
                    m += counts[c]
                    for t in recent[c] where Double(t) > since[j] { stale += 1 }
                }
                fresh = m == 0 || Float(m - stale) >= share * Float(m)
            }
            for (k, share) in shares.enumerated() { matches[k][j] = fresh && n >= settings.minimumContext && Float(same) >= share * Float(n) }
        }
        return matches
    }

    /// The scenery test's pixel pass over `blocks` (indices of a `bw`-wide block grid): per block,
    /// the context pixels (`near` 0, `known` 1), how many of them are within `stabilityTolerance`
    /// luma levels of the plate and (when `earliest` is set: the freshness rule) the frames, later
    /// than `earliest`, at which those pixels last changed. Arrays over the whole grid; `recent` is
    /// empty when `earliest` is nil. A C build (`PlateKernels.blockCounts`) runs where
    /// `KernelDispatch.plateBuild` picks one.
    func blockCounts(frame: RGBFrame, near: [UInt8], blocks todo: [Int], earliest: Double?, bw: Int)
        -> (sames: [Int], counts: [Int], recent: [[Int32]]) {
        let (fw, fh, b) = (width, height, settings.block)
        let bh = (fh + b - 1) / b
        var sames = [Int](repeating: 0, count: bw * bh), counts = [Int](repeating: 0, count: bw * bh)
        var recent = [[Int32]](repeating: [], count: earliest == nil ? 0 : bw * bh)
        let tol = settings.stabilityTolerance
        let build = KernelDispatch.plateBuild
        if build != .swift {
            // the same pass in C, vectorised (PlateKernels.blockCounts)
            let bb = b * b, blocks = todo.map { Int32($0) }
            var sameOut = [Int32](repeating: 0, count: todo.count), nOut = sameOut, listCount = sameOut
            var lists = [Int32](repeating: 0, count: earliest == nil ? 0 : todo.count * bb)
            frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
            near.withUnsafeBufferPointer { np in known.withUnsafeBufferPointer { kp in changed.withUnsafeBufferPointer { chp in
            blocks.withUnsafeBufferPointer { bp in sameOut.withUnsafeMutableBufferPointer { so in nOut.withUnsafeMutableBufferPointer { no in
            listCount.withUnsafeMutableBufferPointer { lc in lists.withUnsafeMutableBufferPointer { lp in
                let (bl, sm, nm, cnt) = (bp.baseAddress, so.baseAddress, no.baseAddress, lc.baseAddress)
                let ch = earliest == nil ? nil : chp.baseAddress, ls = earliest == nil ? nil : lp.baseAddress
                parallelFor(todo.count, minChunk: 8) { part in
                    let o = part.lowerBound
                    PlateKernels.blockCounts(build, blocks: bl! + o, count: part.count, blocksPerRow: bw, block: b, width: fw, height: fh,
                                             frame: fp.baseAddress!, plate: pp.baseAddress!, near: np.baseAddress!,
                                             known: kp.baseAddress!, tolerance: tol, changed: ch, earliest: earliest ?? .infinity,
                                             same: sm! + o, n: nm! + o, list: ls.map { $0 + o * bb }, listCount: cnt! + o)
                }
            } } } } } } } } } }
            for (j, block) in todo.enumerated() {
                sames[block] = Int(sameOut[j]); counts[block] = Int(nOut[j])
                if earliest != nil { recent[block] = Array(lists[(j * bb)..<(j * bb + Int(listCount[j]))]) }
            }
            return (sames, counts, recent)
        }
        frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
        near.withUnsafeBufferPointer { np in known.withUnsafeBufferPointer { kp in changed.withUnsafeBufferPointer { chp in
        todo.withUnsafeBufferPointer { tp in
        sames.withUnsafeMutableBufferPointer { sp in counts.withUnsafeMutableBufferPointer { cp in recent.withUnsafeMutableBufferPointer { rp in
            let (px, pl, so, co) = (fp.baseAddress!, pp.baseAddress!, sp.baseAddress!, cp.baseAddress!)
            let (nr, kn, td) = (np.baseAddress!, kp.baseAddress!, tp.baseAddress)
            let ro = earliest == nil ? nil : rp.baseAddress   // `recent` is empty when the rule is off
            let ch = earliest == nil ? nil : chp.baseAddress  // `changed` is read only when it is on
            parallelFor(todo.count, minChunk: 8) { part in
                for j in part {
                    let block = td![j], bx = block % bw, by = block / bw
                    var same = 0, n = 0, list: [Int32] = []
                    for y in by * b..<min(fh, (by + 1) * b) {
                        for x in bx * b..<min(fw, (bx + 1) * b) where nr[y * fw + x] == 0 && kn[y * fw + x] == 1 {
                            let p = (y * fw + x) * 3
                            if abs(Self.luma(px + p) - Self.luma(pl + p)) <= tol { same += 1 }
                            n += 1
                            if let earliest, let ch, Double(ch[y * fw + x]) > earliest { list.append(ch[y * fw + x]) }
                        }
                    }
                    so[block] = same; co[block] = n
                    if let ro { ro[block] = list }
                }
            }
        } } } } } } } } }
        return (sames, counts, recent)
    }

    /// The freshness rule's first half (nil when it is off): per tested block, the mean frame at
    /// which the plate last saw its pixels near the subtitle (`near` 1, known); ∞ where it knows
    /// none. `matchingBlocks` then asks that at least `freshShare` of the context pixels (known,
    /// `near` 0) of the blocks within `freshBlocks` have not changed since then.
    func hiddenSince(tested: [Bool], near: [UInt8], bw: Int, bh: Int) -> [Double]? {
        guard settings.freshShare != nil, seen.count == width * height else { return nil }
        let (fw, fh, b) = (width, height, settings.block)
        let testedBlocks = tested.indices.filter { tested[$0] }
        var since = [Double](repeating: .infinity, count: bw * bh)
        since.withUnsafeMutableBufferPointer { sp in
            let so = sp.baseAddress!
            parallelFor(testedBlocks.count, minChunk: 8) { part in
                for k in part {
                    let bx = testedBlocks[k] % bw, by = testedBlocks[k] / bw
                    var sum = 0.0, hidden = 0
                    for y in by * b..<min(fh, (by + 1) * b) {
                        for x in bx * b..<min(fw, (bx + 1) * b) where near[y * fw + x] != 0 && known[y * fw + x] != 0 {
                            sum += Double(seen[y * fw + x]); hidden += 1
                        }
                    }
                    if hidden > 0 { so[testedBlocks[k]] = sum / Double(hidden) }
                }
            }
        }
        return since
    }

    /// Calls `body` with the index of every block within `radius` blocks (Chebyshev) of block `j`
    /// of a `bw` × `bh` block grid, clipped to the grid.
    @inline(__always) static func forEachBlock(around j: Int, radius r: Int, bw: Int, bh: Int, _ body: (Int) -> Void) {
        let bx = j % bw, by = j / bw
        for yy in max(0, by - r)...min(bh - 1, by + r) { for xx in max(0, bx - r)...min(bw - 1, bx + r) { body(yy * bw + xx) } }
    }

    /// Share of the pixels away from the subtitle with a stable sighting (sampled every 4th row and column)
    /// that the frame shows within `stabilityTolerance` luma levels of the plate: near 1 in a
    /// still shot, low after a cut or while the camera moves.
    public func stillFraction(frame: RGBFrame, near: [UInt8]) -> Float {
        precondition(frame.width == width && frame.height == height && near.count == width * height, "BackgroundPlate: frame size")
        // every 4th pixel of every 4th row; the sampled rows are split over the threads (integer counts)
        let (w, sampled, tolerance) = (width, (height + 3) / 4, settings.stabilityTolerance)
        let counts = frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
        near.withUnsafeBufferPointer { np in known.withUnsafeBufferPointer { kp in
            let (px, pl, nr, kn) = (fp.baseAddress!, pp.baseAddress!, np.baseAddress!, kp.baseAddress!)
            return parallelMap(sampled, chunks: min(8, sampled / 16)) { rows -> (n: Int, same: Int) in
                var n = 0, same = 0
                for r in rows {
                    let y = 4 * r
                    for x in stride(from: 0, to: w, by: 4) where nr[y * w + x] == 0 && kn[y * w + x] == 1 {
                        let p = (y * w + x) * 3
                        n += 1
                        if abs(Self.luma(px + p) - Self.luma(pl + p)) <= tolerance { same += 1 }
                    }
                }
                return (n, same)
            }
        } } } }
        let n = counts.reduce(0) { $0 + $1.n }, same = counts.reduce(0) { $0 + $1.same }
        return n == 0 ? 0 : Float(same) / Float(n)
    }

    /// Completes α with what the head missed around a subtitle in a still shot: pixels of
    /// `candidates` (`completionCandidates(alpha)`), in matching blocks, that differ from the
    /// plate by more than `completionDifference` levels (any channel) are the rest of the subtitle
    /// (an outline, a shadow, an anti-aliased edge, a missed glyph beside a found one) and get
    /// α = 1. The frame must be still (`stillFraction` with the guard ring `near`). Returns how
    /// many pixels it set.
    @discardableResult
    public func complete(_ alpha: inout AlphaMap, near: [UInt8], candidates: [UInt8], matches: [Bool], frame: RGBFrame) -> Int {
        guard let limit = settings.completionDifference, stillFraction(frame: frame, near: near) >= settings.completionStillFraction else { return 0 }
        let (fw, fh, b) = (width, height, settings.block)
        let bw = (fw + b - 1) / b
        var set = 0
        frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
            let (px, pl) = (fp.baseAddress!, pp.baseAddress!)
            for j in matches.indices where matches[j] {   // candidates lie in tested blocks only
                let bx = j % bw, by = j / bw
                for y in by * b..<min(fh, (by + 1) * b) {
                    for x in bx * b..<min(fw, (bx + 1) * b) where candidates[y * fw + x] != 0 && alpha.values[y * fw + x] == 0 && known[y * fw + x] == 1 {
                        let p = (y * fw + x) * 3
                        if Self.channelDifference(px + p, pl + p) > limit { alpha.values[y * fw + x] = 1; set += 1 }
                    }
                }
            }
        } }
        return set
    }

    /// The active tiles of `grid` (`tile`² pixels, `AlphaMap.activeTiles`) whose every α > 0
    /// pixel `apply` replaces (known to the plate, in a matching block), as regions clipped to the
    /// frame: their restoration is the plate alone.
    public func coveredTiles(grid: [[Bool]], tile: Int, alpha: AlphaMap, matches: [Bool]) -> [TileRegion] {
        guard !matches.isEmpty else { return [] }
        let (fw, fh, b) = (width, height, settings.block)
        let bw = (fw + b - 1) / b
        var out: [TileRegion] = []
        for (ty, row) in grid.enumerated() {
            for (tx, active) in row.enumerated() where active {
                let (x0, y0) = (tx * tile, ty * tile), (x1, y1) = (min(fw, tx * tile + tile), min(fh, ty * tile + tile))
                var whole = true
                scan: for y in y0..<y1 {
                    for x in x0..<x1 where alpha.values[y * fw + x] > 0 && (known[y * fw + x] == 0 || !matches[(y / b) * bw + x / b]) {
                        whole = false; break scan
                    }
                }
                if whole { out.append(TileRegion(x: x0, y: y0, width: x1 - x0, height: y1 - y0)) }
            }
        }
        return out
    }

    /// Whether the plate, where it knows `pixels`, is closer to `frame` than to `other` (the frame
    /// with a subtitle box divided out) at more than twice as many of them as the other way round,
    /// counting pixels where the two differ by at least 12 levels (mean over RGB), on at least a
    /// fifth of `pixels`: what looks like a box was there before the subtitle. With the freshness
    /// rule on, none of it counts when less than `freshShare` of the stable pixels of `around` (the
    /// box's surroundings) are unchanged since the plate last saw `pixels`, on average: after a
    /// cut, the plate under a box the engine found (and so did not record) is the old view.
    public func showed(_ frame: RGBFrame, ratherThan other: RGBFrame, at pixels: [Int], around: [Int] = []) -> Bool {
        let sighted = pixels.filter { known[$0] != 0 }
        if let share = settings.freshShare, seen.count == width * height, !sighted.isEmpty {
            let since = sighted.reduce(0.0) { $0 + Double(seen[$1]) } / Double(sighted.count)
            let context = around.filter { known[$0] == 1 }
            let stale = context.filter { Double(changed[$0]) > since }.count
            if !context.isEmpty && Float(context.count - stale) < share * Float(context.count) { return false }
        }
        var closerFrame = 0, closerOther = 0
        for i in sighted {
            var dFrame: Float = 0, dOther: Float = 0, apart: Float = 0
            for c in 0..<3 {
                let (p, f, o) = (Float(rgb[i * 3 + c]), Float(frame.pixels[i * 3 + c]), Float(other.pixels[i * 3 + c]))
                dFrame += abs(p - f); dOther += abs(p - o); apart += abs(f - o)
            }
            guard apart >= 36 else { continue }
            if dFrame < dOther { closerFrame += 1 } else { closerOther += 1 }
        }
        return 5 * (closerFrame + closerOther) >= pixels.count && closerFrame > 2 * closerOther
    }

    /// `alpha` without the `pixels` whose block of the plate disagrees with `frame` there: mean
    /// |plate − frame| over the block's listed pixels that are not in `exclude` (α > 0 there) and
    /// that the plate knows above `tolerance` levels (a block without such pixels keeps α). For a subtitle box divided out of the frame,
    /// the plate gives back what it saw only where that agrees with the division (a plate that
    /// learned the box's darkened scenery in a frame the box was missed in does not).
    public func agreeing(_ alpha: AlphaMap, pixels: [Int], frame: RGBFrame, exclude: AlphaMap, tolerance: Float) -> AlphaMap {
        let (fw, b) = (width, settings.block)
        let bw = (fw + b - 1) / b
        var sum: [Int: (Float, Int)] = [:]
        for i in pixels where known[i] != 0 && exclude.values[i] == 0 {
            let k = ((i / fw) / b) * bw + (i % fw) / b
            var d: Float = 0
            for c in 0..<3 { d += abs(Float(rgb[i * 3 + c]) - Float(frame.pixels[i * 3 + c])) }
            let (s0, n0) = sum[k] ?? (0, 0)
            sum[k] = (s0 + d / 3, n0 + 1)
        }
        var out = alpha
        for i in pixels {
            let k = ((i / fw) / b) * bw + (i % fw) / b
            guard let (s0, n0) = sum[k], n0 > 0 else { continue }   // no evidence against the plate
            if s0 / Float(n0) > tolerance { out.values[i] = 0 }
        }
        return out
    }

    /// The seam test (nothing when both forms are off): a matching block is doubted when the
    /// visible pixels of the guard ring within `seamBlocks` blocks (α = 0, `near` 1, a stable
    /// sighting) are further from the plate than from the leave-out fill `ringFill` (`seamFill`,
    /// `fillCheck`), or, with `seamFill` off, agree with the plate much less than the context
    /// there does (`seamShare` says how much less; `shareCheck`). The scenery test reads context
    /// beyond the ring, and the freshness rule its changes; neither sees scenery that moved only
    /// right beside the text (an arm moving under a cue while the room around holds still), whose
    /// old view the plate would give back. Nothing in `still` frames unless `seamInStill`. Returns
    /// how many blocks it doubted; with `seamWeight` 0 they stop matching, above 0 this form
    /// leaves them matching and forgets them (the engine calls the `doubted:` form and passes
    /// them on to `apply`).
    @discardableResult
    public func checkSeams(_ matches: inout [Bool], alpha: AlphaMap, near: [UInt8], frame: RGBFrame, still: Bool = false,
                           ringFill: (() -> RegionImage?)? = nil) -> Int {
        var doubted: [Bool] = []
        return checkSeams(&matches, doubted: &doubted, alpha: alpha, near: near, frame: frame, still: still, ringFill: ringFill)
    }

    /// `checkSeams`, where a `seamWeight` above 0 keeps the doubted blocks matching and marks them
    /// in `doubted` (one per block; empty when none), for `apply` to mix plate and restoration.
    /// With `seamFill` set, the fill cross-check decides instead of the share test, from
    /// `ringFill` (`leaveOutFill`; nothing is doubted without it), which it calls only when some
    /// matching block's plate misses the ring by more than `seamFloor` levels on average.
    @discardableResult
    public func checkSeams(_ matches: inout [Bool], doubted: inout [Bool], alpha: AlphaMap, near: [UInt8], frame: RGBFrame,
                           still: Bool = false, ringFill: (() -> RegionImage?)? = nil) -> Int {
        guard matches.contains(true), !still || settings.seamInStill else { return 0 }
        precondition(frame.width == width && frame.height == height && near.count == width * height
                     && alpha.width == width && alpha.height == height, "BackgroundPlate: frame size")
        let doubts: (Int) -> Bool
        if let ratio = settings.seamFill {
            guard let ringFill, let check = fillCheck(ratio: ratio, matches: matches, ringFill: ringFill, alpha: alpha, near: near, frame: frame)
            else { return 0 }
            doubts = check
        } else if let share = settings.seamShare {
            doubts = shareCheck(share: share, alpha: alpha, near: near, frame: frame)
        } else {
            return 0
        }
        var off = 0
        for j in matches.indices where matches[j] && doubts(j) {
            off += 1
            if settings.seamWeight > 0 {
                if doubted.isEmpty { doubted = [Bool](repeating: false, count: matches.count) }
                doubted[j] = true
            } else {
                matches[j] = false
            }
        }
        return off
    }

    /// The share test (`seamShare`): whether block `j`'s ring agrees with the plate much less
    /// than its context does.
    func shareCheck(share: Float, alpha: AlphaMap, near: [UInt8], frame: RGBFrame) -> (Int) -> Bool {
        let (fw, fh, b, tol) = (width, height, settings.block, settings.seamTolerance)
        let bw = (fw + b - 1) / b, bh = (fh + b - 1) / b
        // per block: the ring's visible pixels the plate knows and the context pixels (beyond the
        // ring) it knows, and how many of each are within tolerance of it
        var ring = [Int](repeating: 0, count: bw * bh), ringSame = ring, context = ring, contextSame = ring
        frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
        near.withUnsafeBufferPointer { np in known.withUnsafeBufferPointer { kp in alpha.values.withUnsafeBufferPointer { ap in
        ring.withUnsafeMutableBufferPointer { rn in ringSame.withUnsafeMutableBufferPointer { rs in
        context.withUnsafeMutableBufferPointer { cn in contextSame.withUnsafeMutableBufferPointer { cs in
            let (px, pl, nr, kn, al) = (fp.baseAddress!, pp.baseAddress!, np.baseAddress!, kp.baseAddress!, ap.baseAddress!)
            let (rnp, rsp, cnp, csp) = (rn.baseAddress!, rs.baseAddress!, cn.baseAddress!, cs.baseAddress!)
            parallelFor(bh, minChunk: 4) { part in   // block rows are independent
                for by in part {
                    for y in by * b..<min(fh, (by + 1) * b) {
                        for x in 0..<fw where kn[y * fw + x] == 1 && al[y * fw + x] == 0 {
                            let p = (y * fw + x) * 3, k = by * bw + x / b
                            let same = abs(Self.luma(px + p) - Self.luma(pl + p)) <= tol ? 1 : 0
                            if nr[y * fw + x] != 0 { rnp[k] += 1; rsp[k] += same } else { cnp[k] += 1; csp[k] += same }
                        }
                    }
                }
            }
        } } } } } } } } }
        let (minimum, radius) = (settings.seamMinimum, settings.seamBlocks)
        return { j in
            var m = 0, a = 0, c = 0, cSame = 0
            Self.forEachBlock(around: j, radius: radius, bw: bw, bh: bh) {
                m += ring[$0]; a += ringSame[$0]; c += context[$0]; cSame += contextSame[$0]
            }
            // the context's own agreement is the bar (1 where the blocks hold too little of it)
            let bar = c >= minimum ? Float(cSame) / Float(c) : 1
            return m >= minimum && Float(a) < share * bar * Float(m)
        }
    }

    /// Replaces `restored` ([1, 3, h, w] f32 in [0, 1], region coordinates) with the plate at the
    /// region's pixels with α > 0 that the plate knows, in matching blocks; returns how many.
    @discardableResult
    public func apply(to restored: Tensor, region r: TileRegion, alpha: AlphaMap, matches: [Bool], doubted: [Bool] = []) -> Int {
        precondition(restored.dtype == .f32 && restored.count == 3 * r.width * r.height, "BackgroundPlate: restored region")
        let (fw, fh, b) = (width, height, settings.block)
        let bw = (fw + b - 1) / b
        let plane = r.width * r.height, out = restored.f32
        var replaced = 0
        for y in max(0, r.y)..<min(fh, r.y + r.height) {
            for x in max(0, r.x)..<min(fw, r.x + r.width)
            where alpha.values[y * fw + x] > 0 && known[y * fw + x] != 0 && matches[(y / b) * bw + x / b] {
                let p = (y * fw + x) * 3, ri = (y - r.y) * r.width + (x - r.x)
                if !doubted.isEmpty && doubted[(y / b) * bw + x / b] {
                    // a block the seam test doubts: the plate and the restoration mixed
                    let w = settings.seamWeight
                    for c in 0..<3 { out[c * plane + ri] = w * (Float(rgb[p + c]) / 255) + (1 - w) * out[c * plane + ri] }
                } else {
                    for c in 0..<3 { out[c * plane + ri] = Float(rgb[p + c]) / 255 }
                }
                replaced += 1
            }
        }
        return replaced
    }

    /// Advances every pixel's stability run (and its running mean) with `frame` (the input),
    /// keeps its luma for `follow`, and records the pixels that are away from the subtitle
    /// (`near` = 0) and have been stable for `stableFrames` frames;
    /// when the frame is `still`, a known pixel whose new value is far from its plate value waits
    /// for `holdFrames` stable frames.
    public mutating func record(_ frame: RGBFrame, near: [UInt8], still: Bool = false) {
        precondition(frame.width == width && frame.height == height && near.count == width * height, "BackgroundPlate: frame size")
        let (w, need, tol) = (width, UInt8(min(255, settings.stableFrames)), settings.stabilityTolerance)
        let limit = settings.completionDifference ?? 255
        let holdRun = still && settings.completionDifference != nil ? min(255, settings.holdFrames) : 0
        if previous.count != w * height { previous = [Int16](repeating: -1, count: w * height) }
        let averaging = settings.averageFrames > 1, cap = min(255, settings.averageFrames)
        if averaging && mean.count != 3 * w * height { mean = [UInt16](repeating: 0, count: 3 * w * height) }
        // the running mean's weight 1/n for a run of n frames, in 1/65536
        let weights = (0...255).map { Int32(65536 / max(1, min($0, cap))) }
        frameCount += 1
        let tracking = settings.freshShare != nil, now = frameCount, moved = settings.freshDifference
        // a C build of the running-mean step when one runs here (bit for bit the same)
        let build = KernelDispatch.plateBuild, cKernel = averaging && build != .swift
        if tracking && seen.count != w * height {
            seen = [Int32](repeating: 0, count: w * height); changed = seen
        }
        let drift = tracking && settings.freshDrift
        mean.withUnsafeMutableBufferPointer { mp in
        frame.pixels.withUnsafeBufferPointer { sp in near.withUnsafeBufferPointer { np in
        rgb.withUnsafeMutableBufferPointer { dp in known.withUnsafeMutableBufferPointer { kp in
        anchor.withUnsafeMutableBufferPointer { ap in run.withUnsafeMutableBufferPointer { rp in previous.withUnsafeMutableBufferPointer { lp in
        seen.withUnsafeMutableBufferPointer { seenp in changed.withUnsafeMutableBufferPointer { chp in
            let (src, nr, dst, k, an, rn, last) = (sp.baseAddress!, np.baseAddress!, dp.baseAddress!, kp.baseAddress!, ap.baseAddress!,
                                                   rp.baseAddress!, lp.baseAddress!)
            let (seenAt, changedAt) = (seenp.baseAddress, chp.baseAddress)
            let m = averaging ? mp.baseAddress : nil
            weights.withUnsafeBufferPointer { wt in
            parallelFor(height, minChunk: 16) { part in
                if cKernel, let m {   // the same step, vectorised (PlateKernels.record)
                    PlateKernels.record(build, range: part.lowerBound * w..<part.upperBound * w, src: src, near: nr, rgb: dst,
                                        known: k, anchor: an, run: rn, last: last, mean: m,
                                        seen: tracking ? seenAt : nil, changed: tracking ? changedAt : nil,
                                        weights: wt.baseAddress!, need: Int(need), tolerance: tol, holdRun: holdRun,
                                        limit: limit, moved: moved, now: now)
                    return
                }
                // Few branches on the pixel's noise (a stable run restarts at random on noisy
                // scenery): the run and anchor are selected, and the mean moves by the weight of
                // the new run length, which for a restart (length 1) is the new value itself.
                for i in part.lowerBound * w..<part.upperBound * w {
                    if nr[i] != 0 { rn[i] = 0; last[i] = -1; continue }
                    let s = src + 3 * i
                    let l = Self.luma(s)
                    last[i] = Int16(l)
                    let r0 = rn[i]
                    let restart = r0 == 0 || abs(l - Int(an[i])) > tol
                    let r1: UInt8 = restart ? 1 : (r0 == 255 ? 255 : r0 + 1)
                    rn[i] = r1
                    an[i] = restart ? UInt8(l) : an[i]
                    if let m {
                        let weight = wt[Int(r1)], mp = m + 3 * i
                        for c in 0..<3 {
                            let old = Int32(mp[c])
                            mp[c] = UInt16(truncatingIfNeeded: old &+ (((Int32(s[c]) << 7) &- old) &* weight) >> 16)   // |Δ| · 2^16 < 2^31
                        }
                    }
                    guard r1 >= need else { continue }
                    let d = dst + 3 * i
                    if Int(r1) < holdRun, k[i] != 0, Self.channelDifference(s, d) > limit { continue }
                    let was = (d[0], d[1], d[2])
                    if let m {
                        let mp = m + 3 * i
                        for c in 0..<3 { d[c] = UInt8(truncatingIfNeeded: (mp[c] &+ 64) >> 7) }
                    } else {
                        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
                    }
                    if tracking, let seenAt, let changedAt {
                        if k[i] == 1, max(abs(Int(was.0) - Int(d[0])), abs(Int(was.1) - Int(d[1])), abs(Int(was.2) - Int(d[2]))) > moved {
                            changedAt[i] = now
                        }
                        seenAt[i] = now
                    }
                    k[i] = 1
                }
            }
            }
        } } } } } } } } } }
        if drift { trackDrift(now: now, moving: settings.freshMoving && !still) }
    }

    /// `freshDrift`, after a record. With `moving` (`freshMoving` in a frame that is not still), a
    /// pixel with a reference whose luma in this frame (`previous`, kept by the record; -1 near
    /// the subtitle) is more than `freshDifference` from it counts as changed now. Then each pixel
    /// recorded now (`seen` = `now`) whose plate luma has moved that far from its reference since
    /// its last change counts as changed now; a first stable sighting (no reference: a pixel
    /// leaves `known` = 1 only when `translate` resets or shifts the plate, which resets its
    /// reference too) or a change sets the reference.
    private mutating func trackDrift(now: Int32, moving: Bool) {
        let (n, moved) = (width * height, settings.freshDifference)
        if changedLuma.count != n { changedLuma = [UInt16](repeating: BackgroundPlate.unset, count: n) }
        rgb.withUnsafeBufferPointer { dp in seen.withUnsafeBufferPointer { sp in previous.withUnsafeBufferPointer { lp in
        changed.withUnsafeMutableBufferPointer { cp in changedLuma.withUnsafeMutableBufferPointer { rp in
            let (d, seenAt, frameLuma, changedAt, ref) = (dp.baseAddress!, sp.baseAddress!, lp.baseAddress!, cp.baseAddress!, rp.baseAddress!)
            parallelFor(n, minChunk: 65536) { part in
                for i in part {
                    var r = ref[i]
                    if moving, r != BackgroundPlate.unset, frameLuma[i] >= 0, abs(Int(frameLuma[i]) - Int(r)) > moved {
                        changedAt[i] = now; r = UInt16(frameLuma[i])
                    }
                    if seenAt[i] == now {
                        let l = UInt16(Self.luma(d + 3 * i))
                        if r == BackgroundPlate.unset || changedAt[i] == now {
                            r = l
                        } else if abs(Int(l) - Int(r)) > moved {
                            changedAt[i] = now; r = l
                        }
                    }
                    ref[i] = r
                }
            }
        } } } } }
    }

    /// Records `frame` where `pixels` is non-zero and the plate has no stable sighting (a frame
    /// that `TemporalAlpha.leads` found clean under α beside a cue), marked provisional
    /// (`known` 2): `apply` uses it, the scenery test, the stillness and the completion do not
    /// (a part of the coming cue the head misses would otherwise count as changed scenery). Those
    /// pixels' stable runs start afresh, so the next frame, which may show the cue fading in, is
    /// not averaged with this one.
    public mutating func recordClean(_ frame: RGBFrame, at pixels: [UInt8]) {
        precondition(frame.width == width && frame.height == height && pixels.count == width * height, "BackgroundPlate: frame size")
        for i in 0..<(width * height) where pixels[i] != 0 && known[i] != 1 {
            for c in 0..<3 { rgb[3 * i + c] = frame.pixels[3 * i + c] }
            if !mean.isEmpty { for c in 0..<3 { mean[3 * i + c] = UInt16(frame.pixels[3 * i + c]) << 7 } }
            known[i] = 2
            run[i] = 0
            if !seen.isEmpty { seen[i] = frameCount }
        }
    }
}

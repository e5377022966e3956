// Computes a `StaticSceneMap` per frame from a look-ahead stream of gray frames (its own decoder,
// running up to `windowSeconds` ahead of the engine). Each frame is reduced to the mean luma and
// the luma range of its blocks as it arrives, and only the block frames of the current window are
// kept, so memory is bounded (≈ 2 × 180×320 bytes per buffered frame) whatever the video's length
// or resolution. That reduction (`BlockFrame`) may also run on the thread that reads the gray
// frames (`init(…, blockFrames:)`), off the engine's thread.
//
// A block of frame i is stable when its mean luma differs by at most `tolerance` from frame i's
// in every compared frame of [i − window, i + window] (clipped to the video; compared at
// `samplesPerSecond`, plus the window's ends). The map marks a block static when it and its eight
// neighbours are stable, or when it is stable and its luma range (brightest − darkest pixel) also
// stayed within `rangeTolerance` of frame i's: a glyph edge that keeps a block's mean (a white
// stroke beside its dark outline) still widens or narrows its range, so blocks beside a changing
// block are protected only on this second, finer test. With `StaticSceneSettings.carry` (off by
// default) a block static by an earlier frame's window is also marked (`StaticSceneMap.carried`)
// while that window reaches the frame and the block and its neighbours keep their values;
// a frame's map then depends on the maps of the frames asked before it (the engine asks in order).
import ClearMedia

public final class StaticSceneTracker {
    public let width: Int
    public let height: Int
    public let blockSize: Int
    public let columns: Int
    public let rows: Int
    public let settings: StaticSceneSettings
    /// Window half-width, minimum span and comparison step, in frames.
    public let radius: Int
    public let minimumSpan: Int
    public let step: Int
    /// How far back of the latest request a later request may go (the engine's chunk overlap).
    public let revisit: Int

    /// Block frames held now (bounded by 2·radius + revisit + 1).
    public var bufferedFrames: Int { blocks.count }

    /// One frame reduced to its blocks: each block's mean luma (rounded; edge blocks average the
    /// pixels they have) and luma range (brightest − darkest pixel).
    public struct BlockFrame: Sendable {
        public let width: Int, height: Int
        let means: [UInt8], ranges: [UInt8]

        /// Reduces `frame` with the blocks a tracker of its size uses
        /// (`StaticSceneSettings.blockSize(width:height:)`).
        public init(_ frame: GrayFrame) {
            self.init(frame, blockSize: StaticSceneSettings.blockSize(width: frame.width, height: frame.height))
        }

        /// Reduces `frame` with square blocks of `blockSize` pixels.
        init(_ frame: GrayFrame, blockSize: Int) {
            width = frame.width; height = frame.height
            (means, ranges) = Self.statistics(frame.pixels, width: width, height: height, blockSize: blockSize)
        }

        static func statistics(_ pixels: [UInt8], width: Int, height: Int, blockSize bs: Int) -> (means: [UInt8], ranges: [UInt8]) {
            let columns = (width + bs - 1) / bs, rows = (height + bs - 1) / bs
            var sums = [UInt32](repeating: 0, count: columns * rows)
            var lo = [UInt8](repeating: 255, count: columns * rows), hi = [UInt8](repeating: 0, count: columns * rows)
            pixels.withUnsafeBufferPointer { p in
                sums.withUnsafeMutableBufferPointer { s in
                    lo.withUnsafeMutableBufferPointer { l in
                        hi.withUnsafeMutableBufferPointer { h in
                            let (ps, ss, ls, hs) = (p.baseAddress!, s.baseAddress!, l.baseAddress!, h.baseAddress!)
                            // block by block along each row (no division per pixel)
                            for r in 0..<rows {
                                for y in (r * bs)..<min(height, (r + 1) * bs) {
                                    let src = ps + y * width
                                    for c in 0..<columns {
                                        let k = r * columns + c
                                        var (sum, mn, mx) = (ss[k], ls[k], hs[k])
                                        for x in (c * bs)..<min(width, (c + 1) * bs) {
                                            let v = src[x]
                                            sum &+= UInt32(v); mn = min(mn, v); mx = max(mx, v)
                                        }
                                        (ss[k], ls[k], hs[k]) = (sum, mn, mx)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var means = [UInt8](repeating: 0, count: sums.count)
            for r in 0..<rows {
                let bh = min(bs, height - r * bs)
                for c in 0..<columns {
                    let n = UInt32(bh * min(bs, width - c * bs))
                    means[r * columns + c] = UInt8((sums[r * columns + c] + n / 2) / n)
                }
            }
            return (means, zip(lo, hi).map { $1 - $0 })
        }
    }

    private let next: () throws -> BlockFrame?
    /// Per buffered frame: each block's mean luma and luma range (max − min).
    private var blocks: [Int: BlockFrame] = [:]
    private var pulled = 0
    private var ended = false
    private var latest = 0
    private var cache: [Int: StaticSceneMap?] = [:]
    /// Per block, the latest frame whose own window found it static (`StaticSceneSettings.carry`).
    private var lastStatic: [Int] = []

    /// `next` yields the video's frames in order as gray (`VideoDecoder(layout: .gray)`).
    public convenience init(width: Int, height: Int, fps: Double, settings: StaticSceneSettings = StaticSceneSettings(),
                            revisit: Int = 64, next: @escaping () throws -> GrayFrame?) {
        self.init(width: width, height: height, fps: fps, settings: settings, revisit: revisit,
                  blockFrames: { try next().map(BlockFrame.init) })
    }

    /// `blockFrames` yields the video's frames in order, each reduced by `BlockFrame(_:)`.
    public init(width: Int, height: Int, fps: Double, settings: StaticSceneSettings = StaticSceneSettings(),
                revisit: Int = 64, blockFrames next: @escaping () throws -> BlockFrame?) {
        precondition(width > 0 && height > 0 && fps > 0)
        self.width = width; self.height = height; self.settings = settings
        blockSize = StaticSceneSettings.blockSize(width: width, height: height)
        columns = (width + blockSize - 1) / blockSize
        rows = (height + blockSize - 1) / blockSize
        radius = max(1, Int((settings.windowSeconds * fps).rounded()))
        minimumSpan = max(1, Int((settings.minimumSpanSeconds * fps).rounded()))
        step = max(1, Int((fps / settings.samplesPerSecond).rounded(.down)))
        self.revisit = revisit
        self.next = next
    }

    /// The map of frame `index` (0-based), or nil when the window around it spans less than the
    /// minimum (short video) or the stream has no such frame. Indices may go back by at most
    /// `revisit` frames from the largest one asked so far.
    public func map(at index: Int) throws -> StaticSceneMap? {
        precondition(index >= 0 && index + revisit >= latest, "StaticSceneTracker: frame \(index) is behind the kept window")
        if let known = cache[index] { return known }
        latest = max(latest, index)
        while !ended && pulled <= index + radius { try pull() }
        forget(before: latest - revisit)
        guard index < pulled else { return nil }
        let lo = max(0, index - radius), hi = min(pulled - 1, index + radius)
        let result = hi - lo >= minimumSpan ? compute(index, lo: lo, hi: hi) : nil
        cache[index] = result
        return result
    }

    private func pull() throws {
        guard let frame = try next() else { ended = true; return }
        guard frame.width == width, frame.height == height, frame.means.count == columns * rows else {
            throw PipelineError.engineContract(engine: "static-scene tracker",
                                               detail: "got a \(frame.width)x\(frame.height) frame in \(frame.means.count) blocks for \(width)x\(height) in \(columns * rows)")
        }
        blocks[pulled] = frame
        pulled += 1
    }

    private func forget(before index: Int) {
        let keepFrom = index - radius
        for k in blocks.keys where k < keepFrom { blocks[k] = nil }
        for k in cache.keys where k < index { cache[k] = nil }
    }

    /// flags[j] = 1 where |values[j] − reference[j]| > tolerance. Branch-free on bytes, so the
    /// compiler vectorises it: this runs for every compared frame of every frame's window (~60
    /// times per frame at 25 fps).
    private static func mark(_ values: [UInt8], against reference: [UInt8], tolerance: Int, into flags: inout [UInt8]) {
        guard tolerance < 255 else { return }   // no difference of two bytes exceeds it
        guard tolerance >= 0 else { for j in flags.indices { flags[j] = 1 }; return }
        let t = UInt8(tolerance)
        values.withUnsafeBufferPointer { v in
            reference.withUnsafeBufferPointer { r in
                flags.withUnsafeMutableBufferPointer { f in
                    let (vp, rp, fp) = (v.baseAddress!, r.baseAddress!, f.baseAddress!)
                    for j in 0..<f.count {
                        let (a, b) = (vp[j], rp[j])
                        let d = max(a, b) &- min(a, b)
                        fp[j] |= d > t ? 1 : 0
                    }
                }
            }
        }
    }

    private func compute(_ index: Int, lo: Int, hi: Int) -> StaticSceneMap {
        let n = columns * rows
        var changed = [UInt8](repeating: 0, count: n), rangeChanged = [UInt8](repeating: 0, count: n)
        let tolerance = settings.tolerance, rangeTolerance = settings.rangeTolerance
        let reference = blocks[index]!
        var s = lo
        while true {
            if s != index, let other = blocks[s] {
                Self.mark(other.means, against: reference.means, tolerance: tolerance, into: &changed)
                if let rangeTolerance { Self.mark(other.ranges, against: reference.ranges, tolerance: rangeTolerance, into: &rangeChanged) }
            }
            if s >= hi { break }
            s = min(s + step, hi)
        }
        var isStatic = [Bool](repeating: false, count: n)
        for r in 0..<rows {
            for c in 0..<columns {
                let j = r * columns + c
                isStatic[j] = !anyAround(j, { changed[$0] != 0 }) || (rangeTolerance != nil && changed[j] == 0 && rangeChanged[j] == 0)
            }
        }
        var carried: [Bool] = []
        if settings.carry, let rangeTolerance { carried = carry(index, reference: reference, isStatic: isStatic, rangeTolerance: rangeTolerance) }
        return StaticSceneMap(width: width, height: height, blockSize: blockSize, isStatic: isStatic, carried: carried)
    }

    /// Whether `test` holds for block `j` or any of its (up to) eight neighbours.
    @inline(__always)
    private func anyAround(_ j: Int, _ test: (Int) -> Bool) -> Bool {
        let (r, c) = (j / columns, j % columns)
        for rr in max(0, r - 1)...min(rows - 1, r + 1) {
            for cc in max(0, c - 1)...min(columns - 1, c + 1) where test(rr * columns + cc) { return true }
        }
        return false
    }

    /// `StaticSceneSettings.carry`: records the blocks static in frame `index` by its own window,
    /// and returns as carried the others whose latest such frame k lies at most `radius` back, whose
    /// range in this frame is within `rangeTolerance` of frame k's and whose mean, and its eight
    /// neighbours' means, within `tolerance`.
    private func carry(_ index: Int, reference: BlockFrame, isStatic: [Bool], rangeTolerance: Int) -> [Bool] {
        if lastStatic.isEmpty { lastStatic = [Int](repeating: -1, count: isStatic.count) }
        var carried = [Bool](repeating: false, count: isStatic.count)
        let tolerance = settings.tolerance
        for j in isStatic.indices {
            if isStatic[j] {
                lastStatic[j] = max(lastStatic[j], index)
                continue
            }
            let k = lastStatic[j]
            guard k >= 0, k < index, index - k <= radius, let then = blocks[k],
                  abs(Int(reference.ranges[j]) - Int(then.ranges[j])) <= rangeTolerance else { continue }
            // the block and its eight neighbours: a glyph's faint fringe beside a changed block
            // must not be carried (the window test would see other cues change it)
            carried[j] = !anyAround(j) { abs(Int(reference.means[$0]) - Int(then.means[$0])) > tolerance }
        }
        return carried
    }
}

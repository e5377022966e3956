// α borrowed from neighbouring frames (cue boundaries). The occlusion head sees a 5-frame window;
// in the first and last two frames of a cue that window holds frames without the text, and the
// head's α there covers a fraction of the glyphs (validation hi custom style: 10 % and 62 % of the
// glyph pixels at α ≥ 0.5, against 99 % two frames later). A subtitle holds still on screen, so
// where a pixel has the same colour as in a frame up to `reach` frames away, it takes that frame's
// head α if that is at least `core` and larger than its own. Pixels that changed (the text
// appearing or leaving, people moving) keep their own α. The same neighbours tell the background
// memory what a frame shows behind the head's α: `released` pixels differ from every neighbour
// sure of text there, and a frame that `leads` (clean, beside a cue) shows scenery under all of it;
// `appearingText` finds the borrowed pixels that are a cue's text appearing or leaving (kept out of
// the memory's record by default, `TemporalAlphaSettings.keepAppearingText`).
import ClearMedia
import ClearTensor

public struct TemporalAlphaSettings: Equatable, Sendable {
    /// Frames on either side whose α can be borrowed (0: off).
    public var reach = 2
    /// Largest difference (levels, any of R, G, B) for a pixel to count as unchanged.
    public var tolerance = 5
    /// Only a neighbour's α at or above this is borrowed. Lower values also borrow the faint α of
    /// the head's halo around text and box edges, which costs more outside the mask (0.8 was
    /// chosen on training footage, MODEL_CARD.md).
    public var core: Float = 0.8
    /// When > 0, a pixel borrows from a frame ahead only if it differs by more than this (levels)
    /// from one of the `reach` frames before it, and from a frame behind only if it differs from
    /// one of the frames after it (0: no such test).
    public var change = 0
    /// When > 0, a pixel that changed also borrows if, for every frame on the other side, it lies
    /// between that frame and the neighbour in every channel (more than `tolerance` from both)
    /// and those two differ by more than this (levels, in some channel): a cue fading in or out
    /// (0: off; 40 since the tenth session, chosen on training footage with the v7 weights,
    /// MODEL_CARD.md "v7").
    public var fade = 40
    /// When 1, the background memory may record a pixel that has α > 0 in this frame but differs
    /// (by more than `tolerance`) from every frame within `reach` whose head α there is at least
    /// `core`: the head's window saw the text of a cue that starts or ended a frame or two away,
    /// and this frame shows what is behind it (0: off).
    public var release = 1
    /// Frames on either side that `release` compares with (the head's α reaches a cue up to two
    /// frames away, and the first frames of a cue have weak α of their own, so the frames where a
    /// cue's α is strong can be further away than `reach`).
    public var releaseReach = 2
    /// When 1 (the default), a pixel whose α was only borrowed, and that is the text of a cue
    /// appearing or leaving (`TemporalAlpha.appearingText`), is kept out of the background
    /// memory's record in this frame; other borrowed pixels (the halo before a cue, scenery the
    /// head marks now and then) are recorded as scenery. When 0 every borrowed pixel is recorded:
    /// in a cue's first frames, where the head's window still sees clean frames and its α is
    /// borrowed, the memory can take the glyphs in as scenery and give them back later in the cue
    /// (MODEL_CARD.md "Glyphs the memory took in at a cue's start").
    public var keepAppearingText = 1
    /// Levels (any channel) by which such a pixel must differ from every frame within `reach` on
    /// the side it did not borrow from (`bdiff`; 40, the `fade` test's step).
    public var appearingDifference = 40

    /// When 1, a clean frame just before a cue starts (or just after it ends) whose head α
    /// already marks the cue, because the head's window sees it, is given to the background
    /// memory as scenery under that α (`TemporalAlpha.leads`, `BackgroundPlate.recordClean`;
    /// on since the eleventh session, MODEL_CARD.md "The lead rule"; it runs with `release`;
    /// 0: off).
    public var lead = 1
    /// Share of a frame's α pixels that must be sure of text on one side for `lead`.
    public var leadShare: Float = 0.1
    /// How much of the cue a lead frame may show: the share of the way from the frame one step
    /// further from the cue to the cue, along the colour change.
    public var leadFade: Float = 0.05

    /// Frames on either side whose head α the borrowing or the release reads.
    public var span: Int { max(reach, release > 0 ? releaseReach : 0) }

    public init() {}

    /// "reach=2,tolerance=5,core=0.8,change=0,fade=40,release=1,rreach=2,lead=1,lshare=0.1,lfade=0.05"
    /// (any key may be left out); nil on
    /// an unknown key or a bad value.
    public init?(parsing text: String) {
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v >= 0 else { return nil }
            switch kv[0] {
            case "reach": guard let n = Int(kv[1]) else { return nil }; reach = n
            case "tolerance": guard let n = Int(kv[1]) else { return nil }; tolerance = n
            case "core": guard v > 0, v <= 1 else { return nil }; core = Float(v)
            case "change": guard let n = Int(kv[1]) else { return nil }; change = n
            case "fade": guard let n = Int(kv[1]) else { return nil }; fade = n
            case "release": guard let n = Int(kv[1]), n <= 1 else { return nil }; release = n
            case "rreach": guard let n = Int(kv[1]) else { return nil }; releaseReach = n
            case "bkeep": guard let n = Int(kv[1]), n <= 1 else { return nil }; keepAppearingText = n
            case "bdiff": guard let n = Int(kv[1]) else { return nil }; appearingDifference = n
            case "lead": guard let n = Int(kv[1]), n <= 1 else { return nil }; lead = n
            case "lshare": guard v <= 1 else { return nil }; leadShare = Float(v)
            case "lfade": guard v <= 1 else { return nil }; leadFade = Float(v)
            default: return nil
            }
        }
    }
}

enum TemporalAlpha {
    /// Raises `alpha` (of `frame`) to each neighbour's α (at or above `core`) where the pixel is
    /// unchanged between them (within `tolerance`) and, when `change` > 0, where it changed by more
    /// than `change` against a frame on the other side (`past` for a neighbour ahead, `future` for
    /// one behind): text that has just appeared or is about to leave, not scenery that holds still
    /// on both sides (the halo of the head's α around a cue before it starts or after it ends).
    /// Returns the pixels whose α was 0 and is now above it (ascending).
    @discardableResult
    static func borrow(_ alpha: inout AlphaMap, frame: RGBFrame, from neighbours: [(alpha: AlphaMap, frame: RGBFrame, ahead: Bool)],
                       past: [RGBFrame], future: [RGBFrame], settings: TemporalAlphaSettings) -> [Int] {
        var raised = Set<Int>()
        let w = alpha.width, tolerance = settings.tolerance, change = settings.change, core = settings.core, fade = settings.fade
        let difference = BackgroundPlate.channelDifference
        // p strictly between o (the other side) and q (the neighbour) in every channel, o and q apart
        func fading(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, _ o: UnsafePointer<UInt8>) -> Bool {
            var apart = false
            for c in 0..<3 {
                let (pv, qv, ov) = (Int(p[c]), Int(q[c]), Int(o[c]))
                if abs(qv - ov) > fade { apart = true }
                guard pv >= min(qv, ov) - tolerance, pv <= max(qv, ov) + tolerance else { return false }
            }
            return apart && difference(p, o) > tolerance
                && abs(Int(p[0]) - Int(q[0])) + abs(Int(p[1]) - Int(q[1])) + abs(Int(p[2]) - Int(q[2])) > tolerance
        }
        for n in neighbours {
            precondition(n.alpha.width == w && n.alpha.height == alpha.height, "TemporalAlpha.borrow: map size differs")
            let other = n.ahead ? past : future
            alpha.values.withUnsafeMutableBufferPointer { a in
                n.alpha.values.withUnsafeBufferPointer { b in
                    frame.pixels.withUnsafeBufferPointer { pb in
                        n.frame.pixels.withUnsafeBufferPointer { qb in
                            let (p, q) = (pb.baseAddress!, qb.baseAddress!)
                            // the pixel j of each frame on the other side
                            func others(_ test: (UnsafePointer<UInt8>) -> Bool, all: Bool, _ j: Int) -> Bool {
                                guard !other.isEmpty else { return false }
                                for f in other where f.pixels.withUnsafeBufferPointer({ test($0.baseAddress! + j) }) != all { return !all }
                                return all
                            }
                            // pixels are independent: chunks of them run in parallel, each listing the
                            // pixels it raised from 0
                            let (ap, bp, n) = (a.baseAddress!, b.baseAddress!, a.count)
                            let found = parallelMap(n, chunks: max(1, min(16, n / 65_536))) { part -> [Int] in
                                var mine: [Int] = []
                                for i in part where bp[i] >= core && bp[i] > ap[i] {
                                    let j = 3 * i
                                    if difference(p + j, q + j) <= tolerance {
                                        if change > 0 && !others({ difference(p + j, $0) > change }, all: false, j) { continue }
                                    } else if fade == 0 || !others({ fading(p + j, q + j, $0) }, all: true, j) {
                                        continue
                                    }
                                    if ap[i] == 0 { mine.append(i) }
                                    ap[i] = bp[i]
                                }
                                return mine
                            }
                            for list in found { raised.formUnion(list) }
                        }
                    }
                }
            }
        }
        return raised.sorted()
    }

    /// What the neighbours within the release reach say about each pixel with α > 0 of frame `t`:
    /// one scan that both `released` and `leads` read.
    struct NeighbourEvidence {
        /// The pixels with α > 0, ascending.
        let candidates: [Int]
        /// Some neighbour has head α ≥ `core` there; one of those has the same colour (within `tolerance`).
        var strong: [Bool], same: [Bool]
        /// The nearest later / earlier neighbour with head α ≥ `core` there and another colour
        /// (sure of text), by frame index; -1: none.
        var after: [Int], before: [Int]
    }

    /// Scans `heads` (head α by frame index, the neighbours of frame `t` of `frames`) at the
    /// pixels with α > 0 in `alpha`.
    static func evidence(_ alpha: AlphaMap, t: Int, frames: [RGBFrame], heads: [Int: AlphaMap],
                         settings: TemporalAlphaSettings) -> NeighbourEvidence {
        let tolerance = settings.tolerance, core = settings.core
        let candidates = alpha.values.indices.filter { alpha.values[$0] > 0 }
        let none = [Int](repeating: -1, count: candidates.count), no = [Bool](repeating: false, count: candidates.count)
        var e = NeighbourEvidence(candidates: candidates, strong: no, same: no, after: none, before: none)
        let order = heads.keys.filter { $0 != t }.sorted { abs($0 - t) > abs($1 - t) }   // nearest last, so it wins
        frames[t].pixels.withUnsafeBufferPointer { p in
            for j in order {
                heads[j]!.values.withUnsafeBufferPointer { b in
                    frames[j].pixels.withUnsafeBufferPointer { q in
                        for (k, i) in candidates.enumerated() where b[i] >= core {
                            e.strong[k] = true
                            if BackgroundPlate.channelDifference(p.baseAddress! + 3 * i, q.baseAddress! + 3 * i) <= tolerance {
                                e.same[k] = true
                            } else if j > t { e.after[k] = j } else { e.before[k] = j }
                        }
                    }
                }
            }
        }
        return e
    }

    /// The pixels with α > 0 that differ by more than `tolerance` from every neighbour whose α
    /// there is at least `core`, when there is at least one such neighbour.
    static func released(_ e: NeighbourEvidence) -> [Int] {
        e.candidates.indices.filter { e.strong[$0] && !e.same[$0] }.map { e.candidates[$0] }
    }

    /// Of the `pixels` of frame `t` whose α was borrowed, those that are the text of a cue
    /// appearing or leaving: the pixel matches (within `tolerance`) every frame within `reach` on
    /// one side, one of which has head α ≥ `core` there, and differs by more than
    /// `appearingDifference` from every frame within `reach` on the other side (the text came or
    /// goes between them); more frames of its side than of the other have head α ≥ `core` there
    /// (in the clean frames just before a cue the head's window already sees the cue, so a clean
    /// pixel matches the frames behind, where the head is sure, and is far from the cue's frames
    /// ahead, where it is surer). A pixel that matches both sides, or neither, or is near some frame of
    /// the other side (the halo before a cue matches the clean frames before it; moving scenery
    /// changes gradually) is not. `frames` holds frame `t` and the neighbours of `heads` (head α
    /// by frame index; frames without one are not read).
    static func appearingText(_ pixels: [Int], t: Int, frames: [RGBFrame], heads: [Int: AlphaMap], reach: Int,
                              settings: TemporalAlphaSettings) -> [Int] {
        let (tolerance, core, step) = (settings.tolerance, settings.core, settings.appearingDifference)
        let behind = (max(0, t - reach)..<t).filter { heads[$0] != nil }
        let ahead = ((t + 1)..<min(frames.count, t + reach + 1)).filter { heads[$0] != nil }
        let difference = BackgroundPlate.channelDifference
        return frames[t].pixels.withUnsafeBufferPointer { p in
            pixels.filter { i in
                func distance(_ j: Int) -> Int { frames[j].pixels.withUnsafeBufferPointer { difference(p.baseAddress! + 3 * i, $0.baseAddress! + 3 * i) } }
                func matches(_ side: [Int]) -> Bool {
                    !side.isEmpty && side.allSatisfy { distance($0) <= tolerance } && side.contains { heads[$0]!.values[i] >= core }
                }
                let (fromAhead, fromBehind) = (matches(ahead), matches(behind))
                guard fromAhead != fromBehind else { return false }
                // the text is on the side where the head is surer of it: the clean frames just
                // before a cue match each other, and the head's window already sees the cue there
                let (side, other) = fromAhead ? (ahead, behind) : (behind, ahead)
                func sure(_ frames: [Int]) -> Int { frames.reduce(0) { $0 + (heads[$1]!.values[i] >= core ? 1 : 0) } }
                guard sure(side) > sure(other) else { return false }
                return !other.isEmpty && other.allSatisfy { distance($0) > step }
            }
        }
    }

    /// `released` for a frame and its neighbours in any order.
    static func released(_ alpha: AlphaMap, frame: RGBFrame, neighbours: [(alpha: AlphaMap, frame: RGBFrame)],
                         settings: TemporalAlphaSettings) -> [Int] {
        var heads: [Int: AlphaMap] = [:]
        for (k, n) in neighbours.enumerated() { heads[k + 1] = n.alpha }
        return released(evidence(alpha, t: 0, frames: [frame] + neighbours.map(\.frame), heads: heads, settings: settings))
    }

    /// Whether frame `t` of `frames` is a clean frame beside a cue whose text the head's window
    /// already sees, for the `lead` setting. A pixel with α > 0 is sure of text after (before)
    /// `t` when a later (earlier) neighbour has head α ≥ `core` there and differs from this frame
    /// by more than `tolerance` (`NeighbourEvidence`). The frame leads when at least
    /// `leadShare` of its α pixels are sure of text, on one side only (the other side's count at
    /// most 2 % of it), and it shows none of the cue: over those pixels, the change from the frame
    /// one step further from the cue (t − 1 before a cue, t + 1 after one; the other neighbour at
    /// the video's first or last frame) to this one, projected on the change from that frame to
    /// the nearest sure frame, is below `leadFade` of it in size — about 0 for a clean frame
    /// (noise averages out over thousands of pixels), the cue's opacity in a fade.
    static func leads(_ e: NeighbourEvidence, t: Int, frames: [RGBFrame], settings: TemporalAlphaSettings) -> Bool {
        let (candidates, after, before) = (e.candidates, e.after, e.before)
        guard !candidates.isEmpty else { return false }
        let nAfter = after.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }, nBefore = before.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let cueAfter = nAfter >= nBefore
        let (sure, other) = cueAfter ? (nAfter, nBefore) : (nBefore, nAfter)
        guard Float(sure) >= settings.leadShare * Float(candidates.count), other * 50 <= sure else { return false }
        let away = cueAfter ? (t > 0 ? t - 1 : t + 1) : (t < frames.count - 1 ? t + 1 : t - 1)
        guard away >= 0, away < frames.count else { return false }
        let nearest = cueAfter ? after : before
        var along: Double = 0, length: Double = 0
        frames[t].pixels.withUnsafeBufferPointer { p in frames[away].pixels.withUnsafeBufferPointer { o in
            for (k, i) in candidates.enumerated() where nearest[k] >= 0 {
                frames[nearest[k]].pixels.withUnsafeBufferPointer { q in
                    for c in 0..<3 {
                        let toCue = Double(q[3 * i + c]) - Double(o[3 * i + c])
                        along += (Double(p[3 * i + c]) - Double(o[3 * i + c])) * toCue
                        length += toCue * toCue
                    }
                }
            }
        } }
        // at the first frame before a cue (away = t + 1) the projection has the other sign; only its size matters
        return length > 0 && abs(along / length) < Double(settings.leadFade)
    }

    /// `leads` with the neighbours' head α by frame index.
    static func leads(_ alpha: AlphaMap, t: Int, frames: [RGBFrame], heads: [Int: AlphaMap], settings: TemporalAlphaSettings) -> Bool {
        leads(evidence(alpha, t: t, frames: frames, heads: heads, settings: settings), t: t, frames: frames, settings: settings)
    }
}

// Semi-transparent subtitle boxes (libass BorderStyle 3, broadcast caption boxes): a dark box of
// opacity a over the scene multiplies every pixel under it by the transmission t = 1 − a, so the
// scenery there is still in the frame, only darker: scenery = I / t. On frames taller than 720
// rows the occlusion head finds the glyphs but only part of the box around them (it reads the box
// larger than any it was trained on: MODEL_CARD.md "Subtitle boxes"); the box finder measures
// the box from the frame itself, and the engine treats the whole box as subtitle, restored from
// the frame with the box divided out (`unblend`), the glyphs inside filled from around them.
//
// Model: log I = log scenery + Σ_boxes log t · [inside], so log I steps by log t wherever a box
// edge crosses a column, the same step in every column the edge spans, whatever the scenery.
// 1. Around each group of text lines α found (glyphs: α ≥ `glyph`), horizontal edges: runs of
//    columns whose log-step across a transition row (3-row stencil, so an edge anti-aliased over
//    one row counts whole) agrees within `tolerance` (wider where the pixels are dark), at least
//    `minDarkening` strong; the step is measured without the scenery's own slope. A row too dark
//    for the tolerance (two stacked boxes' overlap, darkened twice) gives a weak edge, taken within
//    twice it: a weak edge may close a box (2) but never drops one (4).
// 2. Boxes: each bottom edge closes the earliest open top edge with a matching step (the lines of
//    a cue are stacked downwards, each line's box ending before the next line's does); a bottom
//    left without a top ends instead a box that a glyph's stroke closed early (a headline's upper
//    edge steps like a box's bottom). A box's glyphs reach into both of its halves.
// 3. Sides: across each box's left and right columns the rows must step as the model says (a dark
//    band of scenery, a diagonal shape, a glyph's stroke do not) — unless the frame before had a box
//    at the same rows (scenery beside a box can hide one side for a while).
// 4. A box that still holds an edge as strong as its own, unexplained, is dropped (the model is
//    missing a box there; divided by the rest, it would stay half dark); inside nested boxes (a box
//    and its drop shadow) and away from their edges, an edge as strong as the strongest holding
//    it. The boxes must hold their text line's glyphs and span its columns (those with glyphs at
//    the boxes' rows or within half a line of them). A glyph's horizontal stroke well inside the
//    box explains itself: its bright side (the row past the transition, or on large frames one of
//    the next two) is glyph (α, and brighter than the box lets scenery through); two boxes split
//    at such a stroke (over bright scenery its edges match the box's step) are one.
// Only black boxes of any opacity fit the model (a coloured box adds a colour term; it is left to
// the head as before). No reference implementation: a rule of this project (seventeenth session,
// 2026-12-06).
import ClearMedia
import Foundation
import ClearTensor

public struct SubtitleBoxSettings: Sendable, Equatable {
    /// A box darkens the scene by at least this share (transmission ≤ 1 − minDarkening).
    public var minDarkening: Float = 0.3
    /// A column's log-step agrees with its edge's within this.
    public var tolerance: Float = 0.1
    /// Pixels darker than this (R+G+B) give no usable ratio.
    public var minLight: Float = 6
    /// Noise on R+G+B (levels) that widens a column's tolerance where it is dark: tolerance +
    /// noise / (R+G+B), so dark columns neither set an edge's step nor break its run.
    public var noise: Float = 8
    /// An edge's run of agreeing columns bridges this many disagreeing ones in a row (per 720 rows).
    public var bridge: Float = 8
    /// The boxes must cover at least this share of their text line's glyph columns.
    public var span: Float = 0.9
    /// Across a box's sides, at least this share of its rows steps as the model says.
    public var sideAgreement: Float = 0.6
    /// A box's glyphs (α ≥ `glyph`) cover at least this share of it.
    public var glyphShare: Float = 0.03
    /// α at or above this is a glyph (the lines the boxes are looked for around).
    public var glyph: Float = 0.5
    /// Inside a box, α grows by this many pixels per 720 rows (rounded, at least 1) over the glyphs'
    /// anti-aliased rims, which the division would brighten.
    public var rim: Float = 2
    /// A pixel inside a box is a glyph when its brightest channel exceeds 255·t·(1 + glyphMargin) +
    /// glyphLevels: more than the box lets through from the brightest scenery.
    public var glyphMargin: Float = 0.1
    public var glyphLevels: Float = 8
    /// The brightest channel above which a pixel seen through transmission `t` is a glyph.
    func glyphThreshold(transmission t: Float) -> Float { 255 * t * (1 + glyphMargin) + glyphLevels }
    /// A pixel the head marks (α ≥ `glyph`) inside a box is a glyph when, divided, its luma exceeds
    /// the mean around it by this many levels (a fading cue's faint glyphs).
    public var fadingContrast: Float = 16
    /// Inside a box the engine uses the memory's plate only in blocks where it is within this many
    /// levels (mean absolute, RGB) of the frame with the box divided out.
    public var plateTolerance: Float = 20
    /// Inside a box the engine weighs the restoration of the frame with the box divided out against
    /// a fill of the frame as it is, with the whole box as the hole: the division's weight is
    /// t² / (t² + `divisionNoise`), t the transmission divided by. Dividing multiplies the coding
    /// noise by 1 / t, while the fill's error does not depend on t, so this is the inverse-variance
    /// weighting of the two with `divisionNoise` = (coding noise / fill error)², about (1.5 / 15)²
    /// = 0.01. nil (the default; `CLEARSUB_LITE_BOXES=noise=K` sets K): the division alone. With
    /// 0.01 a 20-s moving clip's dark drop-shadowed box gained 1.7 dB, but boxed 1080p clips lost
    /// (MODEL_CARD.md "The glyph hole, and weighing a dark box's division", tried and not shipped).
    public var divisionNoise: Float? = nil
    /// The engine remembers the boxes last found over this many frames that miss them (`previous`).
    public var memoryFrames = 5
    /// A log-step `observed` across two pixels (log R+G+B, the darker one `darker`) agrees with the
    /// `expected` one: within twice `tolerance` (scenery may slope across them) plus the coding
    /// noise's share of the darker pixel.
    func stepAgrees(_ observed: Float, _ expected: Float, darker: Float) -> Bool {
        abs(observed - expected) <= 2 * tolerance + noise / exp(darker)
    }
    /// The darkest transmission divided by: a box darker than this is divided as if it were this
    /// dark (so coding noise is multiplied by at most 1 / minTransmission).
    public var minTransmission: Float = 0.08

    public init() {}
}

/// The transmission of the boxes found around one group of text lines: `transmission[(y − y0) ·
/// width + (x − x0)]` over the rectangle x0..<x0+width, y0..<y0+height, 1 outside the boxes.
public struct SubtitleBoxLayer: Sendable, Equatable {
    public let x0: Int, y0: Int, width: Int, height: Int
    public var transmission: [Float]
    /// The boxes' anti-aliased side columns, filled rather than divided.
    public var sides: [Bool]
    /// The boxes, in frame coordinates.
    public var boxes: [SubtitleBoxRect]

    /// The pixels inside the boxes (each counted once) where `alpha` (of the whole frame) is at
    /// least `level`.
    public func glyphPixels(_ alpha: AlphaMap, at level: Float) -> Int {
        var inside = [Bool](repeating: false, count: width * height)   // the layer's rectangle
        var n = 0
        for b in boxes {
            let (ya, yb) = (max(b.top, y0), min(b.bottom, y0 + height - 1, alpha.height - 1))
            let (xa, xb) = (max(b.x0, x0), min(b.x1, x0 + width - 1, alpha.width - 1))
            guard ya <= yb, xa <= xb else { continue }
            for y in ya...yb {
                for x in xa...xb where !inside[(y - y0) * width + x - x0] {
                    inside[(y - y0) * width + x - x0] = true
                    if alpha.values[y * alpha.width + x] >= level { n += 1 }
                }
            }
        }
        return n
    }

    /// The scenery around the boxes: the pixels of the layer's rectangle outside them where `alpha`
    /// (of the whole frame) is 0, as frame indices.
    public func surroundings(alpha: AlphaMap) -> [Int] {
        var out: [Int] = []
        for y in 0..<height {
            for x in 0..<width where transmission[y * width + x] == 1 {
                let i = (y + y0) * alpha.width + x + x0
                if alpha.values[i] == 0 { out.append(i) }
            }
        }
        return out
    }
}

/// One box: its top and bottom transition rows and first and last columns (frame coordinates).
public struct SubtitleBoxRect: Sendable, Equatable {
    public var top: Int, bottom: Int, x0: Int, x1: Int
    /// The same box as `other` seen again: top and bottom within `slack` rows, and the columns
    /// overlapping by at least `overlap` of the wider one (an edge's run may stop short of a side,
    /// or run on along scenery past it).
    public func sameRows(_ other: SubtitleBoxRect, slack: Int = 2, overlap: Double = 0.8) -> Bool {
        let shared = min(x1, other.x1) - max(x0, other.x0) + 1
        return abs(top - other.top) <= slack && abs(bottom - other.bottom) <= slack
            && Double(shared) >= overlap * Double(max(x1 - x0, other.x1 - other.x0) + 1)
    }
}

public enum SubtitleBoxFinder {
    /// The box layers of `frame` around the text lines of `alpha` (empty: no box).
    /// A box of `previous` (the boxes found in the frame before) found again needs no side test:
    /// a subtitle's box stays put for the cue's life, and scenery beside it can hide one side.
    public static func find(frame: RGBFrame, alpha: AlphaMap, settings: SubtitleBoxSettings = SubtitleBoxSettings(),
                            previous: [SubtitleBoxRect] = []) -> [SubtitleBoxLayer] {
        precondition(frame.width == alpha.width && frame.height == alpha.height)
        return textLineGroups(alpha, glyph: settings.glyph).compactMap { group in
            layer(frame: frame, alpha: alpha, group: group, settings: settings, previous: previous)
        }
    }

    /// A rectangle of glyphs (inclusive pixel bounds) and the height of one of its lines.
    struct LineGroup { var x0: Int, y0: Int, x1: Int, y1: Int, lineHeight: Int }

    /// Glyph components (α ≥ `glyph`, 4-pixel cells) joined into lines (rows overlapping by half the
    /// smaller height, gap at most twice the taller height), and lines joined into groups when the
    /// gap between them is at most a line's height (a two-line cue).
    static func textLineGroups(_ alpha: AlphaMap, glyph: Float) -> [LineGroup] {
        let c = 4
        let comps = alpha.cellComponents(cell: c, above: glyph - 1e-6).components
        guard !comps.isEmpty else { return [] }
        var lines = comps.map { LineGroup(x0: $0.x0 * c, y0: $0.y0 * c, x1: min(alpha.width, ($0.x1 + 1) * c) - 1,
                                          y1: min(alpha.height, ($0.y1 + 1) * c) - 1, lineHeight: $0.height * c) }
        func merge(_ joins: (LineGroup, LineGroup) -> Bool) {
            var merged = true
            while merged {
                merged = false
                outer: for i in lines.indices {
                    for j in lines.indices where j > i && joins(lines[i], lines[j]) {
                        let (a, b) = (lines[i], lines[j])
                        lines[i] = LineGroup(x0: min(a.x0, b.x0), y0: min(a.y0, b.y0), x1: max(a.x1, b.x1), y1: max(a.y1, b.y1),
                                             lineHeight: max(a.lineHeight, b.lineHeight))
                        lines.remove(at: j)
                        merged = true
                        break outer
                    }
                }
            }
        }
        merge { a, b in   // same line
            let h = min(a.y1 - a.y0, b.y1 - b.y0) + 1
            let overlap = min(a.y1, b.y1) - max(a.y0, b.y0) + 1
            let gap = max(a.x0, b.x0) - min(a.x1, b.x1) - 1
            return 2 * overlap >= h && gap <= 2 * max(a.y1 - a.y0, b.y1 - b.y0) + 2
        }
        merge { a, b in   // lines of one cue: columns overlapping, rows at most a line apart
            let colOverlap = min(a.x1, b.x1) - max(a.x0, b.x0) + 1
            let gap = max(a.y0, b.y0) - min(a.y1, b.y1) - 1
            return colOverlap > 0 && gap <= max(a.lineHeight, b.lineHeight)
        }
        return lines
    }

    /// The boxes around one group, or nil when none fits the model.
    static func layer(frame: RGBFrame, alpha: AlphaMap, group g: LineGroup, settings s: SubtitleBoxSettings,
                      previous: [SubtitleBoxRect]) -> SubtitleBoxLayer? {
        let (W, H) = (frame.width, frame.height)
        // a box reaches at most a line's height above and below its glyphs, two to either side
        let pad = max(8, g.lineHeight)
        let x0 = max(0, g.x0 - 2 * pad), x1 = min(W - 1, g.x1 + 2 * pad)
        let y0 = max(0, g.y0 - pad), y1 = min(H - 1, g.y1 + pad)
        let w = x1 - x0 + 1, h = y1 - y0 + 1
        guard h >= 5, w >= 8 else { return nil }
        // log(R+G+B) and where a pixel can take part in a ratio (lit enough; glyphs break an edge's run
        // of agreeing columns, and lie inside the box, away from its edges)
        var logS = [Float](repeating: 0, count: w * h)
        var usable = [Bool](repeating: false, count: w * h)
        let minLight = s.minLight
        frame.pixels.withUnsafeBufferPointer { pb in logS.withUnsafeMutableBufferPointer { lb in usable.withUnsafeMutableBufferPointer { ub in
            let (px, ls, us) = (pb.baseAddress!, lb.baseAddress!, ub.baseAddress!)
            parallelFor(h, minChunk: 8) { rows in   // rows are independent
                for y in rows {
                    for x in 0..<w {
                        let p = ((y + y0) * W + (x + x0)) * 3
                        let sum = Float(px[p]) + Float(px[p + 1]) + Float(px[p + 2])
                        ls[y * w + x] = log(sum + 0.5)   // an offset would bias the ratios
                        us[y * w + x] = sum >= minLight
                    }
                }
            }
        } } }
        // edges: runs of columns whose log-step across a transition row agrees (a darkening one is
        // a box's top, a brightening one its bottom)
        var edges: [Edge] = []
        let minStep = -log(1 - s.minDarkening)
        let maxMisses = max(2, Int((s.bridge * Float(H) / 720).rounded()))
        var claimed = [Bool](repeating: false, count: w * h)   // row y's columns already in an edge at y or y−1
        for y in 1..<(h - 1) {
            // the 3-row stencil: rows y−1 and y+1 around a possible transition row y
            var d = [Float](repeating: .nan, count: w), slack = [Float](repeating: 0, count: w)
            for x in 0..<w where usable[(y - 1) * w + x] && usable[(y + 1) * w + x] {
                let (a, b) = (logS[(y - 1) * w + x], logS[(y + 1) * w + x])
                d[x] = b - a
                // quantisation and coding noise of ±`noise` on R+G+B moves a dark pixel's log more
                slack[x] = s.tolerance + s.noise / exp(min(a, b))
            }
            for sign: Float in [-1, 1] {
                // the row's step: the median of its columns that are strong (a step of the row's
                // sign, within a tight slack), at least 8 of them; in one pass, the columns within
                // twice that slack too
                var strong: [Float] = [], wide: [Float] = []
                for i in d.indices where !d[i].isNaN && slack[i] <= 2 * 3 * s.tolerance && sign * d[i] >= 0.8 * minStep {
                    wide.append(d[i])
                    if slack[i] <= 3 * s.tolerance { strong.append(d[i]) }
                }
                var weak = false
                if strong.count < 8 {
                    // dark rows (two stacked lines' boxes darken their overlap twice): at least 64
                    // columns within twice that slack; such an edge may close a box, never veto one
                    guard wide.count >= 64 else { continue }
                    strong = wide
                    weak = true
                }
                let m = strong.sorted()[strong.count / 2]
                guard sign * m >= minStep else { continue }
                var x = 0
                while x < w {
                    guard !d[x].isNaN, abs(d[x] - m) <= slack[x], !claimed[y * w + x] else { x += 1; continue }
                    var end = x, agree = 0, misses = 0, k = x
                    while k < w, !claimed[y * w + k] {
                        if d[k].isNaN || abs(d[k] - m) <= slack[k] {
                            if !d[k].isNaN { agree += 1; end = k }
                            misses = 0
                        } else {
                            misses += 1   // a few disagreeing columns in a row (a glint, a glyph's tip) are bridged
                            if misses > maxMisses { break }
                        }
                        k += 1
                    }
                    let length = end - x + 1
                    if length >= max(16, g.lineHeight / 2), agree * 2 >= length {
                        // the step without the scenery's own slope: the stencil's difference less the
                        // mean of the 2-row differences just outside it, on either side (a linear
                        // slope adds the same to all three)
                        var steps: [Float] = []
                        if y >= 3, y + 3 < h {
                            for c in x...end where !d[c].isNaN && usable[(y - 3) * w + c] && usable[(y + 3) * w + c] {
                                let slope = (logS[(y - 1) * w + c] - logS[(y - 3) * w + c] + logS[(y + 3) * w + c] - logS[(y + 1) * w + c]) / 2
                                if abs(d[c] - slope - m) <= slack[c] { steps.append(d[c] - slope) }
                            }
                        }
                        let step = steps.count * 2 >= agree ? steps.sorted()[steps.count / 2] : m
                        // the transition row's share of the step: its own 1-row step against the whole
                        var first: [Float] = []
                        for c in x...end where !d[c].isNaN && usable[y * w + c] { first.append(logS[y * w + c] - logS[(y - 1) * w + c]) }
                        let frac = first.isEmpty ? Float(0.5) : min(max(first.sorted()[first.count / 2] / step, 0), 1)
                        edges.append(Edge(row: y, x0: x, x1: end, step: step, share: frac, weak: weak))
                        for c in x...end { claimed[y * w + c] = true; claimed[(y + 1) * w + c] = true }
                    }
                    x = end + 1
                }
            }
        }
        // runs of one edge split by a long break, or by the anti-aliased row falling on either side,
        // are one edge: same direction, rows at most 1 apart, steps within a quarter
        edges.sort { ($0.row, $0.x0) < ($1.row, $1.x0) }
        var merged: [Edge] = []
        for e in edges {
            if let i = merged.lastIndex(where: { abs($0.row - e.row) <= 1 && ($0.step > 0) == (e.step > 0)
                                                 && abs($0.step - e.step) <= 0.25 * abs($0.step) }) {
                merged[i].pieces.append(e)
                merged[i].weak = merged[i].weak && e.weak
                merged[i].x0 = min(merged[i].x0, e.x0); merged[i].x1 = max(merged[i].x1, e.x1)
            } else { var first = e; first.pieces = [e]; merged.append(first) }
        }
        // A glyph's horizontal stroke makes edges too: its bright side is a glyph (the head's α ≥
        // `glyph`, and brighter than the box lets any scenery through: the `unblend` glyph test).
        // The bright side is read on the row past the transition and, on frames taller than 720 rows
        // (where a glyph's edge spreads over more rows once coded), on the next one or two.
        let strokeRows = max(1, Int((Float(H) / 720).rounded()))
        func glyphStroke(_ e: Edge, logT: (Int, Int) -> Float) -> Bool {
            let away = e.step < 0 ? -1 : 1
            let rows = (1...strokeRows).map { e.row + away * $0 }.filter { $0 >= 0 && $0 < h }
            guard !rows.isEmpty else { return false }
            var lit = 0
            frame.pixels.withUnsafeBufferPointer { px in
                for c in e.x0...e.x1 {
                    for bright in rows where alpha.values[(bright + y0) * W + c + x0] >= s.glyph {
                        let p = ((bright + y0) * W + c + x0) * 3
                        if Float(max(px[p], px[p + 1], px[p + 2])) > s.glyphThreshold(transmission: exp(logT(bright, c))) { lit += 1; break }
                    }
                }
            }
            return 2 * lit >= e.x1 - e.x0 + 1
        }
        // a stroke lies inside its box by at least the box's padding (an outline hugging a headline
        // stroke, Devanagari's, is thinner than that: its edges stay unexplained)
        let inset = max(2, Int((3 * s.rim * Float(H) / 720).rounded()))
        // boxes: each bottom closes the earliest open top it matches (lines stacked downwards, each
        // line's box ending before the next line's does), columns overlapping, steps within a quarter
        func closes(_ t: Edge, _ e: Edge) -> Bool {
            guard e.row > t.row + 2 else { return false }
            let (a, b) = (max(t.x0, e.x0), min(t.x1, e.x1))
            return b - a + 1 >= min(t.x1 - t.x0, e.x1 - e.x0) / 2 && abs(t.step + e.step) <= 0.25 * abs(t.step)
        }
        var open: [Edge] = []
        var boxes: [(top: Edge, bottom: Edge, x0: Int, x1: Int)] = []
        for e in merged {
            if e.step < 0 { open.append(e); continue }
            if let i = open.firstIndex(where: { closes($0, e) }) {
                let t = open.remove(at: i)
                boxes.append((t, e, min(t.x0, e.x0), max(t.x1, e.x1)))   // a run may stop short of the side: the side test finds it
                continue
            }
            // no top left open: a box closed early by a glyph's stroke (the upper edge of a headline,
            // Devanagari's, where the dark box meets the bright glyph, steps like a box's bottom)
            // ends here instead, within a line's height of its top, unless another line's box
            // begins in between
            if let k = boxes.lastIndex(where: { b in
                closes(b.top, e) && e.row - b.bottom.row >= inset && b.bottom.row - b.top.row >= inset
                    && 2 * (e.row - b.top.row) <= 3 * g.lineHeight + 16
                    && !boxes.contains(where: { $0.top.row > b.bottom.row && $0.top.row < e.row })
                    && glyphStroke(b.bottom, logT: { _, _ in b.top.step })
            }) {
                boxes[k] = (boxes[k].top, e, min(boxes[k].x0, e.x0), max(boxes[k].x1, e.x1))
            }
        }
        // such a stroke across the line can close a box early and open another just below it: two
        // boxes whose facing edges are both glyph strokes, a stroke's width apart, are one box
        var joined = true
        while joined {
            joined = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j != i {
                    let (a, b) = (boxes[i], boxes[j])
                    let gap = b.top.row - a.bottom.row
                    guard gap > 0, gap <= max(4, g.lineHeight / 4), min(a.x1, b.x1) - max(a.x0, b.x0) > 0,
                          a.bottom.row - a.top.row >= inset, b.bottom.row - b.top.row >= inset else { continue }
                    let inside = { (_: Int, _: Int) in a.top.step }
                    guard glyphStroke(a.bottom, logT: inside), glyphStroke(b.top, logT: inside) else { continue }
                    boxes[i] = (a.top, b.bottom, min(a.x0, b.x0), max(a.x1, b.x1))
                    boxes.remove(at: j)
                    joined = true
                    break outer
                }
            }
        }
        // a box holds glyphs (a subtitle's box is drawn around its text: its glyphs reach into
        // both halves of it)
        boxes = boxes.filter { b in
            var inside = 0, first = Int.max, last = Int.min
            for y in b.top.row...b.bottom.row {
                for x in b.x0...b.x1 where alpha.values[(y + y0) * W + x + x0] >= s.glyph { inside += 1; first = min(first, y); last = y }
            }
            let half = (b.bottom.row - b.top.row) / 2
            return Float(inside) >= s.glyphShare * Float((b.bottom.row - b.top.row + 1) * (b.x1 - b.x0 + 1))
                && first - b.top.row <= half && b.bottom.row - last <= half
        }
        guard !boxes.isEmpty else { return nil }
        // log-transmission per pixel: the top's step from its transition row on, the bottom's
        // step taken back from its own; boxes multiply
        typealias Box = (top: Edge, bottom: Edge, x0: Int, x1: Int)
        let side = max(1, Int((s.rim * Float(H) / 720).rounded()))
        func model(_ boxes: [Box]) -> (logT: [Float], sides: [Bool]) {
            var logT = [Float](repeating: 0, count: w * h)
            var sides = [Bool](repeating: false, count: w * h)
            for b in boxes {
                for c in b.x0...b.x1 {
                    let top = b.top.piece(at: c), bottom = b.bottom.piece(at: c)
                    guard bottom.row > top.row + 1 else { continue }
                    logT[top.row * w + c] += top.share * top.step
                    for y in (top.row + 1)..<bottom.row { logT[y * w + c] += top.step }
                    logT[bottom.row * w + c] += min(0, top.step + bottom.share * bottom.step)
                    if c - b.x0 < side || b.x1 - c < side { for y in top.row...bottom.row { sides[y * w + c] = true } }
                }
            }
            return (logT, sides)
        }
        // a box has sides: across its first and last columns, rows between its edges step as the
        // model says (a dark diagonal shape, or scenery that happens to close a top and a bottom
        // edge, does not)
        let shift = max(2, Int((s.bridge * Float(H) / 720).rounded()))
        func rect(_ b: Box) -> SubtitleBoxRect { SubtitleBoxRect(top: b.top.row + y0, bottom: b.bottom.row + y0, x0: b.x0 + x0, x1: b.x1 + x0) }
        let candidates = boxes
        boxes = candidates.indices.compactMap { k in
            var b = candidates[k]
            // the box of the frame before, at the same rows: its sides are where they were
            if let p = previous.first(where: { $0.sameRows(rect(b)) }) {
                b.x0 = max(0, p.x0 - x0); b.x1 = min(w - 1, p.x1 - x0)
                return b.x1 - b.x0 > 2 * shift ? b : nil
            }
            guard b.x0 - shift - 1 >= 0, b.x1 + shift + 1 < w, b.x1 - b.x0 > 2 * shift, b.bottom.row - b.top.row > 4 else { return nil }
            let others = model(candidates.indices.filter { $0 != k }.map { candidates[$0] }).logT
            // left side, then right: the column across which rows step as the model says (this
            // box's step plus any other box it leaves), 1 pixel in against 1 out (scenery changes
            // little over 2 pixels); a top or bottom edge's run may stop short of the side
            for direction in [1, -1] {
                // between the top's and the bottom's ends (one may run on along scenery), and a little beyond
                let ends = direction == 1 ? (b.top.x0, b.bottom.x0) : (b.top.x1, b.bottom.x1)
                let (outermost, innermost) = direction == 1 ? (min(ends.0, ends.1), max(ends.0, ends.1)) : (max(ends.0, ends.1), min(ends.0, ends.1))
                var best: Float = 0, bestColumn = outermost
                for e in stride(from: outermost - direction * shift, through: innermost + direction * shift, by: direction)
                where e - 1 >= 0 && e + 1 < w {
                    let (inner, outer) = (e + direction, e - direction)
                    var agree = 0, counted = 0
                    for y in (b.top.row + 2)..<(b.bottom.row - 1) where usable[y * w + inner] && usable[y * w + outer] {
                        let (a, o) = (logS[y * w + inner], logS[y * w + outer])
                        counted += 1
                        let expected = b.top.step + others[y * w + inner] - others[y * w + outer]
                        if s.stepAgrees(a - o, expected, darker: min(a, o)) { agree += 1 }
                    }
                    if counted >= 3, Float(agree) > best * Float(counted) { best = Float(agree) / Float(counted); bestColumn = e }
                }
                guard best >= s.sideAgreement else { return nil }
                if direction == 1 { b.x0 = bestColumn } else { b.x1 = bestColumn }
            }
            return b.x1 - b.x0 > 2 * shift ? b : nil   // the sides found may close in on each other
        }
        guard !boxes.isEmpty else { return nil }
        // an edge no kept box explains, inside one of them, is a box the model misses (a stacked
        // line's box whose side was not found): divided by the rest, it would stay half dark
        // (or a box that is not one, inside a real box): such a box goes, and the edges it used may
        // then be unexplained in turn
        func same(_ a: Edge, _ b: Edge) -> Bool { a.row == b.row && a.x0 == b.x0 && a.step == b.step }
        var dropping = true
        while dropping {
            dropping = false
            var logT: [Float]?   // the kept boxes' model, built once a stroke needs testing
            for e in merged where !e.weak && !boxes.contains(where: { same($0.top, e) || same($0.bottom, e) }) {
                // as strong as the box's own edges (a glyph's stroke over flat scenery is weaker or
                // inconsistent), and inside nested boxes (a box and its drop shadow, offset by a few
                // pixels), away from their edges, as strong as the strongest of those holding it: a
                // thin stroke the weak shadow box alone would not explain is no missing box. Within
                // `inset` rows of a holding box's top or bottom an edge is what it looks like there,
                // the edge of a box (a shadow's top that a wrong box left unexplained).
                func holds(_ b: Box) -> Bool {
                    let overlap = min(e.x1, b.x1) - max(e.x0, b.x0) + 1
                    return e.row > b.top.row + 1 && e.row < b.bottom.row - 1 && 2 * overlap >= e.x1 - e.x0 + 1
                }
                let holding = boxes.indices.filter { holds(boxes[$0]) }
                let nearAnEdge = holding.contains { abs(e.row - boxes[$0].top.row) <= inset || abs(e.row - boxes[$0].bottom.row) <= inset }
                let strongest = nearAnEdge ? 0 : holding.map { abs(boxes[$0].top.step) }.max() ?? 0
                guard abs(e.step) >= 0.75 * strongest,
                      let k = holding.first(where: { abs(e.step) >= 0.75 * abs(boxes[$0].top.step) }) else { continue }
                if e.row - boxes[k].top.row >= inset && boxes[k].bottom.row - e.row >= inset {
                    let t = logT ?? model(boxes).logT
                    logT = t
                    if glyphStroke(e, logT: { t[$0 * w + $1] }) { continue }
                }
                boxes.remove(at: k); dropping = true; break
            }
        }
        guard !boxes.isEmpty else { return nil }
        let (logT, sides) = model(boxes)
        // the boxes must hold the line's glyphs and span its columns (those with glyphs at the boxes'
        // rows, or within half a line of them: α on scenery further above or below the line,
        // joined into its group, is no text of theirs)
        let rows = (boxes.map(\.top.row).min()! - g.lineHeight / 2)...(boxes.map(\.bottom.row).max()! + g.lineHeight / 2)
        var glyphs = 0, glyphsInside = 0, textColumns = 0, textColumnsBoxed = 0
        alpha.values.withUnsafeBufferPointer { av in
            for x in 0..<w {
                var here = false, boxed = false
                for y in 0..<h where av[(y + y0) * W + x + x0] >= s.glyph {
                    glyphs += 1
                    if rows.contains(y) { here = true }
                    if logT[y * w + x] < 0 { glyphsInside += 1; boxed = true }
                }
                if x + x0 >= g.x0 && x + x0 <= g.x1 {
                    if here { textColumns += 1 }
                    if boxed { textColumnsBoxed += 1 }
                }
            }
        }
        guard glyphs > 0, 2 * glyphsInside >= glyphs, Float(textColumnsBoxed) >= s.span * Float(textColumns) else { return nil }
        return SubtitleBoxLayer(x0: x0, y0: y0, width: w, height: h, transmission: logT.map { exp($0) }, sides: sides,
                                boxes: boxes.map(rect))
    }

    /// One horizontal edge: its transition row, columns, log-step (inside over outside, going down)
    /// and the transition row's share of it; `pieces` are runs merged into it.
    struct Edge {
        var row: Int, x0: Int, x1: Int, step: Float, share: Float
        /// Found only within the wider tolerance of dark rows: it may close a box, never drop one.
        var weak = false
        var pieces: [Edge] = []
        init(row: Int, x0: Int, x1: Int, step: Float, share: Float, weak: Bool = false) {
            (self.row, self.x0, self.x1, self.step, self.share, self.weak) = (row, x0, x1, step, share, weak)
        }
        /// The run covering column `c` (the nearest one where runs leave a gap).
        func piece(at c: Int) -> Edge {
            pieces.min { a, b in
                let da = c < a.x0 ? a.x0 - c : (c > a.x1 ? c - a.x1 : 0), db = c < b.x0 ? b.x0 - c : (c > b.x1 ? c - b.x1 : 0)
                return da < db
            }!
        }
    }

    /// A layer found in an earlier frame of the cue still fits `frame`: across every box's top and
    /// bottom, a row 5 rows (per 720) outside against one two rows inside steps as the layer's
    /// transmission says in at least `sideAgreement` of the usable columns (the sides' columns left
    /// out), and the boxes hold glyphs of `alpha` (at least `glyphShare` of their area). A cue's box
    /// stays put while it is on screen, but the finder's own tests can fail in some of its frames (a
    /// thin stroke splitting a box and its drop shadow, α spilling past a side). The outer row lies
    /// beyond a drop shadow's offset, so a layer that models only one of a box and its shadow does
    /// not fit.
    public static func stillFits(_ l: SubtitleBoxLayer, frame: RGBFrame, alpha: AlphaMap,
                                 settings s: SubtitleBoxSettings = SubtitleBoxSettings()) -> Bool {
        let (W, H) = (frame.width, frame.height)
        guard !l.boxes.isEmpty, l.x0 >= 0, l.y0 >= 0, l.x0 + l.width <= W, l.y0 + l.height <= H,
              alpha.width == W, alpha.height == H else { return false }
        let area = l.boxes.reduce(0) { $0 + ($1.bottom - $1.top + 1) * ($1.x1 - $1.x0 + 1) }
        guard Float(l.glyphPixels(alpha, at: s.glyph)) >= s.glyphShare * Float(area) else { return false }
        let side = max(1, Int((s.rim * Float(H) / 720).rounded()))
        let away = max(4, Int((5 * Float(H) / 720).rounded()))
        return frame.pixels.withUnsafeBufferPointer { px in
            func logSum(_ x: Int, _ y: Int) -> Float? {
                let p = (y * W + x) * 3
                let sum = Float(px[p]) + Float(px[p + 1]) + Float(px[p + 2])
                return sum >= s.minLight ? log(sum + 0.5) : nil
            }
            func logT(_ x: Int, _ y: Int) -> Float {
                let (lx, ly) = (x - l.x0, y - l.y0)
                guard lx >= 0, ly >= 0, lx < l.width, ly < l.height else { return 0 }
                return log(l.transmission[ly * l.width + lx])
            }
            for b in l.boxes {
                for (outside, inside) in [(b.top - away, b.top + 2), (b.bottom + away, b.bottom - 2)] {
                    guard outside >= 0, outside < H, inside > b.top, inside < b.bottom, b.x1 - b.x0 > 2 * side else { return false }
                    var agree = 0, counted = 0
                    for x in (b.x0 + side)...(b.x1 - side) {
                        guard let a = logSum(x, inside), let o = logSum(x, outside) else { continue }
                        counted += 1
                        let expected = logT(x, inside) - logT(x, outside)
                        if s.stepAgrees(a - o, expected, darker: min(a, o)) { agree += 1 }
                    }
                    guard counted >= 8, Float(agree) >= s.sideAgreement * Float(counted) else { return false }
                }
            }
            return true
        }
    }

    /// The transmission `unblend` divides each of `pixels` (row-major indices into a frame `width`
    /// wide) by: that of the first layer whose boxes hold it, no darker than `minTransmission`; 1
    /// where no layer does.
    public static func divisionTransmissions(_ pixels: [Int], layers: [SubtitleBoxLayer], width: Int,
                                             settings s: SubtitleBoxSettings = SubtitleBoxSettings()) -> [Float] {
        pixels.map { i in
            let (x, y) = (i % width, i / width)
            for l in layers where x >= l.x0 && x < l.x0 + l.width && y >= l.y0 && y < l.y0 + l.height {
                let t = l.transmission[(y - l.y0) * l.width + x - l.x0]
                if t < 1 { return max(t, s.minTransmission) }
            }
            return 1
        }
    }

    /// Divides the boxes out of `frame`. Inside a box α is redrawn from the frame: 1 on the glyphs,
    /// grown over their anti-aliased rims by `rim` pixels per 720 rows, and on the boxes'
    /// anti-aliased sides; 0 elsewhere (the head's α over a box's edges is the box, which the
    /// division gives back). A glyph is a pixel brighter than the box lets any scenery through
    /// (max channel > 255·t·(1 + `glyphMargin`) + `glyphLevels`), or, where the head's α ≥ `glyph`
    /// (a cue fading in or out: its glyphs are faint), one that the division leaves brighter than
    /// its surroundings by more than `fadingContrast` levels (luma against the mean of a square
    /// window of `rim`·3 pixels per 720 rows around it).
    /// Returns the pixels (row-major indices) inside the boxes.
    @discardableResult
    public static func unblend(_ frame: inout RGBFrame, alpha: inout AlphaMap, layers: [SubtitleBoxLayer],
                               settings s: SubtitleBoxSettings = SubtitleBoxSettings()) -> [Int] {
        var inside: [Int] = []
        let W = frame.width, H = frame.height
        let r = max(1, Int((s.rim * Float(H) / 720).rounded()))
        let window = 3 * r
        // a pixel is divided once, by the first layer that holds it (two groups of text lines can
        // find the same box)
        var done = [Bool](repeating: false, count: layers.count > 1 ? W * H : 0)
        for l in layers {
            let (lw, lh) = (l.width, l.height)
            var glyph = [Bool](repeating: false, count: lw * lh)
            var luma = [Float](repeating: 0, count: lw * lh)   // of the frame with the box divided out
            var divided = [UInt8](repeating: 0, count: lw * lh * 3)
            for y in 0..<lh {
                for x in 0..<lw {
                    let t = l.transmission[y * lw + x], p = ((y + l.y0) * W + x + l.x0) * 3, q = (y * lw + x) * 3
                    let k = t < 1 ? 1 / max(t, s.minTransmission) : 1
                    for c in 0..<3 { divided[q + c] = UInt8(min(Float(frame.pixels[p + c]) * k, 255).rounded()) }
                    luma[y * lw + x] = 0.299 * Float(divided[q]) + 0.587 * Float(divided[q + 1]) + 0.114 * Float(divided[q + 2])
                    guard t < 1 else { continue }
                    let brightest = Float(max(frame.pixels[p], frame.pixels[p + 1], frame.pixels[p + 2]))
                    if brightest > s.glyphThreshold(transmission: t) { glyph[y * lw + x] = true }
                }
            }
            // faint glyphs the head found: brighter than the mean around them once divided
            var integral = [Double](repeating: 0, count: (lw + 1) * (lh + 1))
            for y in 0..<lh {
                var row: Double = 0
                for x in 0..<lw { row += Double(luma[y * lw + x]); integral[(y + 1) * (lw + 1) + x + 1] = integral[y * (lw + 1) + x + 1] + row }
            }
            for y in 0..<lh {
                for x in 0..<lw where !glyph[y * lw + x] && l.transmission[y * lw + x] < 1 && alpha.values[(y + l.y0) * W + x + l.x0] >= s.glyph {
                    let (ya, yb, xa, xb) = (max(0, y - window), min(lh, y + window + 1), max(0, x - window), min(lw, x + window + 1))
                    let sum = integral[yb * (lw + 1) + xb] - integral[ya * (lw + 1) + xb] - integral[yb * (lw + 1) + xa] + integral[ya * (lw + 1) + xa]
                    let mean = Float(sum / Double((yb - ya) * (xb - xa)))
                    if luma[y * lw + x] - mean > s.fadingContrast { glyph[y * lw + x] = true }
                }
            }
            var grown = [Bool](repeating: false, count: lw * lh)
            for y in 0..<lh {
                for x in 0..<lw where glyph[y * lw + x] {
                    for yy in max(0, y - r)...min(lh - 1, y + r) {
                        for xx in max(0, x - r)...min(lw - 1, x + r) { grown[yy * lw + xx] = true }
                    }
                }
            }
            for y in 0..<lh where y + l.y0 < H {
                for x in 0..<lw where l.transmission[y * lw + x] < 1 {
                    let i = (y + l.y0) * W + x + l.x0
                    if !done.isEmpty { if done[i] { continue }; done[i] = true }
                    inside.append(i)
                    alpha.values[i] = grown[y * lw + x] || l.sides[y * lw + x] ? 1 : 0
                    for c in 0..<3 { frame.pixels[i * 3 + c] = divided[(y * lw + x) * 3 + c] }
                }
            }
        }
        return inside
    }
}

// The line cue of the occlusion map: burned-in subtitles are lines of text, so every part of a
// subtitle either is itself line-shaped (a word, a connected outline, a box: at least twice as wide
// as tall), or wide (a block of two lines joined by their accents or shadow: at least a twelfth of
// the frame's width), or has a neighbour beside it on the same line (a CJK character, a short
// word) or in the same column (vertical text). A lone compact blob of α (a yellow cone, a sign, a
// person's bright jacket) is none of these, and α goes back to exactly 0 there.
// No reference implementation: a rule of this project (MODEL_CARD.md "Line cue"), applied after
// the static-scene cue. Cost: one pass over α, union-find on the cell grid, and a pairwise test of
// the components (a kept component stops at its first neighbour).

public struct TextLineFilter: Sendable, Equatable {
    /// Cell edge in pixels: α is grouped on a grid of cells (a cell is "on" when any α > 0 in it).
    public var cell: Int = 4
    /// A component at least this many times as wide as tall is line-shaped and kept.
    public var lineAspect: Int = 2
    /// Neighbours on the same line: gap at most this many times the taller one's height.
    public var gapFactor: Int = 2
    /// A component at least this share of the frame's width wide is kept whatever its shape.
    public var wideFraction: Double = 1.0 / 12

    public init() {}

    /// Bounding box of one 8-connected component of "on" cells (inclusive cell coordinates).
    struct Component { var x0: Int, y0: Int, x1: Int, y1: Int
        var width: Int { x1 - x0 + 1 }
        var height: Int { y1 - y0 + 1 }
    }

    /// Whether component `a` is kept given all components of the frame.
    func keeps(_ a: Component, among all: [Component], index: Int, frameColumns: Int) -> Bool {
        if a.width >= lineAspect * a.height || Double(a.width) >= wideFraction * Double(frameColumns) { return true }
        for (j, b) in all.enumerated() where j != index {
            // same line: the rows overlap by half the smaller height, the gap is at most gapFactor·height
            let rowOverlap = min(a.y1, b.y1) - max(a.y0, b.y0) + 1
            let colGap = max(a.x0, b.x0) - min(a.x1, b.x1) - 1
            if 2 * rowOverlap >= min(a.height, b.height), colGap <= gapFactor * max(a.height, b.height) { return true }
            // same column (vertical text)
            let colOverlap = min(a.x1, b.x1) - max(a.x0, b.x0) + 1
            let rowGap = max(a.y0, b.y0) - min(a.y1, b.y1) - 1
            if 2 * colOverlap >= min(a.width, b.width), rowGap <= gapFactor * max(a.width, b.width) { return true }
        }
        return false
    }
}

extension AlphaMap {
    /// The 8-connected components of the cells (`cell`×`cell` pixels) holding any α > `above`:
    /// their bounding boxes in cell coordinates, each "on" cell's component (−1 elsewhere), and
    /// the grid's columns. Shared by the line cue and the box finder (`SubtitleBoxFinder`).
    func cellComponents(cell c: Int, above: Float = 0) -> (components: [TextLineFilter.Component], label: [Int32], columns: Int) {
        let cols = (width + c - 1) / c, rows = (height + c - 1) / c
        let on = occupiedCells(cell: c, above: above)
        guard on.contains(true) else { return ([], [], cols) }
        // 8-connected components by union-find over the "on" cells
        var parent = [Int32](repeating: -1, count: cols * rows)
        func find(_ i: Int) -> Int {
            var r = i
            while Int(parent[r]) != r { r = Int(parent[r]) }
            var k = i
            while Int(parent[k]) != r { let n = Int(parent[k]); parent[k] = Int32(r); k = n }
            return r
        }
        for y in 0..<rows {
            for x in 0..<cols where on[y * cols + x] {
                let i = y * cols + x
                parent[i] = Int32(i)
                for (dx, dy) in [(-1, 0), (-1, -1), (0, -1), (1, -1)] {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, nx < cols, ny >= 0, on[ny * cols + nx] else { continue }
                    let a = find(i), b = find(ny * cols + nx)
                    if a != b { parent[max(a, b)] = Int32(min(a, b)) }
                }
            }
        }
        var slot = [Int: Int]()
        var comps: [TextLineFilter.Component] = []
        var label = [Int32](repeating: -1, count: cols * rows)
        for y in 0..<rows {
            for x in 0..<cols where on[y * cols + x] {
                let root = find(y * cols + x)
                let k: Int
                if let s = slot[root] { k = s } else {
                    k = comps.count; slot[root] = k
                    comps.append(.init(x0: x, y0: y, x1: x, y1: y))
                }
                label[y * cols + x] = Int32(k)
                comps[k].x0 = min(comps[k].x0, x); comps[k].x1 = max(comps[k].x1, x)
                comps[k].y0 = min(comps[k].y0, y); comps[k].y1 = max(comps[k].y1, y)
            }
        }
        return (comps, label, cols)
    }

    /// Sets α to 0 on every component `filter` does not keep; returns how many were removed.
    @discardableResult
    public mutating func keepTextLines(_ filter: TextLineFilter = TextLineFilter()) -> Int {
        let c = filter.cell, w = width
        let (comps, label, cols) = cellComponents(cell: c)
        guard !comps.isEmpty else { return 0 }
        let drop = comps.indices.map { !filter.keeps(comps[$0], among: comps, index: $0, frameColumns: cols) }
        let removed = drop.filter { $0 }.count
        guard removed > 0 else { return 0 }
        values.withUnsafeMutableBufferPointer { v in
            for k in comps.indices where drop[k] {
                let b = comps[k]
                for y in (b.y0 * c)..<min(height, (b.y1 + 1) * c) {
                    let rowBase = (y / c) * cols, dst = y * w
                    for x in (b.x0 * c)..<min(w, (b.x1 + 1) * c) where label[rowBase + x / c] == Int32(k) { v[dst + x] = 0 }
                }
            }
        }
        return removed
    }
}

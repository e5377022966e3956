// Where restoration runs (design §4 "Speed"): connected groups of active tiles, each as a
// bounding box grown by a context margin and aligned to the network's stride, clamped to the
// padded frame. Untouched tiles cost nothing.

public struct TileRegion: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
}

public enum TileRegions {
    /// Regions for `grid` (rows × cols of active tiles of size `tile`), for a frame padded to
    /// `paddedWidth`×`paddedHeight` (multiples of `align`).
    public static func regions(grid: [[Bool]], tile: Int, margin: Int, align: Int,
                               paddedWidth: Int, paddedHeight: Int) -> [TileRegion] {
        let rows = grid.count, cols = grid.first?.count ?? 0
        var seen = [[Bool]](repeating: [Bool](repeating: false, count: cols), count: rows)
        var out: [TileRegion] = []
        for r in 0..<rows { for c in 0..<cols where grid[r][c] && !seen[r][c] {
            // Flood fill (8-connected) the component, tracking its tile bounds.
            var stack = [(r, c)], (r0, r1, c0, c1) = (r, r, c, c)
            seen[r][c] = true
            while let (rr, cc) = stack.popLast() {
                r0 = min(r0, rr); r1 = max(r1, rr); c0 = min(c0, cc); c1 = max(c1, cc)
                for dr in -1...1 { for dc in -1...1 {
                    let (nr, nc) = (rr + dr, cc + dc)
                    if nr >= 0, nr < rows, nc >= 0, nc < cols, grid[nr][nc], !seen[nr][nc] { seen[nr][nc] = true; stack.append((nr, nc)) }
                } }
            }
            out.append(box(x0: c0 * tile - margin, y0: r0 * tile - margin, x1: (c1 + 1) * tile + margin,
                           y1: (r1 + 1) * tile + margin, align: align, pw: paddedWidth, ph: paddedHeight))
        } }
        return out
    }

    static func box(x0: Int, y0: Int, x1: Int, y1: Int, align: Int, pw: Int, ph: Int) -> TileRegion {
        func span(_ a: Int, _ b: Int, _ limit: Int) -> (Int, Int) {
            var lo = max(0, a) / align * align
            var len = (min(limit, b) - lo + align - 1) / align * align
            len = min(len, limit)
            if lo + len > limit { lo = limit - len }
            return (lo, len)
        }
        let (x, w) = span(x0, x1, pw), (y, h) = span(y0, y1, ph)
        return TileRegion(x: x, y: y, width: w, height: h)
    }
}

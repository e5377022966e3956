// The occlusion map at inference (design §4 "Speed"; CLEAR §3.3 occlusion guidance): α from the
// half-resolution head, small values set to exactly 0, a 3×3 dilation (so anti-aliased fringes are
// kept), bilinear upsampling to full resolution, the thresholding again (with a linear stretch of
// [threshold, full] to [0, 1]), so α is exactly 0
// wherever there is no subtitle. Also the tile grid of where α > 0.
import ClearPipeline
import ClearTensor

public struct AlphaMap {
    public let width: Int
    public let height: Int
    /// Row-major α in [0, 1], exactly 0 where untouched.
    public var values: [Float]

    public var isEmpty: Bool { !values.contains { $0 > 0 } }

    /// From half-resolution probabilities [1, 1, h, w] to a `width`×`height` map (cropped from
    /// the upsampled 2h×2w map; width ≤ 2w, height ≤ 2h).
    /// Values from `threshold` to `full` are stretched linearly to 0…1 (the head is under-confident:
    /// its α on solid text stays below 0.9); below `threshold` α is exactly 0.
    public init(halfProbabilities p: Tensor, width: Int, height: Int, threshold: Float, full: Float = 1) throws {
        try self.init(headProbabilities: p, factor: 2, width: width, height: height, threshold: threshold, full: full)
    }

    /// The same from probabilities at 1/`factor` of the frame's resolution (the head runs at a
    /// coarser scale on large frames, `LiteEngine.headFactor`): the dilation stays 3×3 at the
    /// head's resolution, the upsampling is bilinear ×`factor`.
    public init(headProbabilities p: Tensor, factor: Int, width: Int, height: Int, threshold: Float, full: Float = 1) throws {
        let (h, w) = (p.shape[2], p.shape[3])
        precondition(factor >= 1 && width <= factor * w && height <= factor * h,
                     "AlphaMap: \(width)x\(height) is larger than \(factor) times the \(w)x\(h) map")
        let src = p.toF32()
        // 3×3 dilation of the values at or above the threshold (others count as 0), done as a
        // horizontal then a vertical max (max is exact, so this equals the 3×3 window's max)
        var kept = [Float](repeating: 0, count: h * w), dil = [Float](repeating: 0, count: h * w)
        var rowActive = [Bool](repeating: false, count: h)   // a dilated row holding any α > 0
        let s = UnsafePointer(src.f32)
        kept.withUnsafeMutableBufferPointer { kp in
            let k = kp.baseAddress!
            parallelFor(h, minChunk: 16) { rows in
                for y in rows {
                    let row = s + y * w, out = k + y * w
                    for x in 0..<w {
                        var m: Float = 0
                        for xx in max(0, x - 1)...min(w - 1, x + 1) where row[xx] >= threshold { m = max(m, row[xx]) }
                        out[x] = m
                    }
                }
            }
            dil.withUnsafeMutableBufferPointer { dp in
                rowActive.withUnsafeMutableBufferPointer { ap in
                    let d = dp.baseAddress!, active = ap.baseAddress!
                    parallelFor(h, minChunk: 16) { rows in
                        for y in rows {
                            let out = d + y * w
                            var any = false
                            for yy in max(0, y - 1)...min(h - 1, y + 1) {
                                let row = UnsafePointer(k) + yy * w
                                for x in 0..<w where row[x] > out[x] { out[x] = row[x]; any = true }
                            }
                            active[y] = any
                        }
                    }
                }
            }
        }
        src.keepAlive()
        // bilinear ×factor upsampling (`Ops.resize`'s taps and arithmetic: half-pixel centres), then
        // the threshold and stretch; an output row whose two source rows are all 0 stays 0 (for
        // a threshold ≥ 0, which 0 does not exceed)
        let skipsEmptyRows = threshold >= 0
        self.width = width; self.height = height
        var v = [Float](repeating: 0, count: width * height)
        let ty = resizeTapsBilinear(factor * h, h), tx = resizeTapsBilinear(factor * w, w)
        let scale = 1 / max(full - threshold, 1e-3)
        dil.withUnsafeBufferPointer { dp in
            v.withUnsafeMutableBufferPointer { vp in
                let d = dp.baseAddress!, out = vp.baseAddress!
                parallelFor(height, minChunk: 16) { rows in
                    for y in rows {
                        let (y0, y1, wy) = ty[y]
                        guard !skipsEmptyRows || rowActive[y0] || rowActive[y1] else { continue }
                        let r0 = d + y0 * w, r1 = d + y1 * w, o = out + y * width
                        for x in 0..<width {
                            let (x0, x1, wx) = tx[x]
                            let top = r0[x0] + (r0[x1] - r0[x0]) * wx
                            let bot = r1[x0] + (r1[x1] - r1[x0]) * wx
                            let a = top + (bot - top) * wy
                            o[x] = a > threshold ? min((a - threshold) * scale, 1) : 0
                        }
                    }
                }
            }
        }
        values = v
    }

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height)
        self.width = width; self.height = height; self.values = values
    }

    /// Sets α to 0 in the blocks `scene` marks static (scenery that stayed unchanged for seconds).
    public mutating func suppress(_ scene: StaticSceneMap) {
        precondition(scene.width == width && scene.height == height, "AlphaMap.suppress: map size differs")
        let (b, w, h, columns) = (scene.blockSize, width, height, scene.columns)
        values.withUnsafeMutableBufferPointer { vb in scene.isStatic.withUnsafeBufferPointer { sb in
            let (v, isStatic) = (vb.baseAddress!, sb.baseAddress!)
            parallelFor(scene.rows, minChunk: 8) { blockRows in   // block rows cover disjoint pixel rows
                for r in blockRows {
                    for c in 0..<columns where isStatic[r * columns + c] {
                        for y in (r * b)..<min(h, (r + 1) * b) {
                            (v + y * w + c * b).update(repeating: 0, count: min(w, (c + 1) * b) - c * b)
                        }
                    }
                }
            }
        } }
    }

    /// Tiles (tile×tile) containing any α > 0, as a grid of booleans [rows][cols].
    public func activeTiles(tile: Int) -> [[Bool]] {
        let cols = (width + tile - 1) / tile
        let flat = occupiedCells(cell: tile)
        return stride(from: 0, to: flat.count, by: cols).map { Array(flat[$0..<($0 + cols)]) }
    }

    /// Row-major flags over a grid of `cell`×`cell` cells: true where any α in the cell exceeds
    /// `above`. Rows of cells run in parallel, each on one thread.
    func occupiedCells(cell c: Int, above: Float = 0) -> [Bool] {
        let cols = (width + c - 1) / c, rows = (height + c - 1) / c
        let (w, h) = (width, height)
        var on = [Bool](repeating: false, count: cols * rows)
        values.withUnsafeBufferPointer { vb in on.withUnsafeMutableBufferPointer { ob in
            let (v, cells) = (vb.baseAddress!, ob.baseAddress!)
            parallelFor(rows, minChunk: 4) { cellRows in
                for r in cellRows {
                    for y in (r * c)..<min(h, (r + 1) * c) {
                        let row = v + y * w
                        for x in 0..<w where row[x] > above { cells[r * cols + x / c] = true }
                    }
                }
            }
        } }
        return on
    }
}

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
        let (h, w) = (p.shape[2], p.shape[3])
        let src = p.toF32()
        let dil = Tensor(shape: [1, 1, h, w], dtype: .f32, zeroed: false)
        let s = src.f32, d = dil.f32
        parallelFor(h, minChunk: 8) { rows in
            for y in rows {
                for x in 0..<w {
                    var m: Float = 0
                    for yy in max(0, y - 1)...min(h - 1, y + 1) {
                        for xx in max(0, x - 1)...min(w - 1, x + 1) {
                            let v = s[yy * w + xx]
                            if v >= threshold { m = max(m, v) }
                        }
                    }
                    d[y * w + x] = m
                }
            }
        }
        src.keepAlive()
        let up = try Ops.resize(dil, height: 2 * h, width: 2 * w, mode: .bilinear)
        self.width = width; self.height = height
        var v = [Float](repeating: 0, count: width * height)
        let u = up.f32, scale = 1 / max(full - threshold, 1e-3)
        v.withUnsafeMutableBufferPointer { vp in
            parallelFor(height, minChunk: 16) { rows in
                for y in rows { for x in 0..<width {
                    let a = u[y * 2 * w + x]
                    vp[y * width + x] = a > threshold ? min((a - threshold) * scale, 1) : 0
                } }
            }
        }
        up.keepAlive()
        values = v
    }

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height)
        self.width = width; self.height = height; self.values = values
    }

    /// Sets α to 0 in the blocks `scene` marks static (scenery that stayed unchanged for seconds).
    public mutating func suppress(_ scene: StaticSceneMap) {
        precondition(scene.width == width && scene.height == height, "AlphaMap.suppress: map size differs")
        let b = scene.blockSize
        values.withUnsafeMutableBufferPointer { v in
            for r in 0..<scene.rows {
                for c in 0..<scene.columns where scene.isStatic[r * scene.columns + c] {
                    for y in (r * b)..<min(height, (r + 1) * b) {
                        for x in (c * b)..<min(width, (c + 1) * b) { v[y * width + x] = 0 }
                    }
                }
            }
        }
    }

    /// Tiles (tile×tile) containing any α > 0, as a grid of booleans [rows][cols].
    public func activeTiles(tile: Int) -> [[Bool]] {
        let rows = (height + tile - 1) / tile, cols = (width + tile - 1) / tile
        var grid = [[Bool]](repeating: [Bool](repeating: false, count: cols), count: rows)
        for y in 0..<height {
            let r = y / tile
            for x in 0..<width where values[y * width + x] > 0 { grid[r][x / tile] = true }
        }
        return grid
    }
}

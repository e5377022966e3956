// Input preparation shared by training and inference (design §4 "temporal consistency"):
// frames as planar floats in [0, 1], the half-resolution window, and the occlusion input
// (centre frame + mean absolute difference to its neighbours, which is small on static overlays
// over a moving background — CLEAR §3.1's observation that neighbours reveal the background).
import ClearTensor
import ClearMedia

public enum LiteFeatures {
    /// RGB bytes (interleaved) of a `w`×`h` region at (x0, y0) of `frame` → planar [3, h, w] floats
    /// written at `dst`; coordinates outside the frame are clamped (edge replication).
    static func planar(_ frame: RGBFrame, x0: Int, y0: Int, w: Int, h: Int, into dst: UnsafeMutablePointer<Float>) {
        let plane = w * h
        frame.pixels.withUnsafeBufferPointer { px in
            parallelFor(h, minChunk: 16) { rows in
                for y in rows {
                    let sy = min(max(y0 + y, 0), frame.height - 1)
                    for x in 0..<w {
                        let sx = min(max(x0 + x, 0), frame.width - 1)
                        let s = (sy * frame.width + sx) * 3
                        let d = y * w + x
                        dst[d] = Float(px[s]) / 255
                        dst[plane + d] = Float(px[s + 1]) / 255
                        dst[2 * plane + d] = Float(px[s + 2]) / 255
                    }
                }
            }
        }
    }

    /// Window tensor [1, 15, h, w] of a region from 5 frames.
    public static func window(_ frames: [RGBFrame], x0: Int, y0: Int, w: Int, h: Int) -> Tensor {
        precondition(frames.count == LiteArchitecture.window)
        let t = Tensor(shape: [1, 3 * frames.count, h, w], dtype: .f32, zeroed: false)
        for (i, f) in frames.enumerated() { planar(f, x0: x0, y0: y0, w: w, h: h, into: t.f32 + i * 3 * w * h) }
        return t
    }

    /// Occlusion input [N, 6, h/2, w/2] from a window [N, 15, h, w] (h, w even).
    public static func occlusionInput(window: Tensor) throws -> Tensor {
        let half = try Ops.pool2d(window, kernel: 2, mode: .average).out
        return occlusionInput(halfWindow: half)
    }

    /// Occlusion input from an already half-resolution window [N, 15, h, w].
    public static func occlusionInput(halfWindow half: Tensor) -> Tensor {
        let (n, h, w) = (half.shape[0], half.shape[2], half.shape[3])
        let frames = half.shape[1] / 3, centre = frames / 2
        let plane = h * w
        let out = Tensor(shape: [n, 6, h, w], dtype: .f32, zeroed: false)
        let src = half.f32, dst = out.f32
        let scale = 1 / Float(max(frames - 1, 1))
        for b in 0..<n {
            let s = src + b * frames * 3 * plane, d = dst + b * 6 * plane
            for c in 0..<3 {
                let cp = s + (centre * 3 + c) * plane
                (d + c * plane).update(from: cp, count: plane)
                let dp = d + (3 + c) * plane
                parallelFor(plane, minChunk: 8192) { range in
                    for i in range {
                        var acc: Float = 0
                        for f in 0..<frames where f != centre { acc += abs(s[(f * 3 + c) * plane + i] - cp[i]) }
                        dp[i] = acc * scale
                    }
                }
            }
        }
        half.keepAlive()
        return out
    }
}

extension LiteFeatures {
    /// The centre frame of `window` [N, 15, H, W] with its `hole` pixels (N·H·W bytes, non-zero =
    /// hole) filled by `HoleFill` (push-pull, or the engine's directional fill with `directional`)
    /// — the restoration network's starting point [N, 3, H, W].
    public static func centreFill(window: Tensor, hole: [UInt8], directional: (reach: Int, sigma: Float)? = nil) throws -> Tensor {
        let (n, h, w) = (window.shape[0], window.shape[2], window.shape[3]), plane = h * w
        precondition(hole.count == n * plane)
        let c = LiteArchitecture.radius * 3
        let out = try Ops.slice(window, axis: 1, start: c, end: c + 3).copy()
        let dst = out.f32
        hole.withUnsafeBufferPointer { hp in
            parallelFor(n, minChunk: 1) { range in
                for b in range {
                    if let d = directional {
                        HoleFill.directional(dst + b * 3 * plane, channels: 3, width: w, height: h, hole: hp.baseAddress! + b * plane,
                                             reach: d.reach, sigma: d.sigma)
                    } else {
                        HoleFill.fill(dst + b * 3 * plane, channels: 3, width: w, height: h, hole: hp.baseAddress! + b * plane)
                    }
                }
            }
        }
        return out
    }
}

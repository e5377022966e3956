// Spatially tiled VAE encode/decode with linear blending at tile borders (memory bounded by the tile).
// Matches (DiffSynth 1.1.9, diffsynth/models/wan_video_vae.py): WanVideoVAE.encode/decode with
// tiled=True → tiled_encode / tiled_decode, build_1d_mask, build_mask (element-wise minimum of the
// row and column ramps), the task list with its skip rule, Σ(mask·tile)/Σ(mask), decode clamp.
// Spec: shared/spec/wan-clear-reference.md §4.4. Accumulation is float32 (the bf16 reference
// accumulates in bf16).
import ClearTensor

/// Tile geometry in latent units (CLEAR: size 30×52, stride 15×26).
public struct WanVAETiling: Sendable, Equatable {
    public var sizeH: Int, sizeW: Int, strideH: Int, strideW: Int
    public init(size: (Int, Int), stride: (Int, Int)) {
        sizeH = size.0; sizeW = size.1; strideH = stride.0; strideW = stride.1
    }
    public static let clear = WanVAETiling(size: (30, 52), stride: (15, 26))

    /// Tile starts along an axis of `length`: 0, stride, 2·stride, … skipping a start whose
    /// previous tile already reached the end.
    public static func starts(length: Int, size: Int, stride: Int) -> [Int] {
        Swift.stride(from: 0, to: length, by: stride).filter { !($0 - stride >= 0 && $0 - stride + size >= length) }
    }

    /// build_1d_mask: ones, ramps (i+1)/b at a non-leading start and mirrored at a non-trailing end.
    public static func ramp(length n: Int, leadingBound: Bool, trailingBound: Bool, border b: Int) -> [Float] {
        var x = [Float](repeating: 1, count: n)
        if b > 0 {
            if !leadingBound { for i in 0..<min(b, n) { x[i] = Float(i + 1) / Float(b) } }
            if !trailingBound { for i in 0..<min(b, n) { x[n - 1 - i] = Float(i + 1) / Float(b) } }
        }
        return x
    }
}

extension WanVAE {
    /// WanVideoVAE.tiled_encode: pixel tiles of (size·8) with stride (stride·8), each encoded with
    /// fresh caches, blended in latent space with borders (size − stride) latent.
    public func tiledEncode(_ video: Tensor, tiling: WanVAETiling = .clear) throws -> Tensor {
        let f = config.spatialFactor
        guard video.rank == 5, video.shape[0] == 1, video.shape[3] % f == 0, video.shape[4] % f == 0 else {
            throw WanVAEError.shape("tiledEncode needs [1, 3, T, H, W] with H, W multiples of \(f); got \(video.shape)")
        }
        let (t, hgt, wid) = (video.shape[2], video.shape[3], video.shape[4])
        let sz = (tiling.sizeH * f, tiling.sizeW * f), st = (tiling.strideH * f, tiling.strideW * f)
        let border = ((sz.0 - st.0) / f, (sz.1 - st.1) / f)
        return try blend(outShape: [1, config.zDim, latentFrames(t), hgt / f, wid / f], inH: hgt, inW: wid,
                         size: sz, stride: st, border: border, scale: (1, f)) { h0, h1, w0, w1 in
            try encode(crop(video, h0, h1, w0, w1))
        }
    }

    /// WanVideoVAE.tiled_decode: latent tiles, decoded with fresh caches, blended in pixel space
    /// with borders (size − stride)·8, then clamped to [-1, 1].
    public func tiledDecode(_ latents: Tensor, tiling: WanVAETiling = .clear) throws -> Tensor {
        guard latents.rank == 5, latents.shape[0] == 1, latents.shape[1] == config.zDim else {
            throw WanVAEError.shape("tiledDecode needs [1, \(config.zDim), T, h, w]; got \(latents.shape)")
        }
        let f = config.spatialFactor, tf = config.temporalFactor
        let (t, hgt, wid) = (latents.shape[2], latents.shape[3], latents.shape[4])
        let border = ((tiling.sizeH - tiling.strideH) * f, (tiling.sizeW - tiling.strideW) * f)
        let out = try blend(outShape: [1, 3, tf * t - (tf - 1), hgt * f, wid * f], inH: hgt, inW: wid,
                            size: (tiling.sizeH, tiling.sizeW), stride: (tiling.strideH, tiling.strideW),
                            border: border, scale: (f, 1)) { h0, h1, w0, w1 in
            try decode(crop(latents, h0, h1, w0, w1), clamp: false)
        }
        let p = out.f32
        for i in 0..<out.count { p[i] = min(max(p[i], -1), 1) }
        return out
    }

    private func crop(_ x: Tensor, _ h0: Int, _ h1: Int, _ w0: Int, _ w1: Int) throws -> Tensor {
        try Ops.slice(Ops.slice(x, axis: 3, start: h0, end: h1), axis: 4, start: w0, end: w1)
    }

    /// Runs `body` per tile (input coordinates) and accumulates Σ mask·tile / Σ mask into `outShape`;
    /// output offsets are input offsets · scale.0 / scale.1.
    private func blend(outShape: [Int], inH: Int, inW: Int, size: (Int, Int), stride: (Int, Int), border: (Int, Int),
                       scale: (Int, Int), body: (Int, Int, Int, Int) throws -> Tensor) throws -> Tensor {
        let values = Tensor(shape: outShape)
        let (c, t, oh, ow) = (outShape[1], outShape[2], outShape[3], outShape[4])
        var weight = [Float](repeating: 0, count: oh * ow)
        let v = values.f32
        for h0 in WanVAETiling.starts(length: inH, size: size.0, stride: stride.0) {
            for w0 in WanVAETiling.starts(length: inW, size: size.1, stride: stride.1) {
                let (h1, w1) = (h0 + size.0, w0 + size.1)
                let tile = try body(h0, min(h1, inH), w0, min(w1, inW))
                guard tile.shape[1] == c, tile.shape[2] == t else {
                    throw WanVAEError.shape("tile \(tile.shape) does not fit the output \(outShape)")
                }
                let (th, tw) = (tile.shape[3], tile.shape[4])
                let rh = WanVAETiling.ramp(length: th, leadingBound: h0 == 0, trailingBound: h1 >= inH, border: border.0)
                let rw = WanVAETiling.ramp(length: tw, leadingBound: w0 == 0, trailingBound: w1 >= inW, border: border.1)
                let (y0, x0) = (h0 * scale.0 / scale.1, w0 * scale.0 / scale.1)
                guard y0 + th <= oh, x0 + tw <= ow else { throw WanVAEError.shape("tile at (\(y0), \(x0)) of \(th)×\(tw) overruns \(oh)×\(ow)") }
                let src = UnsafePointer(tile.f32)
                for y in 0..<th {
                    for x in 0..<tw {
                        let m = min(rh[y], rw[x])
                        weight[(y0 + y) * ow + x0 + x] += m
                        for p in 0..<(c * t) {
                            v[p * oh * ow + (y0 + y) * ow + x0 + x] += src[p * th * tw + y * tw + x] * m
                        }
                    }
                }
            }
        }
        for p in 0..<(c * t) {
            for i in 0..<(oh * ow) { v[p * oh * ow + i] /= weight[i] }
        }
        return values
    }
}

// Building blocks of the Wan VAE with the reference's per-layer streaming caches (f32).
// Matches (DiffSynth 1.1.9, diffsynth/models/wan_video_vae.py): CausalConv3d (with cache_x),
// ResidualBlock.forward, AttentionBlock.forward, Resample.forward (downsample2d/3d, upsample2d/3d),
// and the feat_cache / feat_idx protocol of VideoVAE_.encode/decode (spec §4.1, §4.3).
import ClearTensor
import ClearWeights

/// The per-layer caches of one encode or decode call (one slot per cached layer, in call order).
final class WanVAECache {
    enum Slot { case frames(Tensor), firstChunkSeen }
    private var slots: [Slot?] = []
    private var index = 0

    /// Start the next chunk: slots are visited again from the first layer.
    func beginChunk() { index = 0 }

    /// The slot of the next cached layer and its index.
    func next() -> (Int, Slot?) {
        if index == slots.count { slots.append(nil) }
        defer { index += 1 }
        return (index, slots[index])
    }

    func set(_ i: Int, _ s: Slot) { slots[i] = s }
}

/// CausalConv3d: zero padding of 2·pt frames in front (none after) and ph/pw on each side in space.
struct WanVAECausalConv3d {
    let weight: Tensor, bias: Tensor
    let padT: Int, padH: Int, padW: Int, stride: [Int]

    /// `kernel` (kt, kh, kw) with the module's nominal padding (pt, ph, pw); `weight` is [O, I, kt, kh, kw] or [O, I, kh, kw] (2-D).
    init(_ s: WeightScope, out o: Int, in i: Int, kernel k: [Int], padding p: [Int], stride: [Int] = [1, 1, 1], dtype: DType) throws {
        let stored = k[0] == 0 ? [o, i, k[1], k[2]] : [o, i] + k
        let kernel = k[0] == 0 ? [1, k[1], k[2]] : k
        weight = try WanVAEOps.load(s, "weight", shape: stored, as: [o, i] + kernel, dtype: dtype)
        bias = try WanVAEOps.load(s, "bias", shape: [o])
        padT = 2 * p[0]; padH = p[1]; padW = p[2]
        self.stride = stride
    }

    var outChannels: Int { weight.shape[0] }

    /// Plain application (front padding only, no cache).
    func callAsFunction(_ x: Tensor) throws -> Tensor { try run(x, cacheFrames: 0) }

    /// `x` already holds `cacheFrames` cached frames in front; pad the rest of the causal window with zeros.
    func run(_ x: Tensor, cacheFrames: Int) throws -> Tensor {
        let front = max(0, padT - cacheFrames)
        let xp = (front > 0 || padH > 0 || padW > 0) ? try Ops.pad(x, [(front, 0), (padH, padH), (padW, padW)]) : x
        return try Ops.conv3d(xp, weight: weight, bias: bias, stride: stride)
    }

    /// The reference's cached call (ResidualBlock / Encoder3d / Decoder3d): the cache keeps the last
    /// two input frames seen so far; the conv runs on cat(cache, x).
    func cached(_ x: Tensor, _ cache: WanVAECache) throws -> Tensor {
        let (slot, prev) = cache.next()
        var prevFrames: Tensor?
        if case .frames(let f)? = prev { prevFrames = f }
        let t = x.shape[2]
        var newCache = try WanVAEOps.frames(x, max(0, t - 2), t)
        if newCache.shape[2] < 2, let p = prevFrames {
            newCache = try WanVAEOps.concatTime([WanVAEOps.frames(p, p.shape[2] - 1, p.shape[2]), newCache])
        }
        let y: Tensor
        if let p = prevFrames, padT > 0 {
            y = try run(WanVAEOps.concatTime([p, x]), cacheFrames: p.shape[2])
        } else {
            y = try run(x, cacheFrames: 0)
        }
        cache.set(slot, .frames(newCache))
        return y
    }
}

/// RMS_norm(C) followed by SiLU (the reference's `residual.0/1`, `residual.3/4`, `head.0/1`).
struct WanVAENormSiLU {
    let gamma: Tensor
    init(_ s: WeightScope, channels c: Int, images: Bool) throws {
        gamma = try WanVAEOps.load(s, "gamma", shape: images ? [c, 1, 1] : [c, 1, 1, 1], as: [c])
    }
    func callAsFunction(_ x: Tensor, silu: Bool = true) throws -> Tensor {
        let n = try WanVAEOps.channelRMSNorm(x, gamma: gamma)
        return silu ? try Ops.silu(n) : n
    }
}

/// ResidualBlock(in→out): shortcut(x) + conv(silu(rms(conv(silu(rms(x)))))).
struct WanVAEResidualBlock {
    let norm1: WanVAENormSiLU, conv1: WanVAECausalConv3d, norm2: WanVAENormSiLU, conv2: WanVAECausalConv3d
    let shortcut: WanVAECausalConv3d?

    init(_ s: WeightScope, in i: Int, out o: Int, dtype: DType) throws {
        norm1 = try WanVAENormSiLU(s.scoped("residual.0"), channels: i, images: false)
        conv1 = try WanVAECausalConv3d(s.scoped("residual.2"), out: o, in: i, kernel: [3, 3, 3], padding: [1, 1, 1], dtype: dtype)
        norm2 = try WanVAENormSiLU(s.scoped("residual.3"), channels: o, images: false)
        conv2 = try WanVAECausalConv3d(s.scoped("residual.6"), out: o, in: o, kernel: [3, 3, 3], padding: [1, 1, 1], dtype: dtype)
        shortcut = i != o ? try WanVAECausalConv3d(s.scoped("shortcut"), out: o, in: i, kernel: [1, 1, 1], padding: [0, 0, 0], dtype: dtype) : nil
    }

    func callAsFunction(_ x: Tensor, _ cache: WanVAECache) throws -> Tensor {
        let h = try shortcut.map { try $0(x) } ?? x
        var r = try conv1.cached(norm1(x), cache)
        r = try conv2.cached(norm2(r), cache)
        return try Ops.add(r, h)
    }
}

/// AttentionBlock(C): per frame, single-head attention over the H·W pixels, scale 1/√C, residual.
struct WanVAEAttentionBlock {
    let norm: WanVAENormSiLU, qkvW: Tensor, qkvB: Tensor, projW: Tensor, projB: Tensor

    init(_ s: WeightScope, channels c: Int, dtype: DType) throws {
        norm = try WanVAENormSiLU(s.scoped("norm"), channels: c, images: true)
        qkvW = try WanVAEOps.load(s, "to_qkv.weight", shape: [3 * c, c, 1, 1], as: [3 * c, c], dtype: dtype)
        qkvB = try WanVAEOps.load(s, "to_qkv.bias", shape: [3 * c], dtype: dtype)
        projW = try WanVAEOps.load(s, "proj.weight", shape: [c, c, 1, 1], as: [c, c], dtype: dtype)
        projB = try WanVAEOps.load(s, "proj.bias", shape: [c], dtype: dtype)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let (c, t, h, w) = (x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let n = try norm(x, silu: false)
        // pixels as rows: [T·H·W, C]
        let rows = try Ops.permute(n.reshaped([c, t * h * w]), [1, 0])
        let qkv = try Ops.linear(rows, weight: qkvW, bias: qkvB)  // [THW, 3C]
        let q3 = try qkv.reshaped([t, h * w, 3, c])
        func part(_ i: Int) throws -> Tensor { try Ops.slice(q3, axis: 2, start: i, end: i + 1) }  // [T, HW, 1, C]
        let o = try Ops.attention(q: part(0), k: part(1), v: part(2))
        let p = try Ops.linear(o.reshaped([t * h * w, c]), weight: projW, bias: projB)
        let back = try Ops.permute(p, [1, 0]).reshaped([1, c, t, h, w])
        return try Ops.add(back, x)
    }
}

/// Resample: downsample2d/3d (zero pad right/bottom, 3×3 stride 2 [+ time conv stride 2]) and
/// upsample2d/3d ([time conv C→2C, interleave] + nearest ×2 + 3×3 conv C→C/2).
struct WanVAEResample {
    enum Mode: String { case downsample2d, downsample3d, upsample2d, upsample3d }
    let mode: Mode
    let spatial: WanVAECausalConv3d
    let timeConv: WanVAECausalConv3d?

    init(_ s: WeightScope, channels c: Int, mode: Mode, dtype: DType) throws {
        self.mode = mode
        switch mode {
        case .downsample2d, .downsample3d:
            spatial = try WanVAECausalConv3d(s.scoped("resample.1"), out: c, in: c, kernel: [0, 3, 3], padding: [0, 0, 0], stride: [1, 2, 2], dtype: dtype)
            timeConv = mode == .downsample3d
                ? try WanVAECausalConv3d(s.scoped("time_conv"), out: c, in: c, kernel: [3, 1, 1], padding: [0, 0, 0], stride: [2, 1, 1], dtype: dtype) : nil
        case .upsample2d, .upsample3d:
            spatial = try WanVAECausalConv3d(s.scoped("resample.1"), out: c / 2, in: c, kernel: [0, 3, 3], padding: [0, 1, 1], dtype: dtype)
            timeConv = mode == .upsample3d
                ? try WanVAECausalConv3d(s.scoped("time_conv"), out: 2 * c, in: c, kernel: [3, 1, 1], padding: [1, 0, 0], dtype: dtype) : nil
        }
    }

    var outChannels: Int { spatial.outChannels }

    func callAsFunction(_ x: Tensor, _ cache: WanVAECache) throws -> Tensor {
        switch mode {
        case .downsample2d, .downsample3d:
            var y = try spatial(Ops.pad(x, [(0, 1), (0, 1)]))
            if let tc = timeConv {
                let (slot, prev) = cache.next()
                if case .frames(let p)? = prev {
                    let last = try WanVAEOps.frames(y, y.shape[2] - 1, y.shape[2])
                    y = try tc(WanVAEOps.concatTime([WanVAEOps.frames(p, p.shape[2] - 1, p.shape[2]), y]))
                    cache.set(slot, .frames(last))
                } else {
                    cache.set(slot, .frames(y))  // first chunk: stored, passed through unchanged
                }
            }
            return y
        case .upsample2d, .upsample3d:
            var y = x
            if let tc = timeConv {
                let (slot, prev) = cache.next()
                switch prev {
                case nil:
                    cache.set(slot, .firstChunkSeen)  // first chunk: no time conv
                case .firstChunkSeen?, .frames?:
                    let t = x.shape[2]
                    var newCache = try WanVAEOps.frames(x, max(0, t - 2), t)
                    var conv: Tensor
                    if case .frames(let p)? = prev {
                        if newCache.shape[2] < 2 {
                            newCache = try WanVAEOps.concatTime([WanVAEOps.frames(p, p.shape[2] - 1, p.shape[2]), newCache])
                        }
                        conv = try tc.run(WanVAEOps.concatTime([p, x]), cacheFrames: p.shape[2])
                    } else {
                        if newCache.shape[2] < 2 {
                            newCache = try WanVAEOps.concatTime([Tensor(shape: newCache.shape, dtype: newCache.dtype), newCache])
                        }
                        conv = try tc(x)  // second chunk: two zero frames in front, the first chunk is ignored
                    }
                    cache.set(slot, .frames(newCache))
                    conv = try WanVAEOps.interleaveTimePairs(conv)
                    y = conv
                }
            }
            return try spatial(WanVAEOps.upsampleNearest2x(y))
        }
    }
}

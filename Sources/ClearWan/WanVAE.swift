// The Wan 2.1 video VAE (causal 3-D, 8× space, 4× time, z_dim 16), float32.
// Matches (DiffSynth 1.1.9, diffsynth/models/wan_video_vae.py): Encoder3d / Decoder3d forward with
// feat_cache, VideoVAE_.encode (chunks of 1 then 4 frames, conv1, mu normalised by mean and 1/std),
// VideoVAE_.decode (denormalise, conv2, one latent frame per chunk) and WanVideoVAE.single_encode /
// single_decode (decode clamps to [-1, 1]). Spec: shared/spec/wan-clear-reference.md §4.1–§4.3.
import ClearTensor
import ClearWeights

/// Shapes of a Wan VAE, read from its state dict (so a tiny random model loads like the real one).
public struct WanVAEConfig: Sendable, Equatable, CustomStringConvertible {
    /// Base channel count (96 for Wan2.1_VAE.pth).
    public var dim: Int
    /// Latent channels (16).
    public var zDim: Int
    /// Encoder `downsamples` in order: a residual block (in, out) or a resample.
    public var encoderLayers: [Layer]
    /// Decoder `upsamples` in order.
    public var decoderLayers: [Layer]
    /// Channels of the middle blocks (encoder, decoder).
    public var encoderMiddle: Int, decoderMiddle: Int

    public enum Layer: Sendable, Equatable {
        case residual(in: Int, out: Int)
        case resample(mode: String, channels: Int)
    }

    /// Time compression (2 per 3-D resample).
    public var temporalFactor: Int { 1 << encoderLayers.filter { if case .resample("downsample3d", _) = $0 { return true }; return false }.count }
    /// Space compression (2 per resample).
    public var spatialFactor: Int { 1 << encoderLayers.filter { if case .resample = $0 { return true }; return false }.count }

    public var description: String {
        "WanVAE(dim \(dim), z \(zDim), \(encoderLayers.count) encoder / \(decoderLayers.count) decoder layers, ×\(spatialFactor) space, ×\(temporalFactor) time)"
    }

    /// Infer from the keys and shapes under `encoder.` / `decoder.` / `conv1` / `conv2`.
    public static func infer(from store: WeightStore) throws -> WanVAEConfig {
        guard let c1 = try store.optional("encoder.conv1.weight"), c1.shape.count == 5,
              let z2 = try store.optional("conv2.weight"), z2.shape.count == 5 else {
            throw WanVAEError.config("\(store.source) has no encoder.conv1.weight / conv2.weight of rank 5: not a Wan VAE state dict")
        }
        func layers(_ prefix: String, up: Bool) throws -> [Layer] {
            var out: [Layer] = []
            var n = 0
            while true {
                let p = "\(prefix).\(n)"
                if let w = try store.optional("\(p).residual.2.weight") {
                    out.append(.residual(in: w.shape[1], out: w.shape[0]))
                } else if let w = try store.optional("\(p).resample.1.weight") {
                    let has3d = store.contains("\(p).time_conv.weight")
                    let mode = up ? (has3d ? "upsample3d" : "upsample2d") : (has3d ? "downsample3d" : "downsample2d")
                    out.append(.resample(mode: mode, channels: w.shape[1]))
                } else if store.keys(withPrefix: p + ".").isEmpty {
                    break
                } else {
                    throw WanVAEError.config("\(p) is neither a residual block nor a resample (keys \(store.keys(withPrefix: p + ".").prefix(4)))")
                }
                n += 1
            }
            return out
        }
        func middle(_ prefix: String) throws -> Int {
            try store.tensor("\(prefix).middle.0.residual.2.weight", shape: [-1, -1, 3, 3, 3]).shape[0]
        }
        return WanVAEConfig(dim: c1.shape[0], zDim: z2.shape[0],
                            encoderLayers: try layers("encoder.downsamples", up: false),
                            decoderLayers: try layers("decoder.upsamples", up: true),
                            encoderMiddle: try middle("encoder"), decoderMiddle: try middle("decoder"))
    }
}

/// Encoder3d or Decoder3d: conv1, layers, middle (res, attention, res), head (norm, SiLU, conv).
struct WanVAECoder {
    enum Block { case residual(WanVAEResidualBlock), resample(WanVAEResample) }
    let conv1: WanVAECausalConv3d
    let blocks: [Block]
    let middle0: WanVAEResidualBlock, middleAttn: WanVAEAttentionBlock, middle2: WanVAEResidualBlock
    let headNorm: WanVAENormSiLU, headConv: WanVAECausalConv3d

    init(_ s: WeightScope, inChannels: Int, outChannels: Int, layers: [WanVAEConfig.Layer], middle m: Int, listName: String,
         decoder: Bool, dtype: DType) throws {
        let first: Int
        if decoder { first = m } else if case .residual(let i, _)? = layers.first { first = i } else { first = m }
        conv1 = try WanVAECausalConv3d(s.scoped("conv1"), out: first, in: inChannels, kernel: [3, 3, 3], padding: [1, 1, 1], dtype: dtype)
        var blocks: [Block] = []
        for (n, l) in layers.enumerated() {
            let ls = s.scoped("\(listName).\(n)")
            switch l {
            case .residual(let i, let o): blocks.append(.residual(try WanVAEResidualBlock(ls, in: i, out: o, dtype: dtype)))
            case .resample(let mode, let c):
                guard let md = WanVAEResample.Mode(rawValue: mode) else { throw WanVAEError.config("unknown resample \(mode)") }
                blocks.append(.resample(try WanVAEResample(ls, channels: c, mode: md, dtype: dtype)))
            }
        }
        self.blocks = blocks
        var last = m
        if !decoder, let l = layers.last { if case .residual(_, let o) = l { last = o } else if case .resample(_, let c) = l { last = c } }
        middle0 = try WanVAEResidualBlock(s.scoped("middle.0"), in: last, out: m, dtype: dtype)
        middleAttn = try WanVAEAttentionBlock(s.scoped("middle.1"), channels: m, dtype: dtype)
        middle2 = try WanVAEResidualBlock(s.scoped("middle.2"), in: m, out: m, dtype: dtype)
        var headIn = m
        if decoder, let l = layers.last {
            switch l {
            case .residual(_, let o): headIn = o
            case .resample(_, let c): headIn = c / 2
            }
        }
        headNorm = try WanVAENormSiLU(s.scoped("head.0"), channels: headIn, images: false)
        headConv = try WanVAECausalConv3d(s.scoped("head.2"), out: outChannels, in: headIn, kernel: [3, 3, 3], padding: [1, 1, 1], dtype: dtype)
        self.decoder = decoder
    }
    let decoder: Bool

    /// One chunk through the coder (encoder: layers before middle; decoder: middle before layers).
    /// `tap` sees the output of every layer of the `downsamples`/`upsamples` list (tests).
    func forward(_ x: Tensor, _ cache: WanVAECache, tap: ((Int, Tensor) -> Void)? = nil) throws -> Tensor {
        var h = try conv1.cached(x, cache)
        func mid(_ h: Tensor) throws -> Tensor { try middle2(middleAttn(middle0(h, cache)), cache) }
        if decoder { h = try mid(h) }
        for (n, b) in blocks.enumerated() {
            switch b {
            case .residual(let r): h = try r(h, cache)
            case .resample(let r): h = try r(h, cache)
            }
            tap?(n, h)
        }
        if !decoder { h = try mid(h) }
        return try headConv.cached(headNorm(h), cache)
    }
}

/// Wan VAE: `encode` video [1, 3, T, H, W] in [-1, 1] to normalised latents [1, z, 1+(T−1)/4, H/8, W/8];
/// `decode` the reverse to [1, 3, 4·T_lat−3, 8h, 8w].
public final class WanVAE: @unchecked Sendable {
    public let config: WanVAEConfig
    /// Compute dtype of weights and activations.
    public let dtype: DType
    let encoder: WanVAECoder, decoder: WanVAECoder
    let conv1: WanVAECausalConv3d, conv2: WanVAECausalConv3d

    /// Per-channel latent mean and std of Wan2.1 (WanVideoVAE.__init__).
    public static let latentMean: [Float] = [-0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
                                             0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921]
    public static let latentStd: [Float] = [2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
                                            3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160]

    /// Loads `Wan2.1_VAE.pth` (or any Wan VAE state dict; a `model_state` wrapper is accepted).
    public convenience init(path: String, dtype: DType = .f32) throws {
        try self.init(store: WeightStore(path: path, wrappers: KeyMap.wrapperKeys + ["model_state"]), dtype: dtype)
    }

    /// `dtype` .bf16 keeps weights and activations in bfloat16 (convolutions accumulate in f32,
    /// norms are computed in f32), like the reference under torch_dtype=bfloat16; latent
    /// normalisation, tile blending and outputs are f32.
    public init(store: WeightStore, dtype: DType = .f32) throws {
        let cfg = try WanVAEConfig.infer(from: store)
        config = cfg
        self.dtype = dtype
        guard cfg.zDim == WanVAE.latentMean.count else {
            throw WanVAEError.config("z_dim \(cfg.zDim) has no latent mean/std (only 16 is known)")
        }
        let root = store.scoped("")
        encoder = try WanVAECoder(root.scoped("encoder"), inChannels: 3, outChannels: 2 * cfg.zDim, layers: cfg.encoderLayers,
                                  middle: cfg.encoderMiddle, listName: "downsamples", decoder: false, dtype: dtype)
        decoder = try WanVAECoder(root.scoped("decoder"), inChannels: cfg.zDim, outChannels: 3, layers: cfg.decoderLayers,
                                  middle: cfg.decoderMiddle, listName: "upsamples", decoder: true, dtype: dtype)
        conv1 = try WanVAECausalConv3d(root.scoped("conv1"), out: 2 * cfg.zDim, in: 2 * cfg.zDim, kernel: [1, 1, 1], padding: [0, 0, 0], dtype: dtype)
        conv2 = try WanVAECausalConv3d(root.scoped("conv2"), out: cfg.zDim, in: cfg.zDim, kernel: [1, 1, 1], padding: [0, 0, 0], dtype: dtype)
        let unused = store.unusedKeys
        guard unused.isEmpty else { throw WanVAEError.config("unused tensors in \(store.source): \(unused.prefix(8))") }
    }

    /// Number of latent frames for `frames` pixel frames (frames beyond 1+4k are dropped, as in the reference).
    public func latentFrames(_ frames: Int) -> Int { 1 + (frames - 1) / config.temporalFactor }

    /// VideoVAE_.encode: frame 0 alone, then chunks of 4 frames through the cached encoder; conv1; mu;
    /// (mu − mean)·(1/std).
    public func encode(_ video: Tensor) throws -> Tensor {
        let f = config.spatialFactor, tf = config.temporalFactor
        guard video.rank == 5, video.shape[0] == 1, video.shape[1] == 3, video.shape[2] >= 1,
              video.shape[3] % f == 0, video.shape[4] % f == 0 else {
            throw WanVAEError.shape("encode needs [1, 3, T, H, W] with H, W multiples of \(f); got \(video.shape)")
        }
        let x = video.to(dtype)
        let cache = WanVAECache()
        var outs: [Tensor] = []
        for i in 0..<latentFrames(x.shape[2]) {
            cache.beginChunk()
            let chunk = i == 0 ? try WanVAEOps.frames(x, 0, 1) : try WanVAEOps.frames(x, 1 + tf * (i - 1), 1 + tf * i)
            outs.append(try encoder.forward(chunk, cache))
        }
        let h = try conv1(WanVAEOps.concatTime(outs))
        let mu = try Ops.slice(h, axis: 1, start: 0, end: config.zDim).toF32()  // a fresh tensor either way
        let (z, plane) = (config.zDim, mu.count / config.zDim)
        let p = mu.f32
        for c in 0..<z {
            let m = WanVAE.latentMean[c], inv = Float(1) / WanVAE.latentStd[c]
            for i in 0..<plane { p[c * plane + i] = (p[c * plane + i] - m) * inv }
        }
        return mu
    }

    /// VideoVAE_.decode (+ WanVideoVAE.single_decode's clamp when `clamp`): z/(1/std)+mean, conv2,
    /// then one latent frame at a time through the cached decoder.
    public func decode(_ latents: Tensor, clamp: Bool = true) throws -> Tensor {
        try decode(latents, clamp: clamp, tap: nil)
    }

    func decode(_ latents: Tensor, clamp: Bool, tap: ((Int, Tensor) -> Void)?) throws -> Tensor {
        guard latents.rank == 5, latents.shape[0] == 1, latents.shape[1] == config.zDim, latents.shape[2] >= 1 else {
            throw WanVAEError.shape("decode needs [1, \(config.zDim), T, h, w]; got \(latents.shape)")
        }
        let z = latents.toF32().copy()
        let plane = z.count / config.zDim, p = z.f32
        for c in 0..<config.zDim {
            let m = WanVAE.latentMean[c], inv = Float(1) / WanVAE.latentStd[c]
            for i in 0..<plane { p[c * plane + i] = p[c * plane + i] / inv + m }
        }
        let x = try conv2(z.to(dtype))
        let cache = WanVAECache()
        var outs: [Tensor] = []
        for i in 0..<x.shape[2] {
            cache.beginChunk()
            outs.append(try decoder.forward(WanVAEOps.frames(x, i, i + 1), cache, tap: tap))
        }
        let y = try WanVAEOps.concatTime(outs).toF32()  // fresh: concat, conversion, or the decoder's own output
        if clamp {
            let q = y.f32
            for i in 0..<y.count { q[i] = min(max(q[i], -1), 1) }
        }
        return y
    }
}

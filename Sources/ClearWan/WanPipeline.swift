// CLEAR's generation on one clip of model-resolution frames: Fun-Control conditioning, the
// flow-match loop over the DiT (with its temporal sliding window), VAE decode.
// Matches: DiffSynth 1.1.9 `WanVideoPipeline.__call__` in `diffsynth.pipelines.wan_video_new` as CLEAR
// calls it (spec §1, §6, §7): noise [1, 16, T_lat, H/8, W/8] from a seeded CPU generator;
// `WanVideoUnit_FunControl`: control_latents = VAE.encode(preprocess_video(frames)) (tiled),
// y = [control_latents | zeros(in_dim − 32)], zero CLIP feature; the loop (`FlowMatchLoop`); tiled
// decode clamped to [-1, 1]; `vae_output_to_video` (WanVideoTensor).
import ClearTensor

/// The knobs of one generation (CLEAR's values by default).
public struct WanPipelineSettings: Sendable, Equatable {
    public var steps = 5
    public var cfgScale: Float = 1
    public var shift: Float = 5
    /// DiffSynth's sliding window in latent frames (size ≤ 0: the whole clip in one DiT call).
    public var windowSize = 0
    public var windowStride = 0
    /// VAE tiling in latent units; nil encodes and decodes untiled.
    public var tiling: WanVAETiling? = .clear
    public init() {}
}

/// What one generation produced.
public struct WanPipelineResult {
    /// [1, 16, T_lat, h, w]: the encoded control video.
    public let controlLatents: Tensor
    /// [1, 16, T_lat, h, w]: the latents after the last step.
    public let latents: Tensor
    /// [1, 3, 4·T_lat − 3, H, W] in [-1, 1].
    public let video: Tensor
}

public final class WanPipeline {
    public let dit: WanDiT
    public let vae: WanVAE
    public let positive: WanDiTConditioning
    public let negative: WanDiTConditioning?
    public var settings: WanPipelineSettings

    /// `context` [512, text_dim] of the prompt; `negativeContext` is needed when cfg ≠ 1 (the empty negative prompt).
    public init(dit: WanDiT, vae: WanVAE, context: Tensor, negativeContext: Tensor? = nil, settings: WanPipelineSettings = WanPipelineSettings()) throws {
        guard dit.config.outDim == vae.config.zDim, dit.config.inDim >= 2 * vae.config.zDim else {
            throw WanDiTError.config("DiT (in \(dit.config.inDim), out \(dit.config.outDim)) and VAE (z \(vae.config.zDim)) do not fit together: "
                + "Fun-Control needs in_dim ≥ 2·z_dim (use Wan2.1-Fun-V1.1-1.3B-Control, not the T2V DiT)")
        }
        guard settings.cfgScale == 1 || negativeContext != nil else {
            throw WanPipelineError.invalidOption("cfg scale \(settings.cfgScale) ≠ 1 needs the negative prompt's context")
        }
        self.dit = dit; self.vae = vae; self.settings = settings
        positive = try dit.conditioning(context: context)
        negative = try negativeContext.map { try dit.conditioning(context: $0) }
    }

    /// Latent shape [1, z, T_lat, H/8, W/8] of a [1, 3, T, H, W] video.
    public func latentShape(video: Tensor) -> [Int] {
        let f = vae.config.spatialFactor
        return [1, vae.config.zDim, vae.latentFrames(video.shape[2]), video.shape[3] / f, video.shape[4] / f]
    }

    /// Initial noise as the reference draws it for `seed` (torch.randn on a seeded CPU generator, float32).
    public func noise(video: Tensor, seed: UInt64) throws -> Tensor {
        try FlowMatchNoise.latents(shape: latentShape(video: video), seed: seed)
    }

    /// WanVideoUnit_FunControl: the control latents and y = [control | zeros].
    public func conditioning(video: Tensor) throws -> (control: Tensor, y: Tensor) {
        let control = try settings.tiling.map { try vae.tiledEncode(video, tiling: $0) } ?? vae.encode(video)
        let extra = dit.config.inDim - dit.config.outDim - control.shape[1]
        guard extra >= 0 else { throw WanDiTError.config("DiT in_dim \(dit.config.inDim) leaves no room for the control latents") }
        var zerosShape = control.shape
        zerosShape[1] = extra
        let y = extra == 0 ? control : try Ops.concat([control, Tensor(shape: zerosShape, dtype: .f32)], axis: 1)
        return (control, y)
    }

    /// Decodes latents to [1, 3, T, H, W] in [-1, 1] (tiled when the settings say so).
    public func decode(_ latents: Tensor) throws -> Tensor {
        try settings.tiling.map { try vae.tiledDecode(latents, tiling: $0) } ?? vae.decode(latents)
    }

    /// The whole generation on `video` [1, 3, T, H, W] (T = 4k+1, H and W multiples of 16) from `noise`.
    /// `onStep(i, latents)` sees every step's latents.
    public func run(video: Tensor, noise: Tensor, onStep: ((Int, Tensor) throws -> Void)? = nil) throws -> WanPipelineResult {
        let f = vae.config.spatialFactor * dit.config.patchSize[1]
        guard video.rank == 5, video.shape[1] == 3, (video.shape[2] - 1) % vae.config.temporalFactor == 0,
              video.shape[3] % f == 0, video.shape[4] % f == 0 else {
            throw WanPipelineError.invalidChunk("video \(video.shape) must be [1, 3, 4k+1, H, W] with H and W multiples of \(f)")
        }
        guard noise.shape == latentShape(video: video) else {
            throw WanPipelineError.invalidChunk("noise \(noise.shape) does not match the latents \(latentShape(video: video))")
        }
        let (control, y) = try conditioning(video: video)
        let loop = FlowMatchLoop(steps: settings.steps, cfgScale: settings.cfgScale, shift: settings.shift,
                                 windowSize: settings.windowSize, windowStride: settings.windowStride)
        let latents = try loop.run(dit: dit, noise: noise, y: y, positive: positive, negative: negative, onStep: onStep)
        return WanPipelineResult(controlLatents: control, latents: latents, video: try decode(latents))
    }
}

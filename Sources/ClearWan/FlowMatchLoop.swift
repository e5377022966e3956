// The denoising loop over the DiT (spec §7.4–§7.5, §8).
// Matches: DiffSynth 1.1.9 `WanVideoPipeline.__call__`'s loop in `diffsynth.pipelines.wan_video_new`: for each
// scheduler timestep, the timestep in the pipeline dtype goes to `model_fn_wan_video` (through
// `TemporalTiler_BCTHW` when a sliding window is set); with cfg_scale ≠ 1 the negative conditioning runs too and
// v = v_neg + cfg·(v_pos − v_neg); then `FlowMatchScheduler.step(v, timesteps[i], latents)` (table timestep,
// not the rounded one). No first-frame override on this path.
import ClearTensor

public struct FlowMatchLoop: Sendable {
    public var steps: Int
    public var cfgScale: Float
    public var shift: Float
    /// Sliding window size and stride in latent frames (≤ 0: whole clip in one call).
    public var windowSize: Int
    public var windowStride: Int

    public init(steps: Int = 5, cfgScale: Float = 1, shift: Float = 5, windowSize: Int = 81, windowStride: Int = 65) {
        self.steps = steps; self.cfgScale = cfgScale; self.shift = shift
        self.windowSize = windowSize; self.windowStride = windowStride
    }

    /// Runs the loop from `noise` [1, 16, T, h, w] with `y` [1, C_y, T, h, w] (control latents | zeros).
    /// `negative` is required when cfgScale ≠ 1. `onStep(i, latents)` is called after every step.
    /// Latents are kept in the DiT's dtype between steps, as the reference keeps them in its pipeline dtype.
    public func run(dit: WanDiT, noise: Tensor, y: Tensor?, positive: WanDiTConditioning, negative: WanDiTConditioning? = nil,
                    onStep: ((Int, Tensor) throws -> Void)? = nil) throws -> Tensor {
        guard cfgScale == 1 || negative != nil else {
            throw WanDiTError.invalidArgument("cfg scale \(cfgScale) ≠ 1 needs the negative prompt's conditioning")
        }
        let dt = dit.dtype
        let scheduler = try FlowMatchScheduler.wan(steps: steps, shift: shift)
        var latents = noise.to(dt)
        let yv = y?.to(dt)
        for i in 0..<steps {
            let t = scheduler.ditTimestep(step: i, dtype: dt)
            func velocity(_ cond: WanDiTConditioning) throws -> Tensor {
                try SlidingWindowPlan.run(inputs: [latents] + (yv.map { [$0] } ?? []), size: windowSize, stride: windowStride,
                                          bf16Accumulate: dt == .bf16) { _, s in
                    try dit.velocity(latents: s[0], y: s.count > 1 ? s[1] : nil, timestep: t, conditioning: cond)
                }
            }
            var v = try velocity(positive)
            if cfgScale != 1, let negative {
                let vn = try velocity(negative)
                v = try Ops.add(vn, Ops.mul(Tensor(shape: [1], values: [cfgScale], dtype: vn.dtype), Ops.sub(v, vn)))
            }
            latents = try scheduler.step(modelOutput: v, timestep: scheduler.timesteps[i], sample: latents)
            try onStep?(i, latents)
        }
        return latents
    }
}

// Flow-match scheduler with Wan's settings (spec §7.1–§7.2).
// Matches: DiffSynth 1.1.9 `diffsynth.schedulers.flow_match.FlowMatchScheduler` built as
// `FlowMatchScheduler(shift=5, sigma_min=0.0, extra_one_step=True)` (sigma_max 1, 1000 train steps):
// `set_timesteps(n, denoising_strength, shift)` and `step(model_output, timestep, sample)`.
// Everything is float32, as in the reference; `torch.linspace` is reproduced (first half counted from
// the start, second half from the end).
import ClearTensor

public struct FlowMatchScheduler: Sendable {
    public let shift: Float
    public let sigmaMin: Float
    public let sigmaMax: Float
    public let numTrainTimesteps: Float
    public let extraOneStep: Bool
    /// σ per step (float32).
    public private(set) var sigmas: [Float] = []
    /// 1000·σ per step (float32).
    public private(set) var timesteps: [Float] = []

    public init(shift: Float = 5, sigmaMin: Float = 0, sigmaMax: Float = 1, numTrainTimesteps: Float = 1000, extraOneStep: Bool = true) {
        self.shift = shift; self.sigmaMin = sigmaMin; self.sigmaMax = sigmaMax
        self.numTrainTimesteps = numTrainTimesteps; self.extraOneStep = extraOneStep
    }

    /// The Wan scheduler with `n` steps already set (the pipeline's `set_timesteps(n, 1.0, shift=5)`).
    public static func wan(steps: Int, shift: Float = 5, denoisingStrength: Float = 1) throws -> FlowMatchScheduler {
        var s = FlowMatchScheduler(shift: shift)
        try s.setTimesteps(steps, denoisingStrength: denoisingStrength)
        return s
    }

    /// `torch.linspace(start, end, steps)` in float32.
    public static func linspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        guard steps > 1 else { return steps == 1 ? [start] : [] }
        let step = (end - start) / Float(steps - 1)
        let half = steps / 2
        return (0..<steps).map { i in i < half ? start + step * Float(i) : end - step * Float(steps - 1 - i) }
    }

    public mutating func setTimesteps(_ n: Int, denoisingStrength: Float = 1) throws {
        guard n >= 1 else { throw WanDiTError.invalidArgument("the number of inference steps must be ≥ 1 (got \(n))") }
        guard denoisingStrength > 0, denoisingStrength <= 1 else {
            throw WanDiTError.invalidArgument("denoising strength must be in (0, 1] (got \(denoisingStrength))")
        }
        let sigmaStart = sigmaMin + (sigmaMax - sigmaMin) * denoisingStrength
        var raw = extraOneStep ? Array(Self.linspace(sigmaStart, sigmaMin, n + 1).dropLast()) : Self.linspace(sigmaStart, sigmaMin, n)
        raw = raw.map { s in (shift * s) / (1 + (shift - 1) * s) }
        sigmas = raw
        timesteps = raw.map { $0 * numTrainTimesteps }
    }

    /// Index of the table entry nearest `timestep` (argmin |timesteps − t|, first on ties).
    public func index(of timestep: Float) -> Int {
        var best = 0
        var bestDiff = Float.infinity
        for (i, t) in timesteps.enumerated() where abs(t - timestep) < bestDiff { best = i; bestDiff = abs(t - timestep) }
        return best
    }

    /// σ_next − σ for the step at `timestep` (σ_next = 0 after the last entry, or with `toFinal`).
    public func deltaSigma(at timestep: Float, toFinal: Bool = false) -> Float {
        let i = index(of: timestep)
        let next: Float = (toFinal || i + 1 >= sigmas.count) ? 0 : sigmas[i + 1]
        return next - sigmas[i]
    }

    /// The timestep as the DiT receives it: the float32 table value, rounded to bf16 when the
    /// pipeline runs in bf16 (spec §7.2).
    public func ditTimestep(step: Int, dtype: DType) -> Float {
        dtype == .bf16 ? BF16.round(timesteps[step]) : timesteps[step]
    }

    /// Euler update `x + v·(σ_next − σ)`. bf16 inputs follow the reference's rounding: the product is
    /// rounded to bf16, then the sum. f32 inputs stay f32.
    public func step(modelOutput v: Tensor, timestep: Float, sample x: Tensor, toFinal: Bool = false) throws -> Tensor {
        guard v.shape == x.shape else {
            throw WanDiTError.shapeMismatch("scheduler step: model output \(v.shape) and sample \(x.shape) differ")
        }
        let d = deltaSigma(at: timestep, toFinal: toFinal)
        let vf = v.floats(), xf = x.floats()
        var out = [Float](repeating: 0, count: xf.count)
        if x.dtype == .bf16 || v.dtype == .bf16 {
            for i in 0..<out.count { out[i] = BF16.round(xf[i] + BF16.round(vf[i] * d)) }
            return try Tensor(shape: x.shape, values: out, dtype: .bf16)
        }
        for i in 0..<out.count { out[i] = xf[i] + vf[i] * d }
        return try Tensor(shape: x.shape, values: out)
    }
}

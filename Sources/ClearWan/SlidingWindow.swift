// Temporal sliding window over latent frames (spec §8.1–§8.2).
// Matches: DiffSynth 1.1.9 `diffsynth.pipelines.wan_video_new.TemporalTiler_BCTHW.run` with
// `build_1d_mask` / `build_mask`: windows start at t = 0, stride, 2·stride, … < T; a start t ≥ stride is
// skipped when the previous window already reaches the end (t − stride + size ≥ T); each window covers
// [t, min(t + size, T)); its output is weighted by a ramp of width b = size − stride ((i + 0.5)/b at a
// left edge that is not frame 0, the mirror at a right edge that is not frame T); the result is
// Σ(mask·out) / Σ(mask). Window and stride are in latent frames, as the reference uses them.
import ClearTensor

public struct SlidingWindow: Sendable, Equatable {
    public let start: Int
    public let end: Int
    /// Per-frame weights for frames start..<end.
    public let weights: [Float]
    public var length: Int { end - start }
}

public enum SlidingWindowPlan {
    /// The windows DiffSynth runs over `frames` latent frames. `size` or `stride` ≤ 0 gives one window over
    /// everything (the reference runs without the tiler then).
    public static func windows(frames: Int, size: Int, stride: Int) throws -> [SlidingWindow] {
        guard frames >= 1 else { throw WanDiTError.invalidArgument("sliding window over \(frames) latent frames") }
        guard size > 0, stride > 0 else {
            return [SlidingWindow(start: 0, end: frames, weights: Array(repeating: 1, count: frames))]
        }
        guard stride <= size else {
            throw WanDiTError.invalidArgument("sliding window stride \(stride) exceeds its size \(size): frames would be skipped")
        }
        let border = size - stride
        var out: [SlidingWindow] = []
        var t = 0
        while t < frames {
            defer { t += stride }
            if t - stride >= 0 && t - stride + size >= frames { continue }
            let end = min(t + size, frames)
            out.append(SlidingWindow(start: t, end: end, weights: ramp(length: end - t, leftBound: t == 0, rightBound: end == frames, border: border)))
        }
        return out
    }

    /// `build_1d_mask(length, left_bound, right_bound, border_width)`.
    public static func ramp(length: Int, leftBound: Bool, rightBound: Bool, border: Int) -> [Float] {
        var x = [Float](repeating: 1, count: length)
        guard border > 0 else { return x }
        let b = min(border, length)
        if !leftBound { for i in 0..<b { x[i] = (Float(i) + 0.5) / Float(border) } }
        if !rightBound { for i in 0..<b { x[length - 1 - i] = (Float(i) + 0.5) / Float(border) } }
        return x
    }

    /// Runs `model` on each window of `inputs` (each [B, C, T, H, W], sliced along T) and blends the
    /// outputs ([B, C', T_window, H, W]) as the reference does. With `bf16Accumulate` the value and
    /// weight accumulators are rounded to bf16 after every operation (the reference's bf16 latents).
    public static func run(inputs: [Tensor], size: Int, stride: Int, bf16Accumulate: Bool = false,
                           model: (_ window: SlidingWindow, _ sliced: [Tensor]) throws -> Tensor) throws -> Tensor {
        guard let first = inputs.first, first.rank == 5 else {
            throw WanDiTError.shapeMismatch("sliding window inputs must be [B, C, T, H, W]")
        }
        let frames = first.shape[2]
        for x in inputs where x.rank != 5 || x.shape[2] != frames {
            throw WanDiTError.shapeMismatch("sliding window inputs disagree on the frame axis: \(first.shape) vs \(x.shape)")
        }
        let plan = try windows(frames: frames, size: size, stride: stride)
        if plan.count == 1 { return try model(plan[0], inputs) }
        var value: [Float] = []
        var weight = [Float](repeating: 0, count: frames)
        var outShape: [Int] = []
        let r: (Float) -> Float = { bf16Accumulate ? BF16.round($0) : $0 }
        for w in plan {
            let sliced = try inputs.map { try Ops.slice($0, axis: 2, start: w.start, end: w.end) }
            let y = try model(w, sliced)
            guard y.rank == 5, y.shape[2] == w.length else {
                throw WanDiTError.shapeMismatch("window output \(y.shape) must be [B, C, \(w.length), H, W]")
            }
            if outShape.isEmpty {
                outShape = [y.shape[0], y.shape[1], frames, y.shape[3], y.shape[4]]
                value = [Float](repeating: 0, count: outShape.reduce(1, *))
            } else if y.shape[0] != outShape[0] || y.shape[1] != outShape[1] || y.shape[3] != outShape[3] || y.shape[4] != outShape[4] {
                throw WanDiTError.shapeMismatch("window outputs disagree: \(y.shape) vs \(outShape)")
            }
            let yf = y.floats()
            let plane = outShape[3] * outShape[4], bc = outShape[0] * outShape[1]
            for c in 0..<bc { for f in 0..<w.length {
                let m = w.weights[f]
                let src = (c * w.length + f) * plane, dst = (c * frames + w.start + f) * plane
                for p in 0..<plane { value[dst + p] = r(value[dst + p] + r(yf[src + p] * m)) }
            } }
            for f in 0..<w.length { weight[w.start + f] = r(weight[w.start + f] + w.weights[f]) }
        }
        let plane = outShape[3] * outShape[4], bc = outShape[0] * outShape[1]
        for c in 0..<bc { for f in 0..<frames {
            let base = (c * frames + f) * plane
            for p in 0..<plane { value[base + p] = r(value[base + p] / weight[f]) }
        } }
        return try Tensor(shape: outShape, values: value, dtype: bf16Accumulate ? .bf16 : first.dtype)
    }
}

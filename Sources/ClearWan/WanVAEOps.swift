// Small tensor operations the Wan VAE needs that ClearTensor does not have (f32 only).
// Matches (DiffSynth 1.1.9, diffsynth/models/wan_video_vae.py):
//   RMS_norm (channel_first): F.normalize(x, dim=1) · √C · γ   →  WanVAEOps.channelRMSNorm
//   Upsample(scale_factor=(2,2), mode='nearest-exact')          →  WanVAEOps.upsampleNearest2x
//   Resample.upsample3d's reshape(b,2,c,t,h,w)+stack(…,3)        →  WanVAEOps.interleaveTimePairs
// Candidates for ClearTensor (listed in the issue-6 report): channel-axis L2/RMS norm, nearest ×2 on
// 5-D tensors, a conv with zero padding given per side (so the causal front pad needs no copy).
import ClearTensor
import ClearWeights

enum WanVAEOps {
    /// x [1, C, T, H, W] (or [1, C, H, W]); γ has C values. y = x / max(‖x‖₂ over C, 1e-12) · √C · γ,
    /// computed in f32 (bf16 input: widened, result rounded once to bf16).
    static func channelRMSNorm(_ input: Tensor, gamma: Tensor) throws -> Tensor {
        guard input.rank >= 3, input.shape[0] == 1, gamma.count == input.shape[1] else {
            throw WanVAEError.shape("channelRMSNorm: x \(input.shape) (\(input.dtype)) with γ of \(gamma.count) values")
        }
        let x = input.toF32()
        defer { x.keepAlive() }
        let c = x.shape[1], s = x.count / c
        let out = Tensor(shape: x.shape, dtype: .f32, zeroed: false)
        let src = UnsafePointer(x.f32), dst = out.f32, g = gamma.floats()
        let scale = Float(c).squareRoot()
        g.withUnsafeBufferPointer { gp in
            parallelFor(s, minChunk: 1024) { range in
                let lo = range.lowerBound, n = range.count
                let norm = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { norm.deallocate() }
                norm.initialize(repeating: 0, count: n)
                for ch in 0..<c {
                    let row = src + ch * s + lo
                    for i in 0..<n { norm[i] += row[i] * row[i] }
                }
                for i in 0..<n { norm[i] = max(norm[i].squareRoot(), 1e-12) }
                for ch in 0..<c {
                    let row = src + ch * s + lo, o = dst + ch * s + lo, gc = gp[ch]
                    for i in 0..<n { o[i] = row[i] / norm[i] * scale * gc }
                }
            }
        }
        return input.dtype == .bf16 ? out.toBF16() : out
    }

    /// [1, C, T, H, W] → [1, C, T, 2H, 2W], each pixel repeated 2×2.
    static func upsampleNearest2x(_ x: Tensor) throws -> Tensor {
        let (c, t, h, w) = (x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let y = try Ops.resize(x.reshaped([c, t, h, w]), height: 2 * h, width: 2 * w, mode: .nearest)
        return try y.reshaped([1, c, t, 2 * h, 2 * w])
    }

    /// [1, 2C, t, H, W] → [1, C, 2t, H, W]: output frame 2τ+j is channel block j of input frame τ.
    static func interleaveTimePairs(_ y: Tensor) throws -> Tensor {
        let (c2, t, h, w) = (y.shape[1], y.shape[2], y.shape[3], y.shape[4])
        let c = c2 / 2
        let p = try Ops.permute(y.reshaped([2, c, t, h * w]), [1, 2, 0, 3])
        return try p.reshaped([1, c, 2 * t, h, w])
    }

    /// Frames [start, end) of [1, C, T, H, W].
    static func frames(_ x: Tensor, _ start: Int, _ end: Int) throws -> Tensor {
        if start == 0 && end == x.shape[2] { return x }
        return try Ops.slice(x, axis: 2, start: start, end: end)
    }

    static func concatTime(_ xs: [Tensor]) throws -> Tensor {
        xs.count == 1 ? xs[0] : try Ops.concat(xs, axis: 2)
    }

    /// A float32 copy of a stored tensor (any stored dtype), optionally viewed with another shape.
    static func load(_ scope: WeightScope, _ key: String, shape: [Int], as view: [Int]? = nil, dtype: DType = .f32) throws -> Tensor {
        let t = try scope.tensor(key, shape: shape)
        if dtype == .bf16 { return try Tensor(shape: view ?? t.shape, bf16Bits: t.toBFloat16Bits()) }
        return try Tensor(shape: view ?? t.shape, values: t.toFloat32())
    }
}

public enum WanVAEError: Error, CustomStringConvertible, Equatable {
    case shape(String)
    case config(String)

    public var description: String {
        switch self {
        case .shape(let s): return "Wan VAE: \(s)"
        case .config(let s): return "Wan VAE weights: \(s)"
        }
    }
}

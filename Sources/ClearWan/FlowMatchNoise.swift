// Initial noise as CPU PyTorch draws it (spec §7.3), so `--seed N` reproduces the reference's noise.
// Matches: `torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)` as
// DiffSynth 1.1.9 `BasePipeline.generate_noise` calls it: an MT19937 (`at::mt19937`, init_genrand with the low
// 32 bits of the seed), uniforms u = (r & 0xFFFFFF)·2⁻²⁴, and ATen's `normal_fill` Box–Muller in blocks of 16
// (out_j = √(−2 ln(1 − u_j))·cos(2π·u_{j+8}), out_{j+8} = …·sin(…)); when the count is not a multiple of 16,
// the last 16 positions are refilled with fresh uniforms and transformed again. Tensors of fewer than 16
// elements take a different (scalar, double) path in PyTorch and are not supported.
import ClearTensor
import Foundation

/// The 32-bit Mersenne Twister (MT19937) as `at::mt19937` implements it.
public struct FlowMatchMT19937: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<624 { state[j] = 1_812_433_253 &* (state[j - 1] ^ (state[j - 1] >> 30)) &+ UInt32(j) }
    }

    public mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_B0DF : 0)
        }
        index = 0
    }

    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits.
    public mutating func nextUniformFloat() -> Float { Float(next() & 0xFF_FFFF) * 0x1p-24 }
}

public enum FlowMatchNoise {
    /// Standard normal float32 values as CPU `torch.randn` produces them for a fresh generator seeded `seed`.
    public static func torchRandn(count: Int, seed: UInt64) throws -> [Float] {
        guard count >= 16 else {
            throw WanDiTError.invalidArgument("torch-compatible randn needs at least 16 values (PyTorch draws smaller tensors differently); got \(count)")
        }
        var gen = FlowMatchMT19937(seed: seed)
        var data = [Float](repeating: 0, count: count)
        for i in 0..<count { data[i] = gen.nextUniformFloat() }
        func fill16(_ base: Int) {
            for j in 0..<8 {
                let u1 = 1 - data[base + j], u2 = data[base + j + 8]
                let radius = (-2 * Foundation.log(u1)).squareRoot()
                let theta = 2 * Float.pi * u2
                data[base + j] = radius * Foundation.cos(theta)
                data[base + j + 8] = radius * Foundation.sin(theta)
            }
        }
        for base in stride(from: 0, to: count - 15, by: 16) { fill16(base) }
        if count % 16 != 0 {
            let base = count - 16
            for i in 0..<16 { data[base + i] = gen.nextUniformFloat() }
            fill16(base)
        }
        return data
    }

    /// The pipeline's initial latents: `torchRandn` of `shape`, cast to `dtype` (bf16 in CLEAR's setting).
    public static func latents(shape: [Int], seed: UInt64, dtype: DType = .f32) throws -> Tensor {
        try Tensor(shape: shape, values: torchRandn(count: shape.reduce(1, *), seed: seed), dtype: dtype)
    }
}

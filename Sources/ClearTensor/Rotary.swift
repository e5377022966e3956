// 3-D rotary position embedding, Wan style.
// Matches: Wan2.1 `rope_params` / `rope_apply` (spec §5.4): head dim d = c complex pairs split as
// c − 2⌊d/6⌋ frame pairs, ⌊d/6⌋ height pairs, ⌊d/6⌋ width pairs; ω = θ^(−2k/width) per axis;
// token (f, i, j) (f slowest) gets angles [f·ω_f…, i·ω_h…, j·ω_w…]; interleaved pairs
// (x[2m], x[2m+1]) are rotated as complex numbers. Angles in float64, rotation in float32 (bf16
// inputs widened and the result rounded once, in-register).
import ClearSIMD

public struct Rope3D: Sendable {
    public let frames: Int, height: Int, width: Int, headDim: Int
    /// cos/sin of every (token, pair): [tokens × headDim/2], f32.
    public let cos: [Float], sin: [Float]

    public var tokens: Int { frames * height * width }

    public init(frames: Int, height: Int, width: Int, headDim: Int, theta: Double = 10000) throws {
        guard headDim >= 6, headDim % 2 == 0, frames >= 1, height >= 1, width >= 1 else {
            throw TensorError.invalidArgument(op: "Rope3D", reason: "need an even head dim ≥ 6 and a positive grid (got d=\(headDim), grid \(frames)×\(height)×\(width))")
        }
        self.frames = frames; self.height = height; self.width = width; self.headDim = headDim
        let pairs = headDim / 2, hw = headDim / 6, fp = pairs - 2 * hw
        func omegas(_ n: Int) -> [Double] { (0..<n).map { k in 1 / pow(theta, Double(2 * k) / Double(2 * n)) } }
        let wf = omegas(fp), wh = omegas(hw), ww = omegas(hw)
        var c = [Float](repeating: 0, count: frames * height * width * pairs), s = c
        var t = 0
        for f in 0..<frames { for i in 0..<height { for j in 0..<width {
            var m = 0
            for (pos, ws) in [(f, wf), (i, wh), (j, ww)] {
                for w in ws {
                    let a = Double(pos) * w
                    c[t * pairs + m] = Float(_cos(a)); s[t * pairs + m] = Float(_sin(a)); m += 1
                }
            }
            t += 1
        } } }
        cos = c; sin = s
    }

    /// Rotates x [B, N, H, D] or [N, H, D] (N = frames·height·width, D = headDim).
    public func apply(_ x: Tensor) throws -> Tensor { try rotate(x, inverse: false) }

    /// The transpose (= inverse) rotation, which maps dL/d(apply(x)) to dL/dx: the rotation is
    /// orthogonal, so the gradient is the same rotation by the negated angles.
    public func applyInverse(_ x: Tensor) throws -> Tensor { try rotate(x, inverse: true) }

    private func rotate(_ x: Tensor, inverse: Bool) throws -> Tensor {
        guard x.rank == 3 || x.rank == 4, x.shape[x.rank - 1] == headDim, x.shape[x.rank - 3] == tokens else {
            throw TensorError.shapeMismatch(op: "Rope3D.apply", expected: [tokens, -1, headDim], got: x.shape,
                                            hint: "x must be [B, N, heads, \(headDim)] or [N, heads, \(headDim)] with N = \(frames)·\(height)·\(width)")
        }
        let heads = x.shape[x.rank - 2], pairs = headDim / 2, n = tokens
        let out = Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        // Split lane order puts the 8 real parts of a 16-element block in lanes 0–7 and the 8
        // imaginary parts in lanes 8–15, so a block rotates with plain lane-wise math.
        let src = ElementPointer(x, split: true), dst = ElementPointer(out, split: true)
        let blocks = headDim / 16, sign: Float = inverse ? -1 : 1
        cos.withUnsafeBufferPointer { cb in sin.withUnsafeBufferPointer { sb in
            let cp = cb.baseAddress!, sp = sb.baseAddress!
            parallelForDynamic(x.count / (heads * headDim), grain: max(1, 16384 / (heads * headDim))) { rows in
                for row in rows {
                    let tok = row % n
                    let c = cp + tok * pairs, s = sp + tok * pairs
                    for h in 0..<heads {
                        let base = (row * heads + h) * headDim
                        for b in 0..<blocks {
                            let v = src.load(base + 16 * b)
                            let cv = UnsafeRawPointer(c + 8 * b).loadUnaligned(as: SIMD8<Float>.self)
                            let sv = UnsafeRawPointer(s + 8 * b).loadUnaligned(as: SIMD8<Float>.self) * sign
                            let re = v.lowHalf, im = v.highHalf
                            dst.store(Vec16(lowHalf: re * cv - im * sv, highHalf: re * sv + im * cv), base + 16 * b)
                        }
                        for m in (8 * blocks)..<pairs {  // head dims that are not a multiple of 16
                            let re = src.scalar(base + 2 * m), im = src.scalar(base + 2 * m + 1), sn = sign * s[m]
                            dst.store(Vec16(re * c[m] - im * sn, re * sn + im * c[m], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), base + 2 * m, count: 2)
                        }
                    }
                }
            }
        } }
        return out
    }
}

import Foundation
@inline(__always) private func _cos(_ a: Double) -> Double { Foundation.cos(a) }
@inline(__always) private func _sin(_ a: Double) -> Double { Foundation.sin(a) }

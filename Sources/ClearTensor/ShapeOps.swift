// Data-movement ops written in Swift over raw bytes (so f32 and bf16 share one implementation):
// concat, slice, permute, pad (zero / replicate) and pixel shuffle.
// Matches: torch.cat, tensor narrowing / strided slicing, tensor.permute(...).contiguous(),
// torch.nn.functional.pad(mode="constant" with 0 | "replicate"), torch.nn.functional.pixel_shuffle.
import Foundation

public enum PadMode: Sendable { case zero, replicate }

extension Ops {
    /// Concatenates along `axis`; all other dims and the dtype must agree.
    public static func concat(_ xs: [Tensor], axis: Int) throws -> Tensor {
        guard let first = xs.first else { throw TensorError.invalidArgument(op: "concat", reason: "needs at least one tensor") }
        let ax = try first.axis(axis, op: "concat")
        for t in xs {
            var a = t.shape, b = first.shape
            guard t.rank == first.rank, t.dtype == first.dtype else {
                throw TensorError.shapeMismatch(op: "concat", expected: first.shape, got: t.shape, hint: "all inputs need the same rank and dtype (\(first.dtype))")
            }
            a[ax] = 0; b[ax] = 0
            guard a == b else { throw TensorError.shapeMismatch(op: "concat", expected: first.shape, got: t.shape, hint: "only dimension \(ax) may differ") }
        }
        var shape = first.shape
        shape[ax] = xs.reduce(0) { $0 + $1.shape[ax] }
        let out = Tensor(shape: shape, dtype: first.dtype, zeroed: false)
        let es = first.dtype.size
        let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *) * es
        let outRow = shape[ax] * inner
        var offset = 0
        for t in xs {
            let rowBytes = t.shape[ax] * inner, src = t.raw, dst = out.raw, off = offset
            parallelFor(outer, minChunk: max(1, 65536 / max(rowBytes, 1))) { r in
                for o in r { memcpy(dst + o * outRow + off, src + o * rowBytes, rowBytes) }
            }
            offset += rowBytes
        }
        return out
    }

    /// Elements start..<end (step `step`) along `axis`; a copy.
    public static func slice(_ x: Tensor, axis: Int, start: Int, end: Int, step: Int = 1) throws -> Tensor {
        let ax = try x.axis(axis, op: "slice")
        let n = x.shape[ax]
        guard step >= 1, start >= 0, end <= n, start <= end else {
            throw TensorError.invalidArgument(op: "slice", reason: "range \(start)..<\(end) step \(step) does not fit dimension \(ax) of \(x.shape)")
        }
        var shape = x.shape
        let len = (end - start + step - 1) / step
        shape[ax] = len
        let out = Tensor(shape: shape, dtype: x.dtype, zeroed: false)
        let es = x.dtype.size
        let outer = x.shape[..<ax].reduce(1, *), inner = x.shape[(ax + 1)...].reduce(1, *) * es
        let src = x.raw, dst = out.raw
        parallelFor(outer * len, minChunk: max(1, 65536 / max(inner, 1))) { r in
            for i in r {
                let o = i / max(len, 1), j = i % max(len, 1)
                memcpy(dst + i * inner, src + (o * n + start + j * step) * inner, inner)
            }
        }
        return out
    }

    /// Reorders dimensions: output dim i is input dim `perm[i]` (contiguous copy).
    public static func permute(_ x: Tensor, _ perm: [Int]) throws -> Tensor {
        guard perm.sorted() == Array(0..<x.rank) else {
            throw TensorError.invalidArgument(op: "permute", reason: "\(perm) is not a permutation of the \(x.rank) dims of \(x.shape)")
        }
        let shape = perm.map { x.shape[$0] }
        let out = Tensor(shape: shape, dtype: x.dtype, zeroed: false)
        if x.count == 0 { return out }
        let inStr = x.strides, es = x.dtype.size
        let srcStr = perm.map { inStr[$0] }
        let r = shape.count, inner = shape[r - 1], innerStride = srcStr[r - 1]
        let src = x.raw, dst = out.raw
        parallelFor(x.count / inner, minChunk: max(1, 4096 / inner)) { rows in
            for row in rows {
                var rem = row, off = 0
                for d in stride(from: r - 2, through: 0, by: -1) { off += (rem % shape[d]) * srcStr[d]; rem /= shape[d] }
                let o = dst + row * inner * es
                if innerStride == 1 { memcpy(o, src + off * es, inner * es); continue }
                if es == 4 {
                    let s = (src + off * 4).assumingMemoryBound(to: UInt32.self), d = o.assumingMemoryBound(to: UInt32.self)
                    for i in 0..<inner { d[i] = s[i * innerStride] }
                } else {
                    let s = (src + off * 2).assumingMemoryBound(to: UInt16.self), d = o.assumingMemoryBound(to: UInt16.self)
                    for i in 0..<inner { d[i] = s[i * innerStride] }
                }
            }
        }
        return out
    }

    /// Pads the trailing `pads.count` dims: pads[i] = (before, after) for dim rank−pads.count+i.
    public static func pad(_ x: Tensor, _ pads: [(Int, Int)], mode: PadMode = .zero) throws -> Tensor {
        let k = pads.count
        guard k >= 1, k <= x.rank, pads.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw TensorError.invalidArgument(op: "pad", reason: "need 1…\(x.rank) non-negative (before, after) pairs for \(x.shape)")
        }
        if mode == .replicate, zip(x.shape.suffix(k), pads).contains(where: { $0.0 == 0 && ($0.1.0 > 0 || $0.1.1 > 0) }) {
            throw TensorError.invalidShape(op: "pad", shape: x.shape, reason: "replicate padding of an empty dimension")
        }
        let lead = x.rank - k
        var shape = x.shape
        for i in 0..<k { shape[lead + i] += pads[i].0 + pads[i].1 }
        let out = Tensor(shape: shape, dtype: x.dtype, zeroed: true)
        let es = x.dtype.size, r = x.rank
        let inW = x.shape[r - 1], outW = shape[r - 1], (pl, _) = pads[k - 1]
        let rows = out.count / max(outW, 1)
        let inStr = x.strides
        let src = x.raw, dst = out.raw
        parallelFor(rows, minChunk: max(1, 4096 / max(outW, 1))) { range in
            for row in range {
                var rem = row, off = 0, inside = true
                for d in stride(from: r - 2, through: 0, by: -1) {
                    var i = rem % shape[d]; rem /= shape[d]
                    if d >= lead { i -= pads[d - lead].0 }
                    if i < 0 || i >= x.shape[d] {
                        if mode == .zero { inside = false; break }
                        i = min(max(i, 0), x.shape[d] - 1)
                    }
                    off += i * inStr[d]
                }
                if !inside { continue }
                let o = dst + row * outW * es, s = src + off * es
                memcpy(o + pl * es, s, inW * es)
                if mode == .replicate {
                    for j in 0..<pl { memcpy(o + j * es, s, es) }
                    for j in (pl + inW)..<outW { memcpy(o + j * es, s + (inW - 1) * es, es) }
                }
            }
        }
        return out
    }

    /// Pixel shuffle: [N, C·r², H, W] -> [N, C, H·r, W·r].
    public static func pixelShuffle(_ x: Tensor, factor r: Int) throws -> Tensor {
        guard x.rank == 4, r >= 1, x.shape[1] % (r * r) == 0 else {
            throw TensorError.invalidShape(op: "pixelShuffle", shape: x.shape, reason: "need [N, C·\(r * r), H, W]")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1] / (r * r), x.shape[2], x.shape[3])
        // [N, C, r, r, H, W] -> [N, C, H, r, W, r]
        let t = try permute(try x.reshaped([n, c, r, r, h, w]), [0, 1, 4, 2, 5, 3])
        return try t.reshaped([n, c, h * r, w * r])
    }
}

// 2-D average and max pooling with a square window equal to its stride (non-overlapping, floor
// of the output size), forward and backward, in Swift.
// Matches: torch.nn.functional.avg_pool2d(x, k) and max_pool2d(x, k) (kernel = stride = k, no
// padding, ceil_mode False); max-pool gradients go to the first maximum of each window.

public enum PoolMode: Sendable { case average, max }

extension Ops {
    /// Pooling of x [N, C, H, W] -> [N, C, H/k, W/k]; also returns, for max pooling, the flat input
    /// index of each output's maximum (for the backward pass).
    public static func pool2d(_ x: Tensor, kernel k: Int, mode: PoolMode) throws -> (out: Tensor, argmax: [Int32]) {
        guard x.rank == 4, k >= 1, x.shape[2] >= k, x.shape[3] >= k else {
            throw TensorError.invalidShape(op: "pool2d", shape: x.shape, reason: "need [N, C, H, W] with H, W ≥ kernel \(k)")
        }
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3]), (oh, ow) = (h / k, w / k)
        let xf = x.toF32()
        defer { xf.keepAlive() }
        let out = Tensor(shape: [x.shape[0], x.shape[1], oh, ow], dtype: .f32, zeroed: false)
        var argmax = [Int32](repeating: 0, count: mode == .max ? out.count : 0)
        let px = UnsafePointer(xf.f32), po = out.f32
        argmax.withUnsafeMutableBufferPointer { am in
            let pa = am.baseAddress
            parallelFor(planes) { r in
                for p in r { for y in 0..<oh { for xo in 0..<ow {
                    var acc: Float = 0, best = -Float.infinity, bestIdx = 0
                    for dy in 0..<k { for dx in 0..<k {
                        let i = p * h * w + (y * k + dy) * w + xo * k + dx
                        let v = px[i]
                        acc += v
                        if v > best || (best.isNaN == false && v.isNaN) { best = v; bestIdx = i }
                    } }
                    let o = (p * oh + y) * ow + xo
                    if mode == .max { po[o] = best; pa![o] = Int32(bestIdx) } else { po[o] = acc / Float(k * k) }
                } } }
            }
        }
        return (x.dtype == .f32 ? out : out.toBF16(), argmax)
    }

    /// Gradient of `pool2d` with respect to its input.
    public static func pool2dBackward(_ dy: Tensor, inputShape: [Int], kernel k: Int, mode: PoolMode, argmax: [Int32]) throws -> Tensor {
        let dx = Tensor(shape: inputShape, dtype: .f32, zeroed: true)
        let g = dy.toF32()
        defer { g.keepAlive() }
        let pg = UnsafePointer(g.f32), pd = dx.f32
        if mode == .max {
            guard argmax.count == dy.count else {
                throw TensorError.shapeMismatch(op: "pool2dBackward", expected: [dy.count], got: [argmax.count], hint: "pass the argmax returned by pool2d")
            }
            for o in 0..<dy.count { pd[Int(argmax[o])] += pg[o] }  // windows do not overlap
            return dx
        }
        let (planes, h, w) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3]), (oh, ow) = (dy.shape[2], dy.shape[3])
        let scale = 1 / Float(k * k)
        parallelFor(planes) { r in
            for p in r { for y in 0..<oh { for xo in 0..<ow {
                let v = pg[(p * oh + y) * ow + xo] * scale
                for dy in 0..<k { for dx in 0..<k { pd[p * h * w + (y * k + dy) * w + xo * k + dx] = v } }
            } } }
        }
        return dx
    }
}

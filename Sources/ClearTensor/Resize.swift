// Spatial resizing of [N, C, H, W] tensors written in Swift (parallel over planes).
// Matches: torch.nn.functional.interpolate(mode="nearest") (source index floor(dst·in/out)) and
// mode="bilinear", align_corners=False (half-pixel centres, negative source clamped to 0).

public enum ResizeMode: Sendable { case nearest, bilinear }

extension Ops {
    public static func resize(_ x: Tensor, height oh: Int, width ow: Int, mode: ResizeMode) throws -> Tensor {
        guard x.rank == 4, oh >= 1, ow >= 1, x.shape[2] >= 1, x.shape[3] >= 1 else {
            throw TensorError.invalidShape(op: "resize", shape: x.shape, reason: "need [N, C, H, W] and a positive output size (got \(oh)×\(ow))")
        }
        let (planes, ih, iw) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let xf = x.toF32()
        defer { xf.keepAlive() }
        let out = Tensor(shape: [x.shape[0], x.shape[1], oh, ow], dtype: .f32, zeroed: false)
        let sh = Float(ih) / Float(oh), sw = Float(iw) / Float(ow)
        let ty = resizeTaps(oh, ih, sh, mode), tx = resizeTaps(ow, iw, sw, mode)
        let ps = UnsafePointer(xf.f32), po = out.f32
        parallelFor(planes * oh, minChunk: max(1, 4096 / ow)) { r in
            for pr in r {
                let p = pr / oh, y = pr % oh
                let (y0, y1, wy) = ty[y]
                let r0 = ps + p * ih * iw + y0 * iw, r1 = ps + p * ih * iw + y1 * iw
                let o = po + pr * ow
                for xo in 0..<ow {
                    let (x0, x1, wx) = tx[xo]
                    let top = r0[x0] + (r0[x1] - r0[x0]) * wx
                    let bot = r1[x0] + (r1[x1] - r1[x0]) * wx
                    o[xo] = top + (bot - top) * wy
                }
            }
        }
        return x.dtype == .bf16 ? out.toBF16() : out
    }
}

/// `Ops.resize`'s bilinear taps from `n` to `o` samples: for each output index, the two source
/// indices and the weight of the second (for callers that interpolate only part of a map).
public func resizeTapsBilinear(_ o: Int, _ n: Int) -> [(Int, Int, Float)] {
    resizeTaps(o, n, Float(n) / Float(o), .bilinear)
}

/// Per-axis source taps of an output index: (i0, i1, weight of i1).
func resizeTaps(_ o: Int, _ n: Int, _ s: Float, _ mode: ResizeMode) -> [(Int, Int, Float)] {
    (0..<o).map { d in
        if mode == .nearest { let i = min(Int((Float(d) * s).rounded(.down)), n - 1); return (i, i, 0) }
        let src = max((Float(d) + 0.5) * s - 0.5, 0)
        let i0 = min(Int(src), n - 1)
        return (i0, min(i0 + 1, n - 1), src - Float(i0))
    }
}

extension Ops {
    /// Adjoint of `resize`: scatters dy [N, C, oh, ow] back onto an [N, C, ih, iw] gradient.
    public static func resizeBackward(_ dy: Tensor, inputHeight ih: Int, inputWidth iw: Int, mode: ResizeMode) throws -> Tensor {
        guard dy.rank == 4 else { throw TensorError.invalidShape(op: "resizeBackward", shape: dy.shape, reason: "need [N, C, H, W]") }
        let (planes, oh, ow) = (dy.shape[0] * dy.shape[1], dy.shape[2], dy.shape[3])
        let ty = resizeTaps(oh, ih, Float(ih) / Float(oh), mode), tx = resizeTaps(ow, iw, Float(iw) / Float(ow), mode)
        let g = dy.toF32()
        defer { g.keepAlive() }
        let dx = Tensor(shape: [dy.shape[0], dy.shape[1], ih, iw], dtype: .f32, zeroed: true)
        let pg = UnsafePointer(g.f32), pd = dx.f32
        parallelFor(planes) { r in
            for p in r {
                let src = pg + p * oh * ow, dst = pd + p * ih * iw
                for y in 0..<oh {
                    let (y0, y1, wy) = ty[y]
                    for x in 0..<ow {
                        let (x0, x1, wx) = tx[x]
                        let v = src[y * ow + x]
                        dst[y0 * iw + x0] += v * (1 - wy) * (1 - wx); dst[y0 * iw + x1] += v * (1 - wy) * wx
                        dst[y1 * iw + x0] += v * wy * (1 - wx); dst[y1 * iw + x1] += v * wy * wx
                    }
                }
            }
        }
        return dx
    }
}

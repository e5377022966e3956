// The lite network's inference passes in channels-last layout ([N, H, W, C]; ClearTensor's
// `conv2dChannelsLast` with the ReLU fused): the same functions as `LiteNetwork.occlusionLogits`
// and `LiteNetwork.restore` (the tape passes used in training; tested equal in
// LiteInferenceTests), without a tape and without layout conversions between layers.
// Inputs are built channels-last directly from the interleaved RGB bytes of the frames.
import ClearMedia
import ClearTensor

/// Arithmetic of the lite network at inference. `.bf16`: activations and weights in bf16 with f32
/// accumulation (oneDNN), the input rounded once and the last layer written in f32; 1.4–1.6× the
/// f32 rate on CPUs with native bf16 (AVX-512 BF16 / AMX), slower or unavailable elsewhere.
public enum LitePrecision: String, Sendable {
    case f32, bf16
    /// bf16 where the CPU runs it natively (`Ops.nativeBF16`), else f32.
    public static var preferred: LitePrecision { Ops.nativeBF16 ? .bf16 : .f32 }
}

extension LiteNetwork {
    func convChannelsLast(_ x: Tensor, _ name: String, relu: Bool = true, outputDType: DType? = nil) throws -> Tensor {
        let l = LiteArchitecture.layer(name)
        let w = x.dtype == .bf16 ? inferenceWeights.weight(name, from: weights) : weights.weight(name).value
        return try Ops.conv2dChannelsLast(x, weight: w, bias: weights.bias(name).value,
                                          stride: l.stride, padding: l.padding, relu: relu, outputDType: outputDType)
    }

    /// Convolution (+ ReLU) of layer `name` over the channels of `parts` concatenated (in that
    /// order). In f32: one convolution per part, each added to the last (the bias with the first,
    /// the ReLU after the last), so that the concatenated copy is never made; the same function as
    /// the convolution of `Ops.concat(parts, axis: 3)`, summed in another order. In bf16: that
    /// convolution.
    func convConcatenatedChannelsLast(_ parts: [Tensor], _ name: String) throws -> Tensor {
        guard parts.allSatisfy({ $0.dtype == .f32 }) else { return try convChannelsLast(try Ops.concat(parts, axis: 3), name) }
        let l = LiteArchitecture.layer(name)
        var sum: Tensor?, first = 0
        for (i, part) in parts.enumerated() {
            let channels = first..<(first + part.shape[3])
            first = channels.upperBound
            let w = try inferenceWeights.weight(name, inputChannels: channels, from: weights)
            sum = try Ops.conv2dChannelsLast(part, weight: w, bias: i == 0 ? weights.bias(name).value : nil, stride: l.stride,
                                             padding: l.padding, relu: i == parts.count - 1, adding: sum)
        }
        precondition(first == l.inChannels, "LiteNetwork: \(name) takes \(l.inChannels) channels, got \(first)")
        return sum!
    }

    /// A network's last layer `name` (3×3, few outputs, no ReLU), in f32 whatever x's dtype: for an
    /// f32 x through `Ops.conv3x3FewOutputsChannelsLast` (an AVX2 kernel where oneDNN computes eight
    /// outputs to keep one or three), for a bf16 x by oneDNN with an f32 output.
    func lastConvChannelsLast(_ x: Tensor, _ name: String) throws -> Tensor {
        guard x.dtype == .f32 else { return try convChannelsLast(x, name, relu: false, outputDType: .f32) }
        return try Ops.conv3x3FewOutputsChannelsLast(x, weight: weights.weight(name).value, bias: weights.bias(name).value)
    }

    /// Occlusion logits [N, h, w, 1] from the channels-last occlusion input [N, h, w, 6] (h, w % 4 == 0).
    /// In f32 the two convolutions over concatenated channels run one per part
    /// (`convConcatenatedChannelsLast`) and the last one, with its single output channel, through
    /// `lastConvChannelsLast`: on AVX2 at 640×360 about 9 ms instead of 13 for `occ.c6` and about 2
    /// instead of 6.5 for `occ.c8` (BENCHMARKS.md, twenty-third session), the same function summed
    /// in another order.
    public func occlusionLogitsChannelsLast(_ input: Tensor, precision: LitePrecision = .f32) throws -> Tensor {
        let x = precision == .bf16 ? input.toBF16() : input
        let c1 = try convChannelsLast(x, "occ.c1")
        let c3 = try convChannelsLast(try convChannelsLast(c1, "occ.c2"), "occ.c3")
        let c5 = try convChannelsLast(try convChannelsLast(c3, "occ.c4"), "occ.c5")
        let u5 = try Ops.resizeChannelsLast(c5, height: c3.shape[1], width: c3.shape[2])
        let c6 = try convConcatenatedChannelsLast([u5, c3], "occ.c6")
        let u6 = try Ops.resizeChannelsLast(c6, height: c1.shape[1], width: c1.shape[2])
        let c7 = try convConcatenatedChannelsLast([u6, c1], "occ.c7")
        return try lastConvChannelsLast(c7, "occ.c8")
    }

    /// Restored centre frame [N, H, W, 3] (f32) from the channels-last restoration input [N, H, W, 19]
    /// (window frames, α, fill — `LiteArchitecture.restorationInputChannels`) and the fill
    /// [N, H, W, 3] (H, W % 4 == 0), both f32. Predicts a residual on the fill. In f32 the two
    /// convolutions over concatenated channels run one per part (`convConcatenatedChannelsLast`),
    /// and the last one (16 → 3) through `lastConvChannelsLast`; with the split alone
    /// on AVX2 about 10 % less wall time on boxed 1080p and 1080×1920 clips (BENCHMARKS.md, twenty-third
    /// session), the same function summed in another order.
    public func restoreChannelsLast(input: Tensor, fill: Tensor, precision: LitePrecision = .f32) throws -> Tensor {
        try Ops.add(fill, try uNetChannelsLast(input, prefix: "res", precision: precision))
    }

    /// The hole network's logits [N, H, W, 1] (f32) from the channels-last restoration input
    /// [N, H, W, 19] (`LiteNetwork.holeLogits`; H, W % 4 == 0).
    public func holeLogitsChannelsLast(input: Tensor, precision: LitePrecision = .f32) throws -> Tensor {
        try uNetChannelsLast(input, prefix: "hole", precision: precision)
    }

    /// `LiteNetwork.uNet` in channels-last layout: the last layer's output in f32.
    func uNetChannelsLast(_ input: Tensor, prefix p: String, precision: LitePrecision) throws -> Tensor {
        let x = precision == .bf16 ? input.toBF16() : input
        let e1 = try convChannelsLast(x, p + ".e1")
        let e3 = try convChannelsLast(try convChannelsLast(e1, p + ".e2"), p + ".e3")
        let e6 = try convChannelsLast(try convChannelsLast(try convChannelsLast(e3, p + ".e4"), p + ".e5"), p + ".e6")
        let u2 = try Ops.resizeChannelsLast(e6, height: e3.shape[1], width: e3.shape[2])
        let d2 = try convConcatenatedChannelsLast([u2, e3], p + ".d2")
        let u1 = try Ops.resizeChannelsLast(d2, height: e1.shape[1], width: e1.shape[2])
        let d1 = try convConcatenatedChannelsLast([u1, e1], p + ".d1")
        return try lastConvChannelsLast(d1, p + ".out")
    }
}

extension LiteFeatures {
    /// Half-resolution frame [1, ph/2, pw/2, 3], channels-last: 2×2 means of the frame padded (edge
    /// replication) to `paddedWidth`×`paddedHeight` — what `pool2d` gives on the full-size planes.
    public static func halfInterleaved(_ frame: RGBFrame, paddedWidth pw: Int, paddedHeight ph: Int) -> Tensor {
        let (hw, hh) = (pw / 2, ph / 2)
        let t = Tensor(shape: [1, hh, hw, 3], dtype: .f32, zeroed: false)
        let dst = t.f32
        let (fw, fh) = (frame.width, frame.height)
        frame.pixels.withUnsafeBufferPointer { px in
            let p = px.baseAddress!
            parallelFor(hh, minChunk: 8) { rows in
                for y in rows {
                    let r0 = p + min(2 * y, fh - 1) * fw * 3, r1 = p + min(2 * y + 1, fh - 1) * fw * 3
                    let o = dst + y * hw * 3
                    // the four bytes are summed as integers: exact, as the float sum was
                    let inner = min(hw, fw / 2)   // columns whose two source pixels are both inside
                    for x in 0..<inner {
                        let a = r0 + 6 * x, b = r1 + 6 * x
                        for c in 0..<3 {
                            let s = Int(a[c]) + Int(a[3 + c]) + Int(b[c]) + Int(b[3 + c])
                            o[3 * x + c] = Float(s) / (4 * 255)
                        }
                    }
                    for x in inner..<hw {
                        let x0 = min(2 * x, fw - 1) * 3, x1 = min(2 * x + 1, fw - 1) * 3
                        for c in 0..<3 {
                            let s = Int(r0[x0 + c]) + Int(r0[x1 + c]) + Int(r1[x0 + c]) + Int(r1[x1 + c])
                            o[3 * x + c] = Float(s) / (4 * 255)
                        }
                    }
                }
            }
        }
        return t
    }

    /// The frame at 1/`factor` of its resolution [1, ph/factor, pw/factor, 3], channels-last:
    /// factor×factor means of the frame padded (edge replication) to `paddedWidth`×`paddedHeight`
    /// (multiples of `factor`); `halfInterleaved` for factor 2.
    public static func reducedInterleaved(_ frame: RGBFrame, factor f: Int, paddedWidth pw: Int, paddedHeight ph: Int) -> Tensor {
        if f == 2 { return halfInterleaved(frame, paddedWidth: pw, paddedHeight: ph) }
        precondition(f >= 1 && pw % f == 0 && ph % f == 0)
        let (rw, rh) = (pw / f, ph / f)
        let t = Tensor(shape: [1, rh, rw, 3], dtype: .f32, zeroed: false)
        let dst = t.f32
        let (fw, fh) = (frame.width, frame.height)
        let norm = 1 / Float(f * f * 255)
        frame.pixels.withUnsafeBufferPointer { px in
            let p = px.baseAddress!
            parallelFor(rh, minChunk: 4) { rows in
                var sums = [Int](repeating: 0, count: 3 * rw)
                for y in rows {
                    for i in sums.indices { sums[i] = 0 }
                    for dy in 0..<f {
                        let row = p + min(f * y + dy, fh - 1) * fw * 3
                        for x in 0..<rw {
                            for dx in 0..<f {
                                let s = row + min(f * x + dx, fw - 1) * 3
                                sums[3 * x] += Int(s[0]); sums[3 * x + 1] += Int(s[1]); sums[3 * x + 2] += Int(s[2])
                            }
                        }
                    }
                    let o = dst + y * rw * 3
                    for i in 0..<(3 * rw) { o[i] = Float(sums[i]) * norm }
                }
            }
        }
        return t
    }

    /// Occlusion input [1, h, w, 6], channels-last, from the window's half-resolution frames
    /// ([1, h, w, 3] each, `halfInterleaved`): the values of `occlusionInput(halfWindow:)`.
    public static func occlusionInputChannelsLast(halves: [Tensor]) -> Tensor {
        let (h, w) = (halves[0].shape[1], halves[0].shape[2]), frames = halves.count, centre = frames / 2
        let out = Tensor(shape: [1, h, w, 6], dtype: .f32, zeroed: false)
        let dst = out.f32
        let src = halves.map { UnsafePointer($0.f32) }
        let scale = 1 / Float(max(frames - 1, 1))
        let c = src[centre], others = (0..<frames).filter { $0 != centre }.map { src[$0] }
        parallelFor(h * w, minChunk: 8192) { range in
            if others.count == 4 {
                // the engine's 5-frame window, without the per-pixel loop over frames (same order of sums)
                let (a, b, d, e) = (others[0], others[1], others[2], others[3])
                for i in range {
                    for ch in 0..<3 {
                        let k = i * 3 + ch, v = c[k]
                        dst[i * 6 + ch] = v
                        dst[i * 6 + 3 + ch] = (abs(a[k] - v) + abs(b[k] - v) + abs(d[k] - v) + abs(e[k] - v)) * scale
                    }
                }
                return
            }
            for i in range {
                for ch in 0..<3 {
                    let k = i * 3 + ch, v = c[k]
                    var acc: Float = 0
                    for o in others { acc += abs(o[k] - v) }
                    dst[i * 6 + ch] = v
                    dst[i * 6 + 3 + ch] = acc * scale
                }
            }
        }
        withExtendedLifetime(halves) {}
        return out
    }

    /// The fill of the centre frame of `frames` in the `w`×`h` region at (x0, y0) (edge-clamped),
    /// where the region's α (`alpha`, row-major w·h) is > 0 (`filledPlanar`).
    public static func centreFillPlanar(_ frames: [RGBFrame], x0: Int, y0: Int, w: Int, h: Int,
                                        alpha: [Float], directional: (reach: Int, sigma: Float)? = nil) -> [Float] {
        precondition(frames.count == LiteArchitecture.window && alpha.count == w * h)
        return filledPlanar(frames[LiteArchitecture.radius], x0: x0, y0: y0, w: w, h: h,
                            hole: alpha.map { $0 > 0 ? UInt8(1) : 0 }, directional: directional)
    }

    /// The fill of `frame` in the `w`×`h` region at (x0, y0) (edge-clamped) where `hole` (row-major
    /// w·h) is not 0: push-pull, or `HoleFill.directional` with `directional`'s reach and sigma.
    /// Planar, 3·w·h values in [0, 1]; the other pixels are the frame's own.
    public static func filledPlanar(_ frame: RGBFrame, x0: Int, y0: Int, w: Int, h: Int,
                                    hole: [UInt8], directional: (reach: Int, sigma: Float)?) -> [Float] {
        precondition(hole.count == w * h)
        var image = [Float](repeating: 0, count: 3 * w * h)
        image.withUnsafeMutableBufferPointer { ip in
            planar(frame, x0: x0, y0: y0, w: w, h: h, into: ip.baseAddress!)
            hole.withUnsafeBufferPointer {
                if let d = directional {
                    HoleFill.directional(ip.baseAddress!, channels: 3, width: w, height: h, hole: $0.baseAddress!, reach: d.reach, sigma: d.sigma)
                } else {
                    HoleFill.fill(ip.baseAddress!, channels: 3, width: w, height: h, hole: $0.baseAddress!)
                }
            }
        }
        return image
    }

    /// Restoration input [1, h, w, 19] and fill [1, h, w, 3], channels-last, for the `w`×`h` region
    /// at (x0, y0) of the window `frames` (edge-clamped), with α of the region (`alpha`, row-major
    /// w·h) and the fill of the centre frame where α > 0 (`centreFillPlanar`): the values of
    /// `window` + α + `centreFill` that `LiteNetwork.restore` concatenates.
    public static func restorationInputChannelsLast(_ frames: [RGBFrame], x0: Int, y0: Int, w: Int, h: Int,
                                                    alpha: [Float], directional: (reach: Int, sigma: Float)? = nil) -> (input: Tensor, fill: Tensor) {
        restorationInputChannelsLast(frames, x0: x0, y0: y0, w: w, h: h, alpha: alpha,
                                     fill: centreFillPlanar(frames, x0: x0, y0: y0, w: w, h: h, alpha: alpha, directional: directional))
    }

    /// The same from a fill made beforehand (`centrePlanar`: planar [3, h, w], region coordinates).
    public static func restorationInputChannelsLast(_ frames: [RGBFrame], x0: Int, y0: Int, w: Int, h: Int,
                                                    alpha: [Float], fill centrePlanar: [Float]) -> (input: Tensor, fill: Tensor) {
        let plane = w * h
        precondition(centrePlanar.count == 3 * plane && alpha.count == plane, "restorationInputChannelsLast: region sizes")
        let cin = LiteArchitecture.restorationInputChannels
        let input = Tensor(shape: [1, h, w, cin], dtype: .f32, zeroed: false)
        let fill = Tensor(shape: [1, h, w, 3], dtype: .f32, zeroed: false)
        let dst = input.f32, fd = fill.f32
        let pixelSources = frames.map { $0.pixels }
        centrePlanar.withUnsafeBufferPointer { cp in
            alpha.withUnsafeBufferPointer { ap in
                parallelFor(h, minChunk: 8) { rows in
                    for y in rows {
                        let sy = min(max(y0 + y, 0), frames[0].height - 1)
                        for x in 0..<w {
                            let sx = min(max(x0 + x, 0), frames[0].width - 1)
                            let s = (sy * frames[0].width + sx) * 3, i = y * w + x
                            let d = dst + i * cin
                            for f in 0..<frames.count {
                                for c in 0..<3 { d[f * 3 + c] = Float(pixelSources[f][s + c]) / 255 }
                            }
                            d[3 * frames.count] = ap[i]
                            for c in 0..<3 {
                                let v = cp[c * plane + i]
                                d[3 * frames.count + 1 + c] = v
                                fd[i * 3 + c] = v
                            }
                        }
                    }
                }
            }
        }
        return (input, fill)
    }
}

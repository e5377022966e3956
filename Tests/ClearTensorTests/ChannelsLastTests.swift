// Channels-last inference ops against the NCHW ops they stand for (which are themselves checked
// against naive references and PyTorch): conv2d (+ fused ReLU, strides, odd channel counts) and
// bilinear resize, on x permuted to [N, H, W, C]. f32: NMSE ≤ 1e-7.
import XCTest
@testable import ClearTensor

final class ChannelsLastTests: XCTestCase {
    func testConvMatchesNCHWConvWithAndWithoutReLU() throws {
        for (i, (c, o, k, stride, h, w)) in [(6, 12, 3, 1, 18, 22), (12, 24, 3, 2, 20, 16), (19, 16, 3, 1, 12, 32),
                                             (56, 12, 3, 1, 9, 7), (24, 12, 1, 1, 10, 10), (16, 3, 3, 1, 8, 8)].enumerated() {
            let x = rand([2, c, h, w], seed: UInt64(10 + i))
            let weight = rand([o, c, k, k], seed: UInt64(30 + i)), bias = rand([o], seed: UInt64(50 + i))
            let xl = try Ops.permute(x, [0, 2, 3, 1])
            for relu in [false, true] {
                var ref = try Ops.conv2d(x, weight: weight, bias: bias, stride: stride, padding: k / 2)
                if relu { ref = try Ops.activation(ref, .relu) }
                let got = try Ops.conv2dChannelsLast(xl, weight: weight, bias: bias, stride: stride, padding: k / 2, relu: relu)
                XCTAssertEqual(got.shape, [ref.shape[0], ref.shape[2], ref.shape[3], ref.shape[1]])
                assertClose(try Ops.channelsFirst(got), ref.floats(), shape: ref.shape, tol: f32Tol, "conv \(c)→\(o) k\(k) s\(stride) relu \(relu)")
            }
        }
    }

    /// A convolution over two tensors' channels, concatenated, equals one convolution per tensor
    /// with the second added to the first (`adding`, oneDNN's sum post-op) and the ReLU after the
    /// sum; the tensor added to is the one returned.
    func testConvAddingToATensorEqualsTheConvOfConcatenatedChannels() throws {
        for (i, (ca, cb, o, k, h, w)) in [(32, 24, 12, 3, 9, 13), (12, 12, 12, 1, 10, 7), (5, 3, 4, 3, 6, 6)].enumerated() {
            let a = rand([1, h, w, ca], seed: UInt64(80 + i)), b = rand([1, h, w, cb], seed: UInt64(90 + i))
            let weight = rand([o, ca + cb, k, k], seed: UInt64(100 + i)), bias = rand([o], seed: UInt64(110 + i))
            let ref = try Ops.conv2dChannelsLast(try Ops.concat([a, b], axis: 3), weight: weight, bias: bias, padding: k / 2, relu: true)
            let first = try Ops.conv2dChannelsLast(a, weight: try Ops.slice(weight, axis: 1, start: 0, end: ca), bias: bias, padding: k / 2)
            let sum = try Ops.conv2dChannelsLast(b, weight: try Ops.slice(weight, axis: 1, start: ca, end: ca + cb), bias: nil,
                                                 padding: k / 2, relu: true, adding: first)
            XCTAssertEqual(sum.raw, first.raw, "the sum is written into the tensor added to")
            assertClose(sum, ref.floats(), shape: ref.shape, tol: f32Tol, "\(ca)+\(cb)→\(o) k\(k)")
            XCTAssertTrue(sum.floats().contains(0) && sum.floats().contains { $0 > 0 }, "the ReLU applies after the sum")
        }
        XCTAssertThrowsError(try Ops.conv2dChannelsLast(rand([1, 4, 4, 2], seed: 1), weight: rand([3, 2, 3, 3], seed: 2), bias: nil,
                                                        padding: 1, adding: rand([1, 4, 4, 2], seed: 3)), "wrong shape to add to")
    }

    /// The 3×3 convolution with one to four outputs (the lite head's and the restoration's last
    /// layers) against a naive loop in double precision and against `conv2dChannelsLast`, at the
    /// frame's edges, with 1 and 2 columns or rows, odd channel counts up to 32 and two images;
    /// NMSE ≤ 1e-7 (f32 sums in another order).
    func testFewOutputConvMatchesANaiveLoop() throws {
        let cases = [(1, 12, 9, 13, 1), (2, 5, 4, 1, 2), (1, 32, 1, 2, 3), (1, 1, 3, 3, 4), (2, 19, 7, 31, 1), (1, 16, 11, 17, 3),
                     (2, 32, 6, 9, 4)]
        for (i, (n, c, h, w, o)) in cases.enumerated() {
            let x = rand([n, h, w, c], seed: UInt64(120 + i)), weight = rand([o, c, 3, 3], seed: UInt64(130 + i))
            let bias = rand([o], seed: UInt64(140 + i))
            let (xs, ws, bs) = (x.floats(), weight.floats(), bias.floats())
            var naive = [Float](repeating: 0, count: n * h * w * o)
            for img in 0..<n { for y in 0..<h { for xo in 0..<w { for k in 0..<o {
                var s = Double(bs[k])
                for ch in 0..<c { for dy in 0..<3 { for dx in 0..<3 {
                    let (yy, xx) = (y + dy - 1, xo + dx - 1)
                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                    s += Double(xs[((img * h + yy) * w + xx) * c + ch]) * Double(ws[((k * c + ch) * 3 + dy) * 3 + dx])
                } } }
                naive[((img * h + y) * w + xo) * o + k] = Float(s)
            } } } }
            let got = try Ops.conv3x3FewOutputsChannelsLast(x, weight: weight, bias: bias)
            XCTAssertEqual(got.shape, [n, h, w, o])
            assertClose(got, naive, shape: [n, h, w, o], tol: f32Tol, "\(n)×\(h)×\(w)×\(c) → \(o) against the naive loop")
            let onednn = try Ops.conv2dChannelsLast(x, weight: weight, bias: bias, padding: 1)
            assertClose(got, onednn.floats(), shape: onednn.shape, tol: f32Tol, "\(n)×\(h)×\(w)×\(c) → \(o) against oneDNN")
        }
        XCTAssertThrowsError(try Ops.conv3x3FewOutputsChannelsLast(rand([1, 4, 4, 3], seed: 1), weight: rand([2, 3, 3, 3], seed: 2),
                                                                   bias: rand([3], seed: 3)), "three biases for two outputs")
        XCTAssertThrowsError(try Ops.conv3x3FewOutputsChannelsLast(rand([1, 4, 4, 3], seed: 1), weight: rand([2, 4, 3, 3], seed: 2),
                                                                   bias: rand([2], seed: 3)), "four input channels for three")
        // five outputs: beyond the kernel, oneDNN's result
        let x5 = rand([1, 5, 6, 7], seed: 4), w5 = rand([5, 7, 3, 3], seed: 5), b5 = rand([5], seed: 6)
        XCTAssertEqual(try Ops.conv3x3FewOutputsChannelsLast(x5, weight: w5, bias: b5).floats(),
                       try Ops.conv2dChannelsLast(x5, weight: w5, bias: b5, padding: 1).floats())
    }

    /// Where the AVX2 kernel runs, it is the path taken (not the oneDNN fallback): its sums differ
    /// from oneDNN's in the last bits on layers as wide as the networks' (one and three outputs).
    func testFewOutputConvRunsTheAVX2KernelWhereAllowed() throws {
        guard KernelDispatch.avx2Allowed else { throw XCTSkip("no AVX2 on this CPU (or CLEARSUB_SIMD=portable)") }
        for (c, o) in [(12, 1), (16, 3)] {
            let x = rand([1, 40, 64, c], seed: 150), weight = rand([o, c, 3, 3], seed: 151), bias = rand([o], seed: 152)
            let got = try Ops.conv3x3FewOutputsChannelsLast(x, weight: weight, bias: bias).floats()
            let onednn = try Ops.conv2dChannelsLast(x, weight: weight, bias: bias, padding: 1).floats()
            XCTAssertNotEqual(got, onednn, "\(c) → \(o): the AVX2 kernel sums in its own order")
        }
    }

    func testConvRejectsBadShapes() {
        XCTAssertThrowsError(try Ops.conv2dChannelsLast(rand([1, 4, 4], seed: 1), weight: rand([2, 4, 3, 3], seed: 2), bias: nil))
        XCTAssertThrowsError(try Ops.conv2dChannelsLast(rand([1, 4, 4, 5], seed: 1), weight: rand([2, 4, 3, 3], seed: 2), bias: nil))
        XCTAssertThrowsError(try Ops.conv2dChannelsLast(rand([1, 4, 4, 4], seed: 1), weight: rand([2, 4, 3, 3], seed: 2),
                                                        bias: rand([3], seed: 3)))
    }

    func testBilinearResizeMatchesNCHWResize() throws {
        for (c, ih, iw, oh, ow) in [(12, 5, 7, 10, 14), (32, 9, 4, 18, 8), (3, 6, 6, 4, 9)] {
            let x = rand([2, c, ih, iw], seed: UInt64(c))
            let ref = try Ops.resize(x, height: oh, width: ow, mode: .bilinear)
            let got = try Ops.resizeChannelsLast(try Ops.permute(x, [0, 2, 3, 1]), height: oh, width: ow)
            assertClose(try Ops.channelsFirst(got), ref.floats(), shape: ref.shape, tol: f32Tol, "resize \(c) \(ih)x\(iw)→\(oh)x\(ow)")
        }
    }

    /// bf16 input and weights with an f32 or bf16 output: the f32 conv of the bf16-rounded operands,
    /// up to the output's rounding (bf16: NMSE ≤ 3e-5; f32 output: f32 accumulation, ≤ 1e-6).
    func testBF16ConvWithF32OrBF16Output() throws {
        guard Ops.nativeBF16 else { throw XCTSkip("no native bf16 convolution on this CPU") }
        let x = rand([1, 24, 12, 20], seed: 71), weight = rand([16, 24, 3, 3], seed: 72), bias = rand([16], seed: 73)
        let ref = try Ops.activation(try Ops.conv2d(x.toBF16().toF32(), weight: weight.toBF16().toF32(), bias: bias, padding: 1), .relu)
        let xl = try Ops.permute(x, [0, 2, 3, 1]).toBF16()
        let y32 = try Ops.conv2dChannelsLast(xl, weight: weight.toBF16(), bias: bias, padding: 1, relu: true, outputDType: .f32)
        XCTAssertEqual(y32.dtype, .f32)
        assertClose(try Ops.channelsFirst(y32), ref.floats(), shape: ref.shape, tol: 1e-6, "bf16 conv, f32 output")
        let y16 = try Ops.conv2dChannelsLast(xl, weight: weight.toBF16(), bias: bias, padding: 1, relu: true)
        XCTAssertEqual(y16.dtype, .bf16)
        assertClose(try Ops.channelsFirst(y16), ref.floats(), shape: ref.shape, tol: 3e-5, "bf16 conv, bf16 output")
    }

    /// bf16 resize: the f32 resize of the same values, rounded once to bf16.
    func testBF16BilinearResizeRoundsTheF32Result() throws {
        let x = try Ops.permute(rand([1, 12, 5, 7], seed: 74), [0, 2, 3, 1]).toBF16()
        let ref = try Ops.resizeChannelsLast(x.toF32(), height: 10, width: 14)
        let got = try Ops.resizeChannelsLast(x, height: 10, width: 14)
        XCTAssertEqual(got.dtype, .bf16)
        XCTAssertEqual(got.floats(), ref.floats().map { BF16.round($0) })
    }
}

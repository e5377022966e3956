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

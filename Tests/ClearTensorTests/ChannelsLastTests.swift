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
}

// PSNR, SSIM, mask dilation and the accumulator on hand-made frames with known answers.
import XCTest
import ClearMedia
@testable import ClearMetrics

func rgbFrame(width: Int, height: Int, _ value: (Int, Int, Int) -> Int) -> RGBFrame {
    var p = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height { for x in 0..<width { for c in 0..<3 { p[3 * (y * width + x) + c] = UInt8(clamping: value(x, y, c)) } } }
    return RGBFrame(width: width, height: height, pixels: p)
}

/// A textured frame whose content is translated by (dx, dy) (rounded to 8 bits).
func texturedFrame(width: Int, height: Int, dx: Double = 0, dy: Double = 0) -> RGBFrame {
    let p = texturePlane(width: width, height: height, dx: dx, dy: dy)
    return rgbFrame(width: width, height: height) { x, y, c in Int(p[x, y].rounded()) + 10 * c - 10 }
}

final class MetricsUnitTests: XCTestCase {
    func testPSNRKnownValueAndCap() {
        let a = rgbFrame(width: 8, height: 6) { x, y, c in 100 + x + y + c }
        let b = rgbFrame(width: 8, height: 6) { x, y, c in 105 + x + y + c }
        XCTAssertEqual(PSNR.psnr(a, b), 10 * log10(255.0 * 255.0 / 25.0), accuracy: 1e-12)
        XCTAssertEqual(PSNR.psnr(a, a), .infinity)
        XCTAssertEqual(PSNR.capped(PSNR.psnr(a, a)), 100)
    }

    func testSSIMIdenticalIsOneAndDegrades() throws {
        let a = texturedFrame(width: 40, height: 30)
        XCTAssertEqual(try XCTUnwrap(SSIM.ssim(a, a)), 1, accuracy: 1e-6)
        let noisy = rgbFrame(width: 40, height: 30) { x, y, c in Int(a.pixels[3 * (y * 40 + x) + c]) + ((x * 7 + y * 13) % 5 - 2) * 6 }
        let s = try XCTUnwrap(SSIM.ssim(a, noisy))
        XCTAssertLessThan(s, 0.99)
        XCTAssertGreaterThan(s, 0.3)
    }

    func testSSIMNeedsTheWholeWindow() {
        let a = RGBFrame(width: 10, height: 30, fill: (1, 2, 3))
        XCTAssertNil(SSIM.ssim(a, a))
        XCTAssertNotNil(SSIM.ssim(RGBFrame(width: 11, height: 11), RGBFrame(width: 11, height: 11)))
    }

    func testMaskDilationIsA5x5Square() {
        var op = GrayFrame(width: 9, height: 9)
        op.pixels[4 * 9 + 4] = 1    // opacity 1/255 still counts
        let d = MaskDilation.region(opacity: op)
        XCTAssertEqual(d.insideCount, 25)
        for y in 0..<9 { for x in 0..<9 {
            XCTAssertEqual(d.bits[y * 9 + x], (abs(x - 4) <= 2 && abs(y - 4) <= 2) ? 1 : 0, "(\(x), \(y))")
        } }
        var corner = GrayFrame(width: 9, height: 9)
        corner.pixels[0] = 255
        XCTAssertEqual(MaskDilation.region(opacity: corner).insideCount, 9)   // clipped at the border
        XCTAssertTrue(MaskDilation.region(opacity: GrayFrame(width: 9, height: 9)).isEmpty)
    }

    /// The dilation split into row ranges (as the lite engine runs it, over threads) equals the
    /// whole-frame call and a brute-force Chebyshev-distance check, for several radii.
    func testMaskDilationSplitIntoRowRangesIsTheSame() {
        let (w, h) = (53, 41)
        var bits = [UInt8](repeating: 0, count: w * h)
        for (x, y) in [(0, 0), (10, 5), (11, 5), (30, 20), (52, 40), (25, 39), (40, 12)] { bits[y * w + x] = 1 }
        for x in 14..<29 { bits[30 * w + x] = 1 }   // a run
        let mask = BinaryMask(width: w, height: h, bits: bits)
        for radius in [1, 2, 5, 17] {
            let whole = MaskDilation.dilate(mask, radius: radius)
            let split = MaskDilation.dilate(mask, radius: radius) { n, body in
                var start = 0
                while start < n { body(start..<min(n, start + 3)); start += 3 }   // ranges of 3 rows
            }
            XCTAssertEqual(split, whole, "radius \(radius)")
            for y in 0..<h { for x in 0..<w {
                var near: UInt8 = 0
                for yy in max(0, y - radius)...min(h - 1, y + radius) { for xx in max(0, x - radius)...min(w - 1, x + radius) where bits[yy * w + xx] != 0 { near = 1 } }
                XCTAssertEqual(whole.bits[y * w + x], near, "radius \(radius) (\(x), \(y))")
            } }
        }
    }

    func testIdenticalVideosGiveCapsAndOne() throws {
        let acc = MetricsAccumulator(width: 48, height: 36, hasMask: false)
        for t in 0..<3 {
            let f = texturedFrame(width: 48, height: 36, dx: Double(t) * 1.5)
            try acc.add(reference: f, candidate: f)
        }
        let r = acc.report()
        XCTAssertEqual(r.psnr, 100)
        XCTAssertEqual(r.psnrClip, 100)
        XCTAssertEqual(try XCTUnwrap(r.ssim), 1, accuracy: 1e-6)
        XCTAssertNil(r.psnrInsideMask)
        XCTAssertNil(r.psnrOutsideMask)
        XCTAssertEqual(r.warpingPairs, 2)
        // JSON must stay valid (no infinity).
        XCTAssertTrue(JSONSerialization.isValidJSONObject(r.jsonObject()))
        XCTAssertNoThrow(try JSONSerialization.data(withJSONObject: r.jsonObject()))
    }

    func testStaticVideoHasNoWarpingError() throws {
        let f = texturedFrame(width: 48, height: 36)
        let acc = MetricsAccumulator(width: 48, height: 36, hasMask: false)
        for _ in 0..<3 { try acc.add(reference: f, candidate: f) }
        let r = acc.report()
        XCTAssertEqual(try XCTUnwrap(r.warpingError), 0, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(r.warpingVisibleFraction), 1, accuracy: 1e-12)
    }

    func testSingleFrameHasNoWarpingError() throws {
        let f = texturedFrame(width: 24, height: 16)
        let acc = MetricsAccumulator(width: 24, height: 16, hasMask: false)
        try acc.add(reference: f, candidate: f)
        XCTAssertNil(acc.report().warpingError)
        XCTAssertEqual(acc.report().warpingPairs, 0)
    }

    func testMaskSplitAndEmptyMask() throws {
        let w = 20, h = 20
        let ref = RGBFrame(width: w, height: h, fill: (50, 60, 70))
        // The candidate differs by 10 in a 2×2 block (inside the mask) and by 1 at a far corner.
        let cand = rgbFrame(width: w, height: h) { x, y, c in
            let base = [50, 60, 70][c]
            if (9...10).contains(x) && (9...10).contains(y) { return base + 10 }
            return (x == 0 && y == 0) ? base + 1 : base
        }
        var op = GrayFrame(width: w, height: h)
        for y in 9...10 { for x in 9...10 { op.pixels[y * w + x] = 200 } }
        let acc = MetricsAccumulator(width: w, height: h, hasMask: true)
        try acc.add(reference: ref, candidate: cand, mask: op)
        try acc.add(reference: ref, candidate: cand, mask: GrayFrame(width: w, height: h))   // empty: all outside
        let r = acc.report()
        // Inside: frame 0's 6×6 dilated block (36 px), 4 px off by 10 in 3 channels.
        XCTAssertEqual(try XCTUnwrap(r.psnrInsideMask), PSNR.psnr(mse: 4 * 3 * 100 / (36 * 3)), accuracy: 1e-9)
        // Outside: frame 0's 364 px with the corner off by 1, and all 400 px of frame 1.
        let outsideSSE = 3.0 + (4 * 3 * 100 + 3)
        XCTAssertEqual(try XCTUnwrap(r.psnrOutsideMask), PSNR.psnr(mse: outsideSSE / Double(3 * (364 + 400))), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.maskFraction), 36.0 / 800, accuracy: 1e-12)

        let empty = MetricsAccumulator(width: w, height: h, hasMask: true)
        try empty.add(reference: ref, candidate: cand, mask: GrayFrame(width: w, height: h))
        XCTAssertNil(empty.report().psnrInsideMask)
        XCTAssertNil(empty.report().psnrOutsideMask)
    }

    func testFrameSizeMismatchIsATypedError() {
        let acc = MetricsAccumulator(width: 16, height: 16, hasMask: false)
        XCTAssertThrowsError(try acc.add(reference: RGBFrame(width: 16, height: 16), candidate: RGBFrame(width: 16, height: 8))) {
            guard case MetricsError.sizeMismatch(let role, _, _, let h, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(role, "candidate")
            XCTAssertEqual(h, 8)
        }
    }
}

// The text-left rate (TextResidue.swift) and region PSNR (RegionPSNR.swift), alone and through
// the accumulator, on hand-made frames with known answers.
import XCTest
import ClearMedia
@testable import ClearMetrics

final class TextLeftAndRegionTests: XCTestCase {
    /// Opacity 255 on the rectangle [x0, x1) × [y0, y1), 60 (faint) on the row below it.
    private func textMask(_ w: Int, _ h: Int, x0: Int, y0: Int, x1: Int, y1: Int) -> GrayFrame {
        var m = GrayFrame(width: w, height: h)
        for y in y0..<y1 { for x in x0..<x1 { m.pixels[y * w + x] = 255 } }
        if y1 < h { for x in x0..<x1 { m.pixels[y1 * w + x] = 60 } }
        return m
    }

    /// `base` with `count` of the mask's strong pixels (row-major order) shifted by `delta` in green.
    private func residue(_ base: RGBFrame, _ mask: GrayFrame, count: Int, delta: Int) -> RGBFrame {
        var f = base
        var left = count
        for p in 0..<mask.pixels.count where mask.pixels[p] >= 128 && left > 0 {
            f.pixels[3 * p + 1] = UInt8(clamping: Int(f.pixels[3 * p + 1]) + delta)
            left -= 1
        }
        return f
    }

    func testTextLeftNeedsMoreThanATenthOfTheTextPixelsOver40Levels() {
        let clean = RGBFrame(width: 20, height: 10, fill: (100, 100, 100))
        let mask = textMask(20, 10, x0: 0, y0: 2, x1: 20, y1: 7)      // 100 text pixels
        XCTAssertEqual(TextResidue.count(reference: clean, candidate: clean, opacity: mask),
                       TextResidue.Count(textPixels: 100, residualPixels: 0))
        let ten = TextResidue.count(reference: clean, candidate: residue(clean, mask, count: 10, delta: 41), opacity: mask)
        XCTAssertEqual(ten.residualPixels, 10)
        XCTAssertFalse(ten.textLeft, "exactly 10 % is not more than 10 %")
        XCTAssertTrue(TextResidue.count(reference: clean, candidate: residue(clean, mask, count: 11, delta: 41), opacity: mask).textLeft)
        XCTAssertFalse(TextResidue.count(reference: clean, candidate: residue(clean, mask, count: 60, delta: 40), opacity: mask).textLeft,
                       "a difference of exactly 40 levels is not residual")
        // Faint edges (opacity < 0.5) are never judged, however wrong.
        var faintOnly = GrayFrame(width: 20, height: 10)
        for x in 0..<20 { faintOnly.pixels[x] = 127 }
        let faint = TextResidue.count(reference: clean, candidate: RGBFrame(width: 20, height: 10, fill: (255, 255, 255)), opacity: faintOnly)
        XCTAssertFalse(faint.hasText)
        XCTAssertFalse(faint.textLeft)
    }

    func testAccumulatorCountsFramesWithTextOnly() throws {
        let clean = RGBFrame(width: 24, height: 16, fill: (60, 80, 100))
        let mask = textMask(24, 16, x0: 4, y0: 4, x1: 20, y1: 9)
        let subbed = residue(clean, mask, count: 80, delta: 150)
        let acc = MetricsAccumulator(width: 24, height: 16, hasMask: true, options: EvaluationOptions(warpingError: false))
        try acc.add(reference: clean, candidate: subbed, mask: mask)                       // text left
        try acc.add(reference: clean, candidate: clean, mask: mask)                        // removed
        try acc.add(reference: clean, candidate: subbed, mask: GrayFrame(width: 24, height: 16))   // no text: not judged
        try acc.add(reference: clean, candidate: subbed, mask: mask)                       // text left
        let r = acc.report()
        XCTAssertEqual(r.textFrames, 3)
        XCTAssertEqual(r.textLeftFrames, 2)
        XCTAssertEqual(try XCTUnwrap(r.textLeftFrameRatio), 2.0 / 3.0, accuracy: 1e-12)
        // Graded: 80 residual pixels in each of two text-left frames, over 3 · 80 text pixels.
        XCTAssertEqual(r.textPixels, 240)
        XCTAssertEqual(try XCTUnwrap(r.textResidualPixelRatio), 160.0 / 240.0, accuracy: 1e-12)
        let json = r.jsonObject()
        XCTAssertEqual(json["text_left_frame_ratio"] as? Double ?? -1, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(json["text_frames"] as? Int, 3)
        // Without a mask there is nothing to judge.
        let plain = MetricsAccumulator(width: 24, height: 16, hasMask: false, options: EvaluationOptions(warpingError: false))
        try plain.add(reference: clean, candidate: subbed)
        XCTAssertNil(plain.report().textLeftFrameRatio)
        XCTAssertTrue(plain.report().jsonObject()["text_left_frame_ratio"] is NSNull)
    }

    func testRegionParsing() throws {
        XCTAssertEqual(try PixelRect(parsing: "0, 10,320,120"), PixelRect(x: 0, y: 10, width: 320, height: 120))
        for bad in ["", "1,2,3", "1,2,3,4,5", "a,b,c,d", "-1,0,4,4", "0,0,0,4", "0,0,4,"] {
            XCTAssertThrowsError(try PixelRect(parsing: bad), bad) { e in
                XCTAssertEqual(e as? MetricsError, .invalidRegion(bad))
            }
        }
        XCTAssertTrue(PixelRect(x: 2, y: 2, width: 8, height: 4).fits(frameWidth: 10, frameHeight: 6))
        XCTAssertFalse(PixelRect(x: 3, y: 2, width: 8, height: 4).fits(frameWidth: 10, frameHeight: 6))
    }

    func testRegionPSNRSeesOnlyItsRectangle() throws {
        let clean = rgbFrame(width: 32, height: 24) { x, y, c in 50 + x + 2 * y + c }
        // Damage the bottom half heavily, the top-left 8 × 6 block by exactly 5 levels.
        let damaged = rgbFrame(width: 32, height: 24) { x, y, c in
            let v = 50 + x + 2 * y + c
            return y >= 12 ? v + 100 : (x < 8 && y < 6 ? v + 5 : v)
        }
        let top = PixelRect(x: 0, y: 0, width: 32, height: 12)
        let e = PSNR.squaredError(clean, damaged, in: top)
        XCTAssertEqual(e.count, 32 * 12 * 3)
        XCTAssertEqual(e.sum, 8 * 6 * 3 * 25)
        XCTAssertEqual(PSNR.squaredError(clean, damaged, in: PixelRect(x: 8, y: 0, width: 24, height: 12)).sum, 0)

        var mask = GrayFrame(width: 32, height: 24)
        mask.pixels[20 * 32 + 16] = 255                                  // far from the region
        let acc = MetricsAccumulator(width: 32, height: 24, hasMask: true, options: EvaluationOptions(warpingError: false, region: top))
        try acc.add(reference: clean, candidate: damaged, mask: mask)
        try acc.add(reference: clean, candidate: clean, mask: mask)
        let r = acc.report()
        XCTAssertEqual(try XCTUnwrap(r.psnrRegion), 10 * log10(255.0 * 255.0 / (Double(8 * 6 * 3 * 25) / Double(2 * 32 * 12 * 3))), accuracy: 1e-9)
        XCTAssertEqual(r.regionMaskFraction, 0)
        XCTAssertLessThan(r.psnrClip, 30)                                 // the frame as a whole is far worse
        XCTAssertEqual(r.jsonObject()["region"] as? String, "0,0,32,12")

        let outside = MetricsAccumulator(width: 32, height: 24, hasMask: false,
                                         options: EvaluationOptions(warpingError: false, region: PixelRect(x: 30, y: 0, width: 4, height: 4)))
        XCTAssertThrowsError(try outside.add(reference: clean, candidate: clean)) { e in
            XCTAssertEqual(e as? MetricsError, .regionOutsideFrame(PixelRect(x: 30, y: 0, width: 4, height: 4), width: 32, height: 24))
        }
    }
}

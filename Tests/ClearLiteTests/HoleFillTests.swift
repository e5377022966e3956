// HoleFill (push-pull fill): known pixels are never modified, a hole in a constant image takes
// the constant, a hole between two colours takes values between them, and degenerate masks
// (no hole, all hole) leave the image as it is.
import XCTest
import ClearLite

final class HoleFillTests: XCTestCase {
    func run(_ image: [Float], channels: Int, width: Int, height: Int, hole: [UInt8]) -> [Float] {
        var img = image
        img.withUnsafeMutableBufferPointer { ip in
            hole.withUnsafeBufferPointer { hp in
                HoleFill.fill(ip.baseAddress!, channels: channels, width: width, height: height, hole: hp.baseAddress!)
            }
        }
        return img
    }

    func testKnownPixelsUnchangedAndConstantHoleTakesTheConstant() {
        let (w, h) = (37, 23)
        var img = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 { for i in 0..<(w * h) { img[c * w * h + i] = Float(c + 1) * 0.2 } }
        var hole = [UInt8](repeating: 0, count: w * h)
        for y in 5..<15 { for x in 3..<30 { hole[y * w + x] = 1; for c in 0..<3 { img[c * w * h + y * w + x] = 9 } } }
        let out = run(img, channels: 3, width: w, height: h, hole: hole)
        for c in 0..<3 { for i in 0..<(w * h) {
            if hole[i] == 0 { XCTAssertEqual(out[c * w * h + i], img[c * w * h + i]) }
            else { XCTAssertEqual(out[c * w * h + i], Float(c + 1) * 0.2, accuracy: 1e-5) }
        } }
    }

    func testHoleBetweenTwoColoursIsBoundedByThem() {
        let (w, h) = (64, 16)
        var img = [Float](repeating: 0, count: w * h), hole = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { img[y * w + x] = x < 32 ? 0.1 : 0.9; if (20..<44).contains(x) { hole[y * w + x] = 1; img[y * w + x] = -5 } } }
        let out = run(img, channels: 1, width: w, height: h, hole: hole)
        for y in 0..<h { for x in 20..<44 {
            XCTAssert(out[y * w + x] >= 0.1 - 1e-5 && out[y * w + x] <= 0.9 + 1e-5, "\(x),\(y): \(out[y * w + x])")
        } }
        // Near the left edge of the hole the fill is closer to the left colour, and vice versa.
        XCTAssertLessThan(out[8 * w + 21], out[8 * w + 42])
    }

    func testNoHoleOrAllHoleLeavesTheImage() {
        let img: [Float] = (0..<(8 * 8)).map { Float($0) / 64 }
        XCTAssertEqual(run(img, channels: 1, width: 8, height: 8, hole: [UInt8](repeating: 0, count: 64)), img)
        XCTAssertEqual(run(img, channels: 1, width: 8, height: 8, hole: [UInt8](repeating: 1, count: 64)), img)
    }
}

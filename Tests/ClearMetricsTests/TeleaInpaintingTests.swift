// Telea's fast-marching inpainting (TeleaInpainting.swift) on hand-made frames: constant fills are
// exact, ramps are extrapolated closely, pixels outside the mask are untouched, and the fill runs
// outwards-in, in order of distance to the known region.
import XCTest
import ClearMedia
@testable import ClearMetrics

final class TeleaInpaintingTests: XCTestCase {
    /// A mask with the rectangle [x0, x1) × [y0, y1) set.
    private func rectMask(_ w: Int, _ h: Int, x0: Int, y0: Int, x1: Int, y1: Int) -> BinaryMask {
        var bits = [UInt8](repeating: 0, count: w * h)
        for y in y0..<y1 { for x in x0..<x1 { bits[y * w + x] = 1 } }
        return BinaryMask(width: w, height: h, bits: bits)
    }

    /// `base` with white "text" written into the mask's pixels.
    private func withText(_ base: RGBFrame, _ mask: BinaryMask) -> RGBFrame {
        var f = base
        for i in 0..<mask.bits.count where mask.bits[i] != 0 { for c in 0..<3 { f.pixels[3 * i + c] = 255 } }
        return f
    }

    func testConstantImageIsFilledExactly() {
        let clean = RGBFrame(width: 30, height: 20, fill: (90, 140, 30))
        let mask = rectMask(30, 20, x0: 8, y0: 5, x1: 22, y1: 14)
        let out = TeleaInpainting.inpaint(withText(clean, mask), mask: mask)
        XCTAssertEqual(out, clean)
    }

    func testLinearRampIsFilledClosely() {
        let clean = rgbFrame(width: 40, height: 30) { x, y, c in 20 + 3 * x + 2 * y + 15 * c }
        let mask = rectMask(40, 30, x0: 12, y0: 9, x1: 28, y1: 21)
        let out = TeleaInpainting.inpaint(withText(clean, mask), mask: mask)
        var worst = 0
        for i in 0..<clean.pixels.count { worst = max(worst, abs(Int(out.pixels[i]) - Int(clean.pixels[i]))) }
        XCTAssertLessThanOrEqual(worst, 2, "largest error on a linear ramp")
        // The white text would be a 100+ level error: the fill really replaced it.
        XCTAssertGreaterThan(PSNR.psnr(out, clean), 45)
    }

    func testPixelsOutsideTheMaskAreBitIdentical() {
        let input = texturedFrame(width: 48, height: 36)
        var bits = [UInt8](repeating: 0, count: 48 * 36)
        for i in stride(from: 7, to: bits.count, by: 13) { bits[i] = 1 }           // scattered holes
        for y in 20..<26 { for x in 5..<40 { bits[y * 48 + x] = 1 } }             // and a band
        let mask = BinaryMask(width: 48, height: 36, bits: bits)
        let out = TeleaInpainting.inpaint(input, mask: mask)
        var changed = 0
        for p in 0..<(48 * 36) {
            for c in 0..<3 {
                if mask.bits[p] == 0 {
                    XCTAssertEqual(out.pixels[3 * p + c], input.pixels[3 * p + c], "pixel \(p) outside the mask changed")
                } else if out.pixels[3 * p + c] != input.pixels[3 * p + c] {
                    changed += 1
                }
            }
        }
        XCTAssertGreaterThan(changed, 0, "nothing inside the mask was filled")
    }

    func testFillOrderFollowsTheDistance() {
        let w = 21, h = 21
        let mask = rectMask(w, h, x0: 6, y0: 6, x1: 15, y1: 15)       // 9 × 9 hole, centre (10, 10)
        let fill = TeleaInpainting.fill(texturedFrame(width: w, height: h), mask: mask, radius: 3)
        XCTAssertEqual(fill.order.count, 81)
        XCTAssertEqual(Set(fill.order).count, 81)
        XCTAssertTrue(fill.order.allSatisfy { mask.bits[$0] == 1 })
        let d = fill.order.map { fill.distance[$0] }
        for k in 1..<d.count { XCTAssertLessThanOrEqual(d[k - 1], d[k], "fill step \(k)") }
        // The hole's border ring first (distance 1), its centre last (5 steps from the known pixels).
        XCTAssertEqual(Set(fill.order.prefix(32)), Set((0..<(w * h)).filter { i in
            let x = i % w, y = i / w
            return mask.bits[i] == 1 && (x == 6 || x == 14 || y == 6 || y == 14)
        }))
        XCTAssertEqual(fill.order.last, 10 * w + 10)
        XCTAssertEqual(fill.distance[10 * w + 10], 5, accuracy: 0.5)
        XCTAssertEqual(fill.distance[0], 0)
    }

    func testEmptyAndFullMasksLeaveTheFrame() {
        let input = texturedFrame(width: 16, height: 12)
        XCTAssertEqual(TeleaInpainting.inpaint(input, mask: BinaryMask(width: 16, height: 12, bits: [UInt8](repeating: 0, count: 192))), input)
        XCTAssertEqual(TeleaInpainting.inpaint(input, mask: BinaryMask(width: 16, height: 12, bits: [UInt8](repeating: 1, count: 192))), input)
    }

    func testHeapPopsInDistanceThenInsertionOrder() {
        var heap = DistanceHeap()
        for (t, i) in [(3.0, 0), (1.0, 1), (2.0, 2), (1.0, 3), (0.5, 4)] as [(Float, Int)] { heap.push(t, i) }
        var out: [Int] = []
        while let (_, i) = heap.pop() { out.append(i) }
        XCTAssertEqual(out, [4, 1, 3, 2, 0])
        XCTAssertTrue(heap.isEmpty)
    }
}

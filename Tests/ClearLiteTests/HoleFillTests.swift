// HoleFill (push-pull fill): known pixels are never modified, a hole in a constant image takes
// the constant, a hole between two colours takes values between them, and degenerate masks
// (no hole, all hole) leave the image as it is; the directional fill and the smoothing against
// their definitions.
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

    func runDirectional(_ image: [Float], channels: Int, width: Int, height: Int, hole: [UInt8], reach: Int, sigma: Float = 20 / 255) -> [Float] {
        var img = image
        img.withUnsafeMutableBufferPointer { ip in
            hole.withUnsafeBufferPointer { hp in
                HoleFill.directional(ip.baseAddress!, channels: channels, width: width, height: height, hole: hp.baseAddress!,
                                     reach: reach, sigma: sigma)
            }
        }
        return img
    }

    /// A sharp vertical edge crossed by a thin horizontal hole (a line of text over a doorframe):
    /// the column through each hole pixel has equal ends, so the directional fill gives the edge
    /// back exactly; the push-pull fill blurs it. Known pixels are never modified.
    func testDirectionalFillCarriesAnEdgeAcrossAThinHole() {
        let (w, h) = (48, 24)
        var img = [Float](repeating: 0, count: 3 * w * h), hole = [UInt8](repeating: 0, count: w * h), truth = img
        for c in 0..<3 { for y in 0..<h { for x in 0..<w { truth[c * w * h + y * w + x] = x < 20 ? 0.2 + 0.1 * Float(c) : 0.8 } } }
        img = truth
        for y in 10..<14 { for x in 4..<44 { hole[y * w + x] = 1; for c in 0..<3 { img[c * w * h + y * w + x] = 1 } } }
        let out = runDirectional(img, channels: 3, width: w, height: h, hole: hole, reach: 16)
        for c in 0..<3 { for i in 0..<(w * h) { XCTAssertEqual(out[c * w * h + i], truth[c * w * h + i], accuracy: 1e-5, "channel \(c), pixel \(i)") } }
        let pushPull = run(img, channels: 3, width: w, height: h, hole: hole)
        XCTAssertGreaterThan(abs(pushPull[11 * w + 19] - truth[11 * w + 19]), 0.05, "push-pull blurs the edge (the case the directional fill is for)")
        XCTAssertGreaterThan(abs(pushPull[11 * w + 20] - truth[11 * w + 20]), 0.05)
    }

    /// A ramp across the hole along the row, constant along the column: both directions agree
    /// with the ramp, so the fill is the ramp. Ends farther apart than `reach` on every line leave
    /// the push-pull fill.
    func testDirectionalFillInterpolatesAndFallsBackToPushPull() {
        let (w, h) = (40, 20)
        var img = [Float](repeating: 0, count: w * h), hole = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { img[y * w + x] = Float(x) / Float(w) } }
        let truth = img
        for y in 8..<11 { for x in 15..<18 { hole[y * w + x] = 1; img[y * w + x] = 7 } }
        let out = runDirectional(img, channels: 1, width: w, height: h, hole: hole, reach: 8)
        for i in 0..<(w * h) { XCTAssertEqual(out[i], truth[i], accuracy: 1e-5, "pixel \(i)") }
        // a 12 × 12 hole with reach 4: no line through it has both ends within reach (13 px apart)
        var big = [UInt8](repeating: 0, count: w * h), bigImg = truth
        for y in 4..<16 { for x in 14..<26 { big[y * w + x] = 1; bigImg[y * w + x] = 7 } }
        XCTAssertEqual(runDirectional(bigImg, channels: 1, width: w, height: h, hole: big, reach: 4),
                       run(bigImg, channels: 1, width: w, height: h, hole: big))
        // with reach 13 every pixel has both ends on its row, and the row is the ramp
        let reached = runDirectional(bigImg, channels: 1, width: w, height: h, hole: big, reach: 13)
        XCTAssertEqual(reached[10 * w + 20], truth[10 * w + 20], accuracy: 1e-5)
    }

    /// `HoleFill.smooth` against a naive reference: each pass, a hole pixel takes the 5×5
    /// binomial ([1 4 6 4 1]/16 ⊗ itself) weighted sum of the image, edges clamped; known pixels
    /// never change; 0 passes change nothing; a linear ramp is left as it is away from the edges.
    func testSmoothMatchesANaiveBinomialBlurOfTheHoleOnly() {
        let (w, h, channels) = (23, 17, 2)
        var img = [Float](repeating: 0, count: channels * w * h), hole = [UInt8](repeating: 0, count: w * h)
        for i in img.indices { img[i] = Float((i * 7919) % 101) / 100 }
        for y in 3..<12 { for x in 2..<20 where (x + y) % 3 != 0 { hole[y * w + x] = 1 } }
        hole[0] = 1; hole[w * h - 1] = 1   // corners: the clamped edges
        let taps: [Float] = [1, 4, 6, 4, 1].map { $0 / 16 }
        func reference(_ source: [Float]) -> [Float] {
            var out = source
            for c in 0..<channels { for y in 0..<h { for x in 0..<w where hole[y * w + x] != 0 {
                var v: Float = 0
                for dy in -2...2 { for dx in -2...2 {
                    let (yy, xx) = (min(max(y + dy, 0), h - 1), min(max(x + dx, 0), w - 1))
                    v += taps[dy + 2] * taps[dx + 2] * source[c * w * h + yy * w + xx]
                } }
                out[c * w * h + y * w + x] = v
            } } }
            return out
        }
        func smoothed(_ source: [Float], passes: Int) -> [Float] {
            var out = source
            out.withUnsafeMutableBufferPointer { op in hole.withUnsafeBufferPointer { hp in
                HoleFill.smooth(op.baseAddress!, channels: channels, width: w, height: h, hole: hp.baseAddress!, passes: passes)
            } }
            return out
        }
        XCTAssertEqual(smoothed(img, passes: 0), img)
        for (passes, expected) in [(1, reference(img)), (2, reference(reference(img)))] {
            let out = smoothed(img, passes: passes)
            for i in out.indices { XCTAssertEqual(out[i], expected[i], accuracy: 1e-5, "\(passes) passes, value \(i)") }
            for c in 0..<channels { for p in 0..<(w * h) where hole[p] == 0 { XCTAssertEqual(out[c * w * h + p], img[c * w * h + p]) } }
        }
        var ramp = [Float](repeating: 0, count: w * h), inner = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { ramp[y * w + x] = Float(x) / Float(w) + Float(y) / Float(2 * h) } }
        for y in 5..<12 { for x in 5..<18 { inner[y * w + x] = 1 } }
        var r = ramp
        r.withUnsafeMutableBufferPointer { rp in inner.withUnsafeBufferPointer { hp in
            HoleFill.smooth(rp.baseAddress!, channels: 1, width: w, height: h, hole: hp.baseAddress!, passes: 3)
        } }
        for i in r.indices { XCTAssertEqual(r[i], ramp[i], accuracy: 1e-5) }
    }
}

// Farnebäck flow on synthetic translations with a known vector, and the warp / visibility rule.
import XCTest
import ClearMedia
@testable import ClearMetrics

/// A smooth analytic texture (sum of sinusoids, periods 10–40 px), sampled at (x − dx, y − dy):
/// the same content translated by (dx, dy).
func texturePlane(width: Int, height: Int, dx: Double = 0, dy: Double = 0) -> Plane {
    let waves: [(Double, Double, Double, Double)] = [
        (1 / 17.0, 1 / 29.0, 0.3, 30), (-1 / 23.0, 1 / 13.0, 1.7, 25), (1 / 11.0, -1 / 37.0, 2.9, 18),
        (1 / 41.0, 1 / 19.0, 4.1, 22), (-1 / 31.0, -1 / 10.5, 5.3, 12),
    ]
    var values = [Float](repeating: 0, count: width * height)
    for y in 0..<height {
        for x in 0..<width {
            var v = 128.0
            for (fx, fy, ph, a) in waves {
                v += a * sin(2 * Double.pi * (fx * (Double(x) - dx) + fy * (Double(y) - dy)) + ph)
            }
            values[y * width + x] = Float(v)
        }
    }
    return Plane(width: width, height: height, values: values)
}

final class FlowTests: XCTestCase {
    /// Mean and largest endpoint error against a constant vector, `margin` px from the border.
    func errors(_ f: FlowField, _ u: Float, _ v: Float, margin: Int) -> (mean: Double, max: Double) {
        var sum = 0.0, worst = 0.0, n = 0
        for y in margin..<(f.height - margin) {
            for x in margin..<(f.width - margin) {
                let du = Double(f.u[x, y] - u), dv = Double(f.v[x, y] - v)
                let e = (du * du + dv * dv).squareRoot()
                sum += e; worst = max(worst, e); n += 1
            }
        }
        return (sum / Double(n), worst)
    }

    func testSubPixelTranslationRecovered() {
        let a = texturePlane(width: 96, height: 72)
        let b = texturePlane(width: 96, height: 72, dx: 2.3, dy: -1.2)
        let f = OpticalFlow.farneback(from: a, to: b)
        let e = errors(f, 2.3, -1.2, margin: 10)
        XCTAssertLessThan(e.mean, 0.1, "mean endpoint error")
        XCTAssertLessThan(e.max, 0.25, "largest endpoint error in the interior")
        // And the reverse direction.
        let r = errors(OpticalFlow.farneback(from: b, to: a), -2.3, 1.2, margin: 10)
        XCTAssertLessThan(r.max, 0.25)
    }

    func testLargerTranslationUsesThePyramid() {
        let a = texturePlane(width: 128, height: 96)
        let b = texturePlane(width: 128, height: 96, dx: -5.6, dy: 3.4)
        let e = errors(OpticalFlow.farneback(from: a, to: b), -5.6, 3.4, margin: 14)
        XCTAssertLessThan(e.mean, 0.1)
        XCTAssertLessThan(e.max, 0.25)
    }

    func testDownscaledFlowIsUpsampledToFrameSize() {
        // 200 rows with maxHeight 100: the flow is computed at half size, vectors scaled back ×2.
        var p = FarnebackParameters()
        p.maxHeight = 100
        let a = texturePlane(width: 160, height: 200)
        let b = texturePlane(width: 160, height: 200, dx: 3.0, dy: 1.6)
        let f = OpticalFlow.farneback(from: FlowFrame(luma: a, parameters: p), to: FlowFrame(luma: b, parameters: p))
        XCTAssertEqual(f.width, 160)
        XCTAssertEqual(f.height, 200)
        XCTAssertEqual(FlowFrame.flowSize(width: 160, height: 200, maxHeight: 100).1, 100)
        let e = errors(f, 3.0, 1.6, margin: 20)
        XCTAssertLessThan(e.mean, 0.15)
        XCTAssertLessThan(e.max, 0.25)
    }

    func testIdenticalFramesGiveZeroFlow() {
        let a = texturePlane(width: 64, height: 48)
        let f = OpticalFlow.farneback(from: a, to: a)
        XCTAssertEqual(errors(f, 0, 0, margin: 0).max, 0, accuracy: 1e-6)
    }

    func testFlatFramesKeepZeroFlow() {
        // No texture at all: the regularisation keeps the (zero) prior instead of dividing by zero.
        let a = Plane(width: 40, height: 30, fill: 90), b = Plane(width: 40, height: 30, fill: 90)
        let f = OpticalFlow.farneback(from: a, to: b)
        XCTAssertEqual(errors(f, 0, 0, margin: 0).max, 0, accuracy: 1e-6)
    }

    func testVisibilityRule() {
        // Consistent flows: everything whose source lies inside the frame is visible.
        let f = FlowField(width: 20, height: 10, u: -3, v: 0), b = FlowField(width: 20, height: 10, u: 3, v: 0)
        let m = Warp.visibility(backward: f, forward: b)
        XCTAssertEqual(m.insideCount, 17 * 10)   // columns 0…2 come from outside the frame
        XCTAssertEqual(m.bits[0], 0)
        XCTAssertEqual(m.bits[3], 1)
        // Inconsistent flows (forward does not undo backward): |f + b|² = 4 > 0.01·(9 + 1) + 0.5.
        let bad = FlowField(width: 20, height: 10, u: 1, v: 0)
        XCTAssertEqual(Warp.visibility(backward: f, forward: bad).insideCount, 0)
        // Small inconsistency within the 0.5 px² slack stays visible.
        let near = FlowField(width: 20, height: 10, u: 2.5, v: 0)
        XCTAssertEqual(Warp.visibility(backward: f, forward: near).insideCount, 170)
    }

    func testWarpWithIntegerFlowIsExact() {
        // Frame t+1 is frame t moved right by 2 px: warping t with flow −2 reproduces it exactly.
        let w = 12, h = 8
        var p0 = [UInt8](repeating: 0, count: w * h * 3), p1 = p0
        for y in 0..<h { for x in 0..<w { for c in 0..<3 { p0[3 * (y * w + x) + c] = UInt8((x * 20 + y * 7 + c * 50) % 256) } } }
        for y in 0..<h { for x in 2..<w { for c in 0..<3 { p1[3 * (y * w + x) + c] = p0[3 * (y * w + x - 2) + c] } } }
        let e = Warp.warpingError(previous: RGBFrame(width: w, height: h, pixels: p0),
                                  current: RGBFrame(width: w, height: h, pixels: p1),
                                  backward: FlowField(width: w, height: h, u: -2, v: 0),
                                  forward: FlowField(width: w, height: h, u: 2, v: 0))
        XCTAssertEqual(e.pixels, (w - 2) * h)
        XCTAssertEqual(e.meanAbsoluteError, 0)
    }
}

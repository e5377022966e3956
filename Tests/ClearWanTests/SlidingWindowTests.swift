// Sliding-window parity with DiffSynth 1.1.9 TemporalTiler_BCTHW (windows, ramps, blending), in latent frames.
import XCTest
import ClearTensor
@testable import ClearWan

final class SlidingWindowTests: XCTestCase {
    func testPlansAndBlendingMatchReference() throws {
        let cases = try XCTUnwrap(DiTFixtures.expected()["windows"] as? [String: [String: Any]])
        XCTAssertEqual(cases.count, 6)
        for (name, c) in cases {
            let T = c["frames"] as! Int, size = c["size"] as! Int, stride = c["stride"] as! Int
            let refWindows = (c["windows"] as! [[Int]]), refMasks = c["masks"] as! [[Double]]
            let plan = try SlidingWindowPlan.windows(frames: T, size: size, stride: stride)
            XCTAssertEqual(plan.map { [$0.start, $0.end] }, refWindows, name)
            XCTAssertEqual(plan.map { $0.weights.map(Double.init) }, refMasks, name)
            // Blending: window k returns (k + 1) + 0.01·frame, as the generator's model function does.
            let frames = try Tensor(shape: [1, 1, T, 1, 1], values: (0..<T).map(Float.init))
            var k = 0
            let out = try SlidingWindowPlan.run(inputs: [frames], size: size, stride: stride) { _, s in
                k += 1
                let f = s[0].floats()
                return try Tensor(shape: s[0].shape, values: f.map { Float(k) + $0 * 0.01 })
            }
            let ref = (c["blended"] as! [Double]).map { Float($0) }
            let e = parity(out.floats(), ref)
            XCTAssertLessThanOrEqual(e.relative, 1e-6, "\(name): \(e)")
        }
    }

    func testSpecExamples() throws {
        func spans(_ t: Int) throws -> [[Int]] { try SlidingWindowPlan.windows(frames: t, size: 81, stride: 65).map { [$0.start, $0.end] } }
        XCTAssertEqual(try spans(72), [[0, 72]])
        XCTAssertEqual(try spans(89), [[0, 81], [65, 89]])
        XCTAssertEqual(try spans(157), [[0, 81], [65, 146], [130, 157]])
        XCTAssertThrowsError(try SlidingWindowPlan.windows(frames: 10, size: 3, stride: 4))
    }
}

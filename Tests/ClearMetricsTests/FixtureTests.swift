// Metric values against tools/make_metric_fixtures.py (numpy, scikit-image, scipy, OpenCV): an
// analytic texture translated by a known sub-pixel vector, a noisy candidate with a faint subtitle
// residue, and a subtitle opacity mask (empty in frame 1).
// Tolerances: PSNR values 1e-9 dB (exact integer sums, only the logarithm differs); SSIM 1e-6
// (Float filtering vs float64; observed ~2e-9); warping with the true flow 1e-4; warping error with
// our estimated flow within 0.25 (0–255 scale) of the value obtained with the ground-truth flow
// (observed 0.10); mean flow endpoint error, 8 px away from the border, < 0.1 px from the truth
// (observed 0.028), < 0.1 px from OpenCV's Farneback estimate (observed 0.019), and no more than
// 0.02 px worse than OpenCV's own error against the truth (0.036).
import XCTest
import ClearMedia
@testable import ClearMetrics

final class FixtureTests: XCTestCase {
    func testPSNRMatchesNumpy() throws {
        let f = try MetricFixture.load()
        let expected = try f.doubles("frame_psnr")
        var clip = SquaredError()
        for t in 0..<f.frames {
            let e = PSNR.squaredError(f.reference[t], f.candidate[t])
            clip += e
            XCTAssertEqual(PSNR.capped(e.psnr!), expected[t], accuracy: 1e-9, "frame \(t)")
        }
        XCTAssertEqual(clip.psnr!, try f.double("psnr_clip"), accuracy: 1e-9)
    }

    func testSSIMMatchesScikitImage() throws {
        let f = try MetricFixture.load()
        let expected = try f.doubles("frame_ssim")
        for t in 0..<f.frames {
            let s = try XCTUnwrap(SSIM.ssim(f.reference[t], f.candidate[t]))
            XCTAssertEqual(s, expected[t], accuracy: 1e-6, "frame \(t)")
        }
    }

    func testMaskedPSNRMatchesScipyDilation() throws {
        let f = try MetricFixture.load()
        var inside = SquaredError(), outside = SquaredError()
        for t in 0..<f.frames {
            let split = PSNR.maskedSquaredError(f.reference[t], f.candidate[t], mask: MaskDilation.region(opacity: f.mask[t]))
            inside += split.inside
            outside += split.outside
        }
        XCTAssertEqual(inside.count / 3, f.expected["mask_pixels_inside"] as? Int)
        XCTAssertEqual(inside.psnr!, try f.double("psnr_inside_mask"), accuracy: 1e-9)
        XCTAssertEqual(outside.psnr!, try f.double("psnr_outside_mask"), accuracy: 1e-9)
    }

    func testFlowAgainstTruthAndOpenCV() throws {
        let f = try MetricFixture.load()
        let shift = try f.doubles("shift")
        let margin = try XCTUnwrap(f.expected["opencv_flow_margin"] as? Int)
        let flow = OpticalFlow.farneback(from: Luma.plane(f.reference[0]), to: Luma.plane(f.reference[1]))
        let truth = FlowField(width: f.width, height: f.height, u: Float(shift[0]), v: Float(shift[1]))
        let epeTruth = flow.meanEndpointError(to: truth, margin: margin)
        let epeOpenCV = flow.meanEndpointError(to: f.opencvFlow, margin: margin)
        print("flow EPE vs truth \(epeTruth), vs OpenCV \(epeOpenCV); OpenCV vs truth \(try f.double("opencv_flow_epe_vs_truth"))")
        XCTAssertLessThan(epeTruth, 0.1)
        XCTAssertLessThan(epeOpenCV, 0.1)
        XCTAssertLessThan(epeTruth, try f.double("opencv_flow_epe_vs_truth") + 0.02)
    }

    func testWholeClipThroughAccumulator() throws {
        let f = try MetricFixture.load()
        let acc = MetricsAccumulator(width: f.width, height: f.height, hasMask: true)
        for t in 0..<f.frames { try acc.add(reference: f.reference[t], candidate: f.candidate[t], mask: f.mask[t]) }
        let r = acc.report()
        print("fixture report: \(r)")
        XCTAssertEqual(r.frames, 3)
        XCTAssertEqual(r.psnr, try f.double("psnr"), accuracy: 1e-9)
        XCTAssertEqual(r.psnrClip, try f.double("psnr_clip"), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.ssim), try f.double("ssim"), accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(r.psnrInsideMask), try f.double("psnr_inside_mask"), accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.psnrOutsideMask), try f.double("psnr_outside_mask"), accuracy: 1e-9)
        XCTAssertEqual(r.warpingPairs, 2)
        XCTAssertEqual(try XCTUnwrap(r.warpingError), try f.double("warping_error_gt_flow"), accuracy: 0.25)
    }

    func testWarpingErrorWithTrueFlowMatchesScipy() throws {
        // The warp itself, isolated from the flow estimate: with the exact flow the value must match
        // the Python computation to float precision.
        let f = try MetricFixture.load()
        let shift = try f.doubles("shift").map(Float.init)
        let expected = try f.doubles("pair_warping_error_gt_flow")
        let backward = FlowField(width: f.width, height: f.height, u: -shift[0], v: -shift[1])
        let forward = FlowField(width: f.width, height: f.height, u: shift[0], v: shift[1])
        for t in 0..<(f.frames - 1) {
            let e = Warp.warpingError(previous: f.candidate[t], current: f.candidate[t + 1], backward: backward, forward: forward)
            XCTAssertEqual(try XCTUnwrap(e.meanAbsoluteError), expected[t], accuracy: 1e-4, "pair \(t)")
        }
    }
}

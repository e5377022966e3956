// End to end through VideoEvaluator (probe → streaming decode → metrics) on small clips made with
// ffmpeg in a temporary folder: identical clips, a static clip, a clip with a burned-in box and its
// mask, --max-frames, and the size / frame-count / missing-file errors.
import XCTest
import Foundation
import ClearMedia
@testable import ClearMetrics

final class VideoEvaluatorTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try XCTSkipIf(FFmpegTools.find("ffmpeg") == nil, "ffmpeg not installed")
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let d = dir { try? FileManager.default.removeItem(at: d) }
    }

    /// Runs ffmpeg with a lavfi source; returns the output path. Lossless FFV1 (yuv444p or gray)
    /// unless `codec` says otherwise.
    @discardableResult
    func make(_ name: String, _ source: String, filter: String? = nil, frames: Int = 10,
              codec: [String] = ["-c:v", "ffv1", "-pix_fmt", "yuv444p"]) throws -> String {
        let out = dir.appendingPathComponent(name).path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FFmpegTools.find("ffmpeg")!)
        p.arguments = ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source]
            + (filter.map { ["-vf", $0] } ?? []) + ["-frames:v", String(frames)] + codec + [out]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg failed for \(name)")
        return out
    }

    let testsrc = "testsrc2=size=160x120:rate=10"

    func testIdenticalClips() throws {
        let a = try make("a.mkv", testsrc)
        let r = try VideoEvaluator.evaluate(reference: a, candidate: a)
        XCTAssertEqual(r.frames, 10)
        XCTAssertEqual(r.width, 160)
        XCTAssertEqual(r.psnr, 100)
        XCTAssertEqual(r.psnrClip, 100)
        XCTAssertEqual(try XCTUnwrap(r.ssim), 1, accuracy: 1e-6)
        XCTAssertNil(r.psnrInsideMask)
        XCTAssertEqual(r.warpingPairs, 9)
        XCTAssertNotNil(r.warpingError)
    }

    func testStaticClipHasZeroWarpingError() throws {
        let a = try make("still.mkv", "smptehdbars=size=160x120:rate=10", frames: 5)
        let r = try VideoEvaluator.evaluate(reference: a, candidate: a)
        XCTAssertEqual(r.frames, 5)
        XCTAssertEqual(try XCTUnwrap(r.warpingError), 0, accuracy: 1e-6)
    }

    func testBurnedInBoxAndMask() throws {
        // Reference and candidate share everything but a filled box; the mask marks that box.
        let box = "drawbox=x=40:y=84:w=80:h=16:color=white:t=fill"
        let ref = try make("ref.mkv", testsrc, filter: "format=yuv444p")
        let cand = try make("cand.mkv", testsrc, filter: "format=yuv444p," + box)
        let mask = try make("mask.mkv", "color=c=black:size=160x120:rate=10", filter: box + ",format=gray",
                            codec: ["-c:v", "ffv1", "-pix_fmt", "gray"])
        let r = try VideoEvaluator.evaluate(reference: ref, candidate: cand, mask: mask,
                                            options: EvaluationOptions(warpingError: false))
        XCTAssertEqual(r.frames, 10)
        XCTAssertEqual(try XCTUnwrap(r.psnrOutsideMask), 100)          // untouched outside
        XCTAssertLessThan(try XCTUnwrap(r.psnrInsideMask), 20)
        XCTAssertLessThan(r.psnr, 30)
        XCTAssertLessThan(try XCTUnwrap(r.ssim), 0.99)
        XCTAssertNil(r.warpingError)
        // The dilated box: (80 + 4) × (16 + 4) pixels of 160 × 120.
        XCTAssertEqual(try XCTUnwrap(r.maskFraction), 84.0 * 20 / (160 * 120), accuracy: 1e-12)
        let obj = r.jsonObject()
        for key in ["frames", "psnr", "psnr_clip", "ssim", "psnr_inside_mask", "psnr_outside_mask", "warping_error"] {
            XCTAssertNotNil(obj[key], key)
        }
        XCTAssertTrue(obj["warping_error"] is NSNull)
        XCTAssertNoThrow(try JSONSerialization.data(withJSONObject: obj))
    }

    func testMaxFrames() throws {
        let a = try make("a.mkv", testsrc)
        let r = try VideoEvaluator.evaluate(reference: a, candidate: a, options: EvaluationOptions(maxFrames: 3))
        XCTAssertEqual(r.frames, 3)
        XCTAssertEqual(r.warpingPairs, 2)
        // A shorter candidate is fine when --max-frames stops before it ends.
        let short = try make("short.mkv", testsrc, frames: 6)
        XCTAssertEqual(try VideoEvaluator.evaluate(reference: a, candidate: short,
                                                   options: EvaluationOptions(maxFrames: 4, warpingError: false)).frames, 4)
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: a, candidate: a, options: EvaluationOptions(maxFrames: 0)))
    }

    func testMismatchedSizeIsAOneLineError() throws {
        let a = try make("a.mkv", testsrc)
        let b = try make("b.mkv", "testsrc2=size=128x96:rate=10")
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: a, candidate: b)) { error in
            guard case MetricsError.sizeMismatch(let role, _, let w, let h, let rw, let rh) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual([role], ["candidate"])
            XCTAssertEqual([w, h, rw, rh], [128, 96, 160, 120])
            XCTAssertFalse("\(error)".contains("\n"))
            XCTAssertTrue("\(error)".contains("128x96"))
        }
        let m = try make("m.mkv", "color=c=black:size=128x96:rate=10", codec: ["-c:v", "ffv1", "-pix_fmt", "gray"])
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: a, candidate: a, mask: m)) { error in
            guard case MetricsError.sizeMismatch(let role, _, _, _, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(role, "mask")
        }
    }

    func testMismatchedFrameCountIsAnError() throws {
        let a = try make("a.mkv", testsrc)
        let b = try make("b.mkv", testsrc, frames: 7)
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: a, candidate: b)) { error in
            guard case MetricsError.frameCountMismatch(let role, _, let n, _, let rn) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(role, "candidate")
            XCTAssertEqual([n, rn], [7, 10])
        }
    }

    func testStreamsThatEndApartAreCaughtWhileStreaming() throws {
        // Declared counts agree, decoded counts do not (what a truncated file looks like).
        func source(_ n: Int, _ name: String) -> VideoEvaluator.StreamSource<RGBFrame> {
            var left = n
            return .init(path: name, frames: 4) {
                left -= 1
                return left >= 0 ? texturedFrame(width: 24, height: 16) : nil
            }
        }
        let opts = EvaluationOptions(warpingError: false)
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: source(4, "r"), candidate: source(3, "c"), mask: nil,
                                                         width: 24, height: 16, options: opts)) {
            XCTAssertEqual($0 as? MetricsError, .frameCountMismatch(role: "candidate", path: "c", frames: 3, atLeast: false, referenceFrames: 4))
        }
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: source(4, "r"), candidate: source(6, "c"), mask: nil,
                                                         width: 24, height: 16, options: opts)) {
            XCTAssertEqual($0 as? MetricsError, .frameCountMismatch(role: "candidate", path: "c", frames: 5, atLeast: true, referenceFrames: 4))
            XCTAssertTrue("\($0)".contains("5+ frames but the reference has 4"))
        }
        var maskLeft = 2
        let shortMask = VideoEvaluator.StreamSource<GrayFrame>(path: "m", frames: 4) {
            maskLeft -= 1
            return maskLeft >= 0 ? GrayFrame(width: 24, height: 16) : nil
        }
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: source(4, "r"), candidate: source(4, "c"), mask: shortMask,
                                                         width: 24, height: 16, options: opts)) {
            XCTAssertEqual($0 as? MetricsError, .frameCountMismatch(role: "mask", path: "m", frames: 2, atLeast: false, referenceFrames: 4))
        }
        let ok = try VideoEvaluator.evaluate(reference: source(4, "r"), candidate: source(4, "c"), mask: nil,
                                             width: 24, height: 16, options: opts)
        XCTAssertEqual(ok.frames, 4)
    }

    func testMissingFileIsAMediaError() throws {
        let a = try make("a.mkv", testsrc)
        XCTAssertThrowsError(try VideoEvaluator.evaluate(reference: a, candidate: dir.appendingPathComponent("nope.mp4").path)) {
            XCTAssertTrue($0 is MediaError, "\($0)")
        }
    }
}

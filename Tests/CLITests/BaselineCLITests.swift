// `clearsub baseline telea`, `clearsub eval --region` and `clearsub eval-table` as a user runs them:
// the built binary on small clips made with ffmpeg (a white box burned into a test pattern, and its
// exact mask), checking outputs and the one-line errors that leave no file behind.
import XCTest
import Foundation
import ClearMedia

final class BaselineCLITests: XCTestCase {
    private var scratch: Scratch!
    private let box = "drawbox=x=40:y=84:w=80:h=16:color=white:t=fill"

    override func setUpWithError() throws {
        try XCTSkipIf(FFmpegTools.find("ffmpeg") == nil, "ffmpeg not installed")
        scratch = try Scratch("baseline")
    }

    /// clean.mp4 (H.264 + AAC, 160x120, 10 frames), subbed.mp4 (with the box) and mask.mkv (FFV1 gray).
    private func makeClips(maskFrames: Int = 10, maskSize: String = "160x120") throws -> (clean: String, subbed: String, mask: String) {
        let clean = scratch.path("clean.mp4"), subbed = scratch.path("subbed.mp4"), mask = scratch.path("mask.mkv")
        try SyntheticClip.make(clean, width: 160, height: 120, rate: 10, seconds: 1,
                               videoArgs: ["-c:v", "libx264", "-crf", "8", "-pix_fmt", "yuv420p"])
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-i", clean, "-vf", box, "-c:v", "libx264", "-crf", "8",
                                  "-pix_fmt", "yuv420p", "-c:a", "copy", subbed])
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:size=\(maskSize):rate=10",
                                  "-vf", box + ",format=gray", "-frames:v", String(maskFrames), "-c:v", "ffv1", "-pix_fmt", "gray", mask])
        return (clean, subbed, mask)
    }

    private func evalJSON(_ args: [String]) throws -> [String: Any] {
        let json = scratch.path("eval-\(UUID().uuidString.prefix(6)).json")
        let r = try CLIHarness.run(["eval"] + args + ["--json", json, "--quiet", "--no-warping-error"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
    }

    func testTeleaFillsTheMaskKeepsFramesAndAudio() throws {
        let c = try makeClips()
        let out = scratch.path("telea.mp4")
        let r = try CLIHarness.run(["baseline", "telea", c.subbed, "--mask", c.mask, "--output", out, "--crf", "10", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let info = try VideoProbe.probe(out)
        XCTAssertEqual(info.frameCount, 10)
        XCTAssertEqual(info.width, 160)
        XCTAssertEqual(info.audioStreams.count, 1)
        let before = try evalJSON(["--reference", c.clean, "--candidate", c.subbed, "--mask", c.mask])
        let after = try evalJSON(["--reference", c.clean, "--candidate", out, "--mask", c.mask])
        let inBefore = try XCTUnwrap(before["psnr_inside_mask"] as? Double), inAfter = try XCTUnwrap(after["psnr_inside_mask"] as? Double)
        XCTAssertGreaterThan(inAfter, inBefore + 5, "the white box was not filled")
        XCTAssertEqual(before["text_left_frame_ratio"] as? Double, 1)
        // Outside the mask only the decode to RGB and the H.264 encode change pixels: the same as
        // an empty mask (a plain round trip) gives.
        let empty = scratch.path("empty.mkv"), trip = scratch.path("roundtrip.mp4")
        try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:size=160x120:rate=10",
                                  "-frames:v", "10", "-c:v", "ffv1", "-pix_fmt", "gray", empty])
        XCTAssertEqual(try CLIHarness.run(["baseline", "telea", c.subbed, "--mask", empty, "--output", trip, "--crf", "10", "--quiet"]).status, 0)
        let roundTrip = try evalJSON(["--reference", c.clean, "--candidate", trip, "--mask", c.mask])
        XCTAssertEqual(try XCTUnwrap(after["psnr_outside_mask"] as? Double), try XCTUnwrap(roundTrip["psnr_outside_mask"] as? Double), accuracy: 0.5)
        // An existing output is kept without --overwrite, replaced with it.
        let again = try CLIHarness.run(["baseline", "telea", c.subbed, "--mask", c.mask, "--output", out, "--quiet"])
        CLIHarness.assertOneLineError(again, mentions: "--overwrite")
        let forced = try CLIHarness.run(["baseline", "telea", c.subbed, "--mask", c.mask, "--output", out, "--quiet", "--overwrite", "--dilate", "2"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
    }

    func testBadMaskPathIsOneLineErrorAndLeavesNoOutput() throws {
        let c = try makeClips()
        let missing = scratch.path("missing_mask.mkv")
        let out = scratch.path("telea.mp4")
        let r = try CLIHarness.run(["baseline", "telea", c.subbed, "--mask", missing, "--output", out, "--quiet"])
        CLIHarness.assertOneLineError(r, mentions: "missing_mask.mkv")
        XCTAssertFalse(scratch.exists("telea.mp4"))
        XCTAssertEqual(scratch.listing().filter { $0.contains("telea") }, [])
    }

    func testMaskOfAnotherSizeOrLengthIsRefused() throws {
        let out = scratch.path("telea.mp4")
        let short = try makeClips(maskFrames: 7)
        CLIHarness.assertOneLineError(try CLIHarness.run(["baseline", "telea", short.subbed, "--mask", short.mask, "--output", out]),
                                      mentions: "7 frames")
        let small = try makeClips(maskSize: "128x96")
        CLIHarness.assertOneLineError(try CLIHarness.run(["baseline", "telea", small.subbed, "--mask", small.mask, "--output", out]),
                                      mentions: "128x96")
        let good = try makeClips()
        CLIHarness.assertOneLineError(try CLIHarness.run(["baseline", "telea", good.subbed, "--mask", good.mask,
                                                          "--output", scratch.path("no-such-dir/telea.mp4")]),
                                      mentions: "folder does not exist")
        CLIHarness.assertOneLineError(try CLIHarness.run(["baseline", "telea", good.subbed, "--mask", good.mask,
                                                          "--output", good.subbed]),
                                      mentions: "one of the inputs")
        CLIHarness.assertOneLineError(try CLIHarness.run(["baseline", "telea", good.subbed, "--mask", good.mask,
                                                          "--output", out, "--radius", "0"]),
                                      mentions: "--radius")
        XCTAssertEqual(scratch.listing().filter { $0.contains("telea") }, [])
    }

    func testEvalRegionAndTextLeft() throws {
        let c = try makeClips()
        let obj = try evalJSON(["--reference", c.clean, "--candidate", c.subbed, "--mask", c.mask, "--region", "0,0,160,60"])
        XCTAssertEqual(obj["region"] as? String, "0,0,160,60")
        XCTAssertGreaterThan(try XCTUnwrap(obj["psnr_region"] as? Double), 40, "the box is below the region")
        XCTAssertEqual(obj["region_mask_fraction"] as? Double, 0)
        XCTAssertEqual(obj["text_frames"] as? Int, 10)
        let table = try CLIHarness.run(["eval", "--reference", c.clean, "--candidate", c.subbed, "--mask", c.mask,
                                        "--region", "0,80,160,40", "--quiet", "--no-warping-error"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let left = table.stdout.split(separator: "\n").first { $0.hasPrefix("text left (frames)") }
        XCTAssertTrue(left?.hasSuffix(" 100.00%  (10 of 10 frames with text)") == true, table.stdout)
        XCTAssertTrue(table.stdout.contains("PSNR in region 0,80,160,40"), table.stdout)
        CLIHarness.assertOneLineError(try CLIHarness.run(["eval", "--reference", c.clean, "--candidate", c.subbed, "--region", "1,2,3"]),
                                      mentions: "--region")
        CLIHarness.assertOneLineError(try CLIHarness.run(["eval", "--reference", c.clean, "--candidate", c.subbed, "--region", "100,0,61,10"]),
                                      mentions: "beyond the 160x120 frame")
    }

    func testEvalTableFromManifestAndErrors() throws {
        let c = try makeClips()
        let json = scratch.path("subbed.input.json")
        XCTAssertEqual(try CLIHarness.run(["eval", "--reference", c.clean, "--candidate", c.subbed, "--mask", c.mask,
                                           "--json", json, "--quiet", "--no-warping-error"]).status, 0)
        let manifest = scratch.path("manifest.tsv")
        try "subtitled\tbox clip\tinput\tsubbed.input.json\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        let table = scratch.path("table.md")
        let r = try CLIHarness.run(["eval-table", manifest, "--output", table])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: table, encoding: .utf8)
        XCTAssertEqual(r.stdout, text)
        XCTAssertTrue(text.contains("| box clip | input | "), text)
        XCTAssertTrue(text.contains("| **mean of 1 subtitled clips** | input | "), text)
        CLIHarness.assertOneLineError(try CLIHarness.run(["eval-table", scratch.path("none.tsv")]), mentions: "none.tsv")
        try "subtitled\tbox clip\tlite\tmissing.json\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        CLIHarness.assertOneLineError(try CLIHarness.run(["eval-table", manifest]), mentions: "missing.json")
    }
}

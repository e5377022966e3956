// `clearsub bench lite` without a VIDEO, run from outside the repository: it finds the bundled
// sample next to the repository it was built in and reports the keys of issue 4 (on 2 frames,
// so that the test stays short; the benchmark itself is opt-in and never timed here).
import XCTest
import Foundation

final class BenchLiteCLITests: XCTestCase {
    func testFindsTheBundledSampleFromAnotherDirectory() throws {
        let s = try Scratch("bench-lite")
        let r = try CLIHarness.run(["bench", "lite", "--frames", "2", "--json"], cwd: s.dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let video = try XCTUnwrap(json["video"] as? String)
        XCTAssertTrue(video.hasSuffix("Resources/samples/hall_subbed.mp4"), video)
        XCTAssertTrue(FileManager.default.fileExists(atPath: video), video)
        XCTAssertEqual(json["frames"] as? Int, 2)
        XCTAssertEqual(json["width"] as? Int, 1280)
        XCTAssertEqual(json["height"] as? Int, 720)
        for key in ["engine_fps", "end_to_end_fps", "ffmpeg_fps"] {
            XCTAssertGreaterThan(try XCTUnwrap(json[key] as? Double, key), 0, key)
        }
        XCTAssertGreaterThan(try XCTUnwrap(json["peak_rss_bytes"] as? Int), 0)
    }
}

// `clearsub remove` end to end with the default lite engine and its bundled weights (issue 4):
// a small clip with burned-in subtitles (synth) comes back with the same frame count, frame
// rate, size and audio streams.
import XCTest
import Foundation
import ClearMedia

final class LiteRemoveCLITests: XCTestCase {
    func testRemoveKeepsFramesRateSizeAndAudio() throws {
        let s = try Scratch("lite-e2e")
        let subbed = try CLIHarness.subtitledClip(in: s)
        let r = try CLIHarness.run(["remove", subbed, "--output-dir", s.path("out"), "--crf", "10", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let a = try VideoProbe.probe(subbed), b = try VideoProbe.probe(s.path("out/walk_subbed_cleaned.mp4"))
        XCTAssertEqual(b.width, a.width)
        XCTAssertEqual(b.height, a.height)
        XCTAssertEqual(b.fps, a.fps)
        XCTAssertEqual(b.frameCount, a.frameCount)
        XCTAssertEqual(b.audioStreams.map(\.codec), a.audioStreams.map(\.codec))
        XCTAssertEqual(b.audioStreams.count, 1)
    }
}

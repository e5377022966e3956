// The progress bar's pieces: off when stderr is not a terminal (as in tests and pipes) or with
// --quiet; clock formatting for the ETA; one-line flattening of error messages.
import XCTest
import ClearPipeline
@testable import clearsub

final class ProgressBarTests: XCTestCase {
    func testDisabledWithoutTerminalOrWhenQuiet() {
        XCTAssertFalse(ProgressBar(quiet: true).enabled)
        XCTAssertEqual(ProgressBar(quiet: false).enabled, isatty(2) == 1)
    }

    func testClockAndEta() {
        XCTAssertEqual(ProgressBar.clock(0), "0:00")
        XCTAssertEqual(ProgressBar.clock(75.4), "1:15")
        XCTAssertEqual(ProgressBar.clock(3725), "1:02:05")
        let p = FrameProgress(videoName: "a", framesDone: 50, totalFrames: 150, elapsedSeconds: 10)
        XCTAssertEqual(p.framesPerSecond, 5)
        XCTAssertEqual(p.etaSeconds, 20)
    }

    func testErrorMessagesAreFlattenedToOneLine() {
        XCTAssertEqual(CLIOutput.flatten("Error: bad value\nUsage: clearsub remove\n  See help\n"),
                       "bad value; Usage: clearsub remove; See help")
    }
}

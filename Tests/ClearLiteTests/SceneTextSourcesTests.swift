// Scene-text hard negatives: copies of photos (not clips) with text printed in, marked so the
// camera never stands still over them; the originals are untouched and the result is seeded.
import XCTest
import ClearLite

final class SceneTextSourcesTests: XCTestCase {
    func testPhotosGetTextCopiesThatAlwaysMove() throws {
        let (w, h) = (320, 240)
        let photo = CleanSource(name: "grey", width: w, height: h, frames: [[UInt8](repeating: 90, count: w * h * 3)])
        let clip = CleanSource(name: "clip", width: w, height: h, frames: [[UInt8]](repeating: [UInt8](repeating: 90, count: w * h * 3), count: 3))
        let copies = try SceneTextSources.make(from: [photo, clip], count: 4, seed: 3)
        XCTAssertEqual(copies.count, 1)
        let copy = try XCTUnwrap(copies.first)
        XCTAssertTrue(copy.alwaysMoving)
        XCTAssertFalse(photo.alwaysMoving)
        let changed = zip(copy.frames[0], photo.frames[0]).filter { $0 != $1 }.count
        // Text covers a visible share of the photo in several bands, not just one line.
        XCTAssertGreaterThan(changed, w * h * 3 / 50)
        var rowsWithText = Set<Int>()
        for y in 0..<h where (0..<(w * 3)).contains(where: { copy.frames[0][y * w * 3 + $0] != 90 }) { rowsWithText.insert(y / 40) }
        XCTAssertGreaterThanOrEqual(rowsWithText.count, 2)
        let again = try SceneTextSources.make(from: [photo, clip], count: 4, seed: 3)
        XCTAssertEqual(again.first?.frames, copy.frames)
    }
}

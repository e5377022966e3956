// The line cue on α (TextLineFilter): lone compact blobs go back to exactly 0; words, lines of
// separate characters, vertical text and boxes are kept as they are.
import XCTest
import ClearLite

final class TextLineFilterTests: XCTestCase {
    /// A w×h map with α = `value` on each rectangle (x, y, width, height).
    func map(_ w: Int, _ h: Int, _ rects: [(Int, Int, Int, Int)], value: Float = 0.8) -> AlphaMap {
        var v = [Float](repeating: 0, count: w * h)
        for (x0, y0, rw, rh) in rects { for y in y0..<(y0 + rh) { for x in x0..<(x0 + rw) { v[y * w + x] = value } } }
        return AlphaMap(width: w, height: h, values: v)
    }

    func testLoneCompactBlobIsRemoved() {
        var a = map(320, 180, [(40, 60, 24, 26)])
        XCTAssertEqual(a.keepTextLines(), 1)
        XCTAssertTrue(a.isEmpty, "a lone blob as tall as it is wide is not a subtitle")
    }

    func testLineOfSeparateCharactersIsKept() {
        // CJK-like: square characters 24 px apart by 6 px, one line
        let rects = (0..<6).map { (40 + $0 * 30, 140, 24, 24) }
        var a = map(320, 180, rects)
        let before = a.values
        XCTAssertEqual(a.keepTextLines(), 0)
        XCTAssertEqual(a.values, before)
    }

    func testWideComponentAndVerticalTextAreKept() {
        var word = map(320, 180, [(100, 150, 60, 20)])
        XCTAssertEqual(word.keepTextLines(), 0, "a word is line-shaped")
        let column = (0..<4).map { (280, 10 + $0 * 30, 22, 22) }
        var vertical = map(320, 180, column)
        XCTAssertEqual(vertical.keepTextLines(), 0, "characters stacked in a column are vertical text")
    }

    func testOnlyTheLoneBlobGoesWhenALineIsPresent() {
        // a subtitle line at the bottom, a cone-like blob far above it, and a blob two line heights
        // beyond the end of the line (too far to be its neighbour)
        var a = map(640, 360, [(100, 300, 300, 30), (60, 80, 26, 28), (520, 300, 28, 28)])
        XCTAssertEqual(a.keepTextLines(), 2)
        var wrong = 0
        for y in 0..<360 { for x in 0..<640 {
            let inLine = x >= 100 && x < 400 && y >= 300 && y < 330
            if (a.values[y * 640 + x] > 0) != inLine { wrong += 1 }
        } }
        XCTAssertEqual(wrong, 0, "α must remain exactly on the line")
    }

    func testTwoLineBlockJoinedByAccentsIsKept() {
        // two short lines (110 × 30 px each) joined by marks between them: one component, less
        // than twice as wide as tall, but wider than a twelfth of the frame
        var a = map(768, 576, [(300, 450, 110, 30), (340, 480, 6, 8), (300, 488, 110, 30)])
        XCTAssertEqual(a.keepTextLines(), 0)
        // the same shape at a quarter of the size is a blob
        var small = map(768, 576, [(300, 450, 28, 8), (310, 458, 2, 2), (300, 460, 28, 8)])
        XCTAssertEqual(small.keepTextLines(), 1)
    }

    func testNeighbourWithinTheGapKeepsAShortWord() {
        // "Oui ?": a word and a compact question mark one character apart
        var a = map(320, 180, [(100, 150, 50, 20), (160, 150, 12, 20)])
        XCTAssertEqual(a.keepTextLines(), 0)
    }
}

// Synthetic printed pages (hard negatives): seeded and deterministic, light paper with a
// substantial share of dark ink, and every page different.
import XCTest
@testable import ClearLite

final class DocumentSourcesTests: XCTestCase {
    func testPagesAreSeededPaperWithDarkInk() throws {
        let pages = try DocumentSources.make(count: 3, seed: 5)
        XCTAssertEqual(pages.count, 3)
        XCTAssertEqual(try DocumentSources.make(count: 3, seed: 5).map(\.frames), pages.map(\.frames), "deterministic")
        XCTAssertNotEqual(pages[0].frames, pages[1].frames)
        for p in pages {
            XCTAssertEqual(p.frames.count, 1)
            XCTAssertFalse(p.alwaysMoving, "printed text may be seen by a still camera")
            var ink = 0, paper = 0
            let px = p.frames[0]
            for i in stride(from: 0, to: px.count, by: 3) {
                let luma = (Int(px[i]) * 299 + Int(px[i + 1]) * 587 + Int(px[i + 2]) * 114) / 1000
                if luma < 110 { ink += 1 } else if luma > 150 { paper += 1 }
            }
            let n = p.width * p.height
            XCTAssertGreaterThan(paper, n / 2, "\(p.name): mostly paper")
            XCTAssertGreaterThan(ink, n / 100, "\(p.name): printed text")
            if let dir = ProcessInfo.processInfo.environment["CLEARSUB_DUMP_PAGES"] {
                let header = Array("P6 \(p.width) \(p.height) 255\n".utf8)
                FileManager.default.createFile(atPath: "\(dir)/\(p.name).ppm", contents: Data(header + px))
            }
        }
    }

    func testPlainTextDropsOverrideBlocksAndBreaks() {
        XCTAssertEqual(DocumentSources.plainText("{\\fad(200,200)}Hello\\Nworld {\\i1}again"), "Hello world again")
    }
}

// α borrowed from neighbouring frames (TemporalAlpha): only a neighbour's fully opaque α, only
// where the pixel did not change by more than the tolerance; the settings' parsing.
import XCTest
@testable import ClearLite
import ClearMedia

final class TemporalAlphaTests: XCTestCase {
    private func frame(_ rgb: [(UInt8, UInt8, UInt8)]) -> RGBFrame {
        RGBFrame(width: rgb.count, height: 1, pixels: rgb.flatMap { [$0.0, $0.1, $0.2] })
    }

    func testBorrowsOnlyOpaqueAlphaOfUnchangedPixels() {
        let current = frame([(100, 100, 100), (100, 100, 100), (100, 100, 100), (100, 100, 100), (100, 100, 100), (200, 10, 10)])
        // pixel 0 unchanged; 1 changed by 20 in G; 2 unchanged, but the neighbour's α is partial;
        // 3 changed by exactly the tolerance (5) in B; 4 by one more; 5 unchanged, own α already 1
        let next = frame([(100, 100, 100), (100, 120, 100), (100, 100, 100), (100, 100, 105), (100, 100, 106), (200, 10, 10)])
        var alpha = AlphaMap(width: 6, height: 1, values: [0, 0.2, 0.1, 0.3, 0, 1])
        let theirs = AlphaMap(width: 6, height: 1, values: [1, 1, 0.9, 1, 1, 1])
        TemporalAlpha.borrow(&alpha, frame: current, from: [(theirs, next)], tolerance: 5, core: 1)
        XCTAssertEqual(alpha.values, [1, 0.2, 0.1, 1, 0, 1])
        // a lower core borrows the partial α too; α is never lowered
        var low = AlphaMap(width: 6, height: 1, values: [0, 0.2, 0.1, 0.3, 0, 1])
        let weaker = AlphaMap(width: 6, height: 1, values: [0.8, 1, 0.9, 0.1, 1, 0.5])
        TemporalAlpha.borrow(&low, frame: current, from: [(weaker, next)], tolerance: 5, core: 0.8)
        XCTAssertEqual(low.values, [0.8, 0.2, 0.9, 0.3, 0, 1])
    }

    func testSettingsParsing() throws {
        XCTAssertEqual(TemporalAlphaSettings(parsing: "reach=1,tolerance=8,core=0.9").map { [$0.reach, $0.tolerance] }, [1, 8])
        XCTAssertEqual(TemporalAlphaSettings(parsing: "core=0.9")?.core, 0.9)
        XCTAssertNil(TemporalAlphaSettings(parsing: "reach=1.5"))
        XCTAssertNil(TemporalAlphaSettings(parsing: "core=0"))
        XCTAssertNil(TemporalAlphaSettings(parsing: "radius=2"))
        XCTAssertEqual(try LiteEngine.configured(environment: [:]).temporalAlpha, TemporalAlphaSettings())
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "0"]).temporalAlpha)
        XCTAssertNil(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "reach=0"]).temporalAlpha)
        let one = try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "reach=1"])
        XCTAssertEqual(one.temporalAlpha?.reach, 1)
        XCTAssertEqual(one.contextRadius, LiteArchitecture.radius + 1)
        XCTAssertThrowsError(try LiteEngine.configured(environment: ["CLEARSUB_LITE_TEMPORAL_ALPHA": "tol=3"])) {
            XCTAssertTrue("\($0)".contains("reach, tolerance, core"))
        }
    }
}

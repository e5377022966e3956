// `clearsub bench dit` as a binary: a one-block run at the real 1.3B widths on a tiny clip prints one JSON
// object per size with the documented fields; bad sizes are refused.
import XCTest
import Foundation

final class BenchDiTTests: XCTestCase {
    func testOneBlockTinySizeJSON() throws {
        let r = try CLIHarness.run(["bench", "wan-dit", "--size", "64x32x5", "--layers", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        let row = rows[0]
        XCTAssertEqual(row["size"] as? String, "64x32x5")
        XCTAssertEqual(row["tokens"] as? Int, 2 * 2 * 4)  // latent 2×4×8, patches 1×2×2
        XCTAssertEqual(row["layers_run"] as? Int, 1)
        for key in ["seconds", "gflops", "matmul_gflops", "peak_rss_bytes"] {
            XCTAssertGreaterThan((row[key] as? NSNumber)?.doubleValue ?? 0, 0, key)
        }
    }

    func testRejectsBadSize() throws {
        let r = try CLIHarness.run(["bench", "dit", "--size", "100x64x6"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--size"), r.stderr)
    }
}

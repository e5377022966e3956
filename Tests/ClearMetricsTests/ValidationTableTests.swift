// The validation table (ValidationTable.swift): manifest parsing, per-kind means, the scene-text
// check and the one-line errors for bad manifests.
import XCTest
@testable import ClearMetrics

final class ValidationTableTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-vtable-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let d = dir { try? FileManager.default.removeItem(at: d) }
    }

    private func json(_ name: String, _ obj: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: obj).write(to: dir.appendingPathComponent(name))
    }

    func testRowsMeansAndSceneTextCheck() throws {
        try json("a.input.json", ["psnr": 36.0, "ssim": 0.98, "psnr_inside_mask": 11.0, "psnr_outside_mask": 50.0,
                                  "text_left_frame_ratio": 1.0, "warping_error": NSNull()])
        try json("a.lite.json", ["psnr": 40.0, "ssim": 0.99, "psnr_inside_mask": 25.0, "psnr_outside_mask": 48.0,
                                 "text_left_frame_ratio": 0.0, "text_residual_pixel_ratio": 0.02, "warping_error": 1.25])
        try json("b.input.json", ["psnr": 34.0, "ssim": 0.96, "psnr_inside_mask": 13.0, "psnr_outside_mask": 52.0,
                                  "text_left_frame_ratio": 0.5])
        try json("b.lite.json", ["psnr": 38.0, "ssim": 0.97, "psnr_inside_mask": 21.0, "psnr_outside_mask": 46.0,
                                 "text_left_frame_ratio": 0.25, "text_residual_pixel_ratio": 0.04, "warping_error": 0.75])
        try json("s.input.json", ["psnr": 35.0, "psnr_region": 47.0, "region_mask_fraction": 0.0])
        try json("s.lite.json", ["psnr": 37.0, "psnr_region": 45.5])
        let manifest = """
        # kind\tclip\tmethod\tjson
        subtitled\tclip A\tinput\ta.input.json
        subtitled\tclip B\tinput\tb.input.json
        subtitled\tclip A\tlite\ta.lite.json
        subtitled\tclip B\tlite\tb.lite.json

        scene-text\tsign\tinput\ts.input.json
        scene-text\tsign\tlite\t\(dir.appendingPathComponent("s.lite.json").path)
        """
        let t = try ValidationTable(manifest: manifest, directory: dir)
        XCTAssertEqual(t.rows.count, 6)
        XCTAssertEqual(t.methods, ["input", "lite"])
        let lite = try XCTUnwrap(t.mean(kind: .subtitled, method: "lite"))
        XCTAssertEqual(lite.clips, 2)
        XCTAssertEqual(lite.result.psnr, 39)
        XCTAssertEqual(lite.result.psnrInsideMask, 23)
        XCTAssertEqual(lite.result.textLeftFrameRatio, 0.125)
        XCTAssertEqual(lite.result.warpingError, 1)
        XCTAssertEqual(try XCTUnwrap(lite.result.textResidualPixelRatio), 0.03, accuracy: 1e-12)
        XCTAssertNil(try XCTUnwrap(t.mean(kind: .subtitled, method: "input")).result.warpingError)
        XCTAssertNil(t.mean(kind: .clean, method: "lite"))
        XCTAssertEqual(t.sceneTextChecks.count, 1)
        XCTAssertEqual(t.sceneTextChecks[0].difference, -1.5)
        XCTAssertFalse(t.sceneTextChecks[0].survives)

        let md = t.markdown
        let order = md.split(separator: "\n").filter { $0.hasPrefix("| clip A ") || $0.hasPrefix("| clip B ") || $0.hasPrefix("| sign ") }
            .map { $0.components(separatedBy: " | ").prefix(2).joined(separator: " | ") }
        XCTAssertEqual(order, ["| clip A | input", "| clip A | lite", "| clip B | input", "| clip B | lite", "| sign | input", "| sign | lite"])
        XCTAssertTrue(md.contains("| clip A | lite | 40.00 | 0.9900 | 25.00 | 48.00 | 0.0 | 2.0 | 1.250 | — |"), md)
        XCTAssertTrue(md.contains("| **mean of 2 subtitled clips** | lite | 39.00 | 0.9800 | 23.00 | 47.00 | 12.5 | 3.0 | 1.000 | — |"), md)
        XCTAssertTrue(md.contains("| **mean of 1 scene-text clips** | input |"), md)
        XCTAssertFalse(md.contains("clips without subtitles"), md)
        XCTAssertTrue(md.contains("- sign, lite: 45.50 dB vs 47.00 dB (-1.50 dB): damaged (0.00% of the region under the subtitle mask)"), md)
    }

    func testBadManifestsAreOneLineErrors() throws {
        try json("ok.json", ["psnr": 30.0])
        try json("nopsnr.json", ["ssim": 0.5])
        let cases: [(String, ValidationTableError)] = [
            ("subtitled\tclip\tinput", .badLine(1, "subtitled\tclip\tinput")),
            ("sub\tclip\tinput\tok.json", .badLine(1, "sub\tclip\tinput\tok.json")),
            ("# only a comment\n", .empty),
            ("clean\tclip\tinput\tmissing.json", .missingJSON(dir.appendingPathComponent("missing.json").path)),
            ("clean\tclip\tinput\tnopsnr.json", .notEvalJSON(dir.appendingPathComponent("nopsnr.json").path)),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ValidationTable(manifest: text, directory: dir), text) { e in
                XCTAssertEqual(e as? ValidationTableError, expected)
                XCTAssertFalse("\(e)".contains("\n"))
            }
        }
    }
}

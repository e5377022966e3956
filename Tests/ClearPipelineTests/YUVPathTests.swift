// The YUV 4:2:0 pixel path of `remove` for 8-bit yuv420p sources: pixels the engine leaves alone
// reach the output with their source Y/U/V bytes (checked bit for bit at CRF 0, where libx264 is
// lossless), changed pixels and the chroma blocks they touch get the engine's result.
import XCTest
import Foundation
import ClearMedia
@testable import ClearPipeline

final class YUVPathTests: XCTestCase {
    static func decodeAllYUV(_ file: String) throws -> [YUV420Frame] {
        let dec = try VideoDecoder(path: file, layout: .yuv420p)
        var frames: [YUV420Frame] = []
        while let f = try dec.nextYUVFrame() { frames.append(f) }
        return frames
    }

    func run(_ engine: any RemovalEngine, on input: String, in fx: ClipFixture) throws -> String {
        let out = fx.dir.appendingPathComponent("out")
        try OutputDirectory.create(out)
        var options = RemovalOptions(outputDir: out)
        options.crf = 0
        options.preset = "ultrafast"
        let info = try VideoProbe.probe(input)
        XCTAssertTrue(info.isEvenYUV420p8)
        _ = try RemovalPipeline(engine: engine, options: options).process(info)
        return out.appendingPathComponent("clip_cleaned.mp4").path
    }

    func testIdentityEngineGivesTheSourceYUVBitForBit() throws {
        let fx = try ClipFixture("yuv-identity")
        let input = try fx.clip("clip.mp4", seconds: 1)
        let output = try run(IdentityEngine(), on: input, in: fx)
        let src = try Self.decodeAllYUV(input), got = try Self.decodeAllYUV(output)
        XCTAssertEqual(got.count, 10)
        XCTAssertEqual(got.count, src.count)
        for (i, (s, g)) in zip(src, got).enumerated() { XCTAssertTrue(s == g, "frame \(i): decoded YUV differs from the source's") }
        XCTAssertEqual(try VideoProbe.probe(output).pixelFormat, "yuv420p")
    }

    func testChangedRectangleOnlyTouchesItsPixelsAndChromaBlocks() throws {
        let fx = try ClipFixture("yuv-box")
        let input = try fx.clip("clip.mp4", seconds: 1)
        let box = (x: 17, y: 41, w: 50, h: 21)   // odd edges: partly covered chroma blocks on every side
        let output = try run(BoxInvertEngine(box: (box.x, box.y, box.w, box.h)), on: input, in: fx)
        let src = try Self.decodeAllYUV(input), got = try Self.decodeAllYUV(output)
        XCTAssertEqual(got.count, src.count)
        func inBox(_ x: Int, _ y: Int) -> Bool { x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h }
        for (s, g) in zip(src, got) {
            var lumaInsideChanged = 0, lumaInside = 0
            for y in 0..<s.height {
                for x in 0..<s.width {
                    let i = y * s.width + x
                    if inBox(x, y) {
                        lumaInside += 1
                        if s.y[i] != g.y[i] { lumaInsideChanged += 1 }
                    } else if s.y[i] != g.y[i] {
                        return XCTFail("luma changed outside the box at (\(x), \(y))")
                    }
                }
            }
            XCTAssertGreaterThan(lumaInsideChanged * 10, lumaInside * 9)
            var chromaTouched = 0, chromaTouchedChanged = 0
            for cy in 0..<s.chromaHeight {
                for cx in 0..<s.chromaWidth {
                    let i = cy * s.chromaWidth + cx
                    let touched = [(0, 0), (1, 0), (0, 1), (1, 1)].contains { inBox(2 * cx + $0.0, 2 * cy + $0.1) }
                    if touched {
                        chromaTouched += 1
                        if s.u[i] != g.u[i] || s.v[i] != g.v[i] { chromaTouchedChanged += 1 }
                    } else if s.u[i] != g.u[i] || s.v[i] != g.v[i] {
                        return XCTFail("chroma changed outside the box's blocks at (\(cx), \(cy))")
                    }
                }
            }
            XCTAssertGreaterThan(chromaTouchedChanged * 2, chromaTouched)
        }
        // Inside, the output is the engine's result (colour conversion only).
        let rgbSrc = try ClipFixture.decodeAll(input), rgbGot = try ClipFixture.decodeAll(output)
        for (s, g) in zip(rgbSrc, rgbGot) {
            XCTAssertLessThan(ClipFixture.meanAbsDiff(BoxInvertEngine.invert(s, (box.x, box.y, box.w, box.h)), g), 3)
        }
    }

    func testCompositorMixesPartlyChangedChromaBlocks() {
        let matrix = YUVMatrix.bt601
        let source = YUV420Frame(width: 4, height: 2, fill: (100, 110, 120))
        let original = RGBFrame(width: 4, height: 2, fill: (90, 90, 90))
        XCTAssertEqual(YUVResultCompositor.composite(source: source, original: original, cleaned: original, matrix: matrix),
                       source)
        var cleaned = original
        for c in 0..<3 { cleaned.pixels[c] = 255 }   // pixel (0, 0) becomes white
        let out = YUVResultCompositor.composite(source: source, original: original, cleaned: cleaned, matrix: matrix)
        XCTAssertEqual(out.y, [235, 100, 100, 100, 100, 100, 100, 100])
        // Block 0: one of four pixels white (U = V = 128): (128 + 3 · 110) / 4, (128 + 3 · 120) / 4.
        XCTAssertEqual(out.u, [115, 110])
        XCTAssertEqual(out.v, [122, 120])
    }
}

// libass rendering, compositing and the exact opacity mask, in process on frames: the mask is 0
// exactly where no image covers a pixel, those pixels are unchanged, covered pixels follow the
// over-operator; the YUV 4:2:0 compositor agrees with the RGB one and leaves untouched samples as is.
import XCTest
import ClearMedia
@testable import ClearSubtitles

final class RenderingTests: XCTestCase {
    /// Outline + shadow + semi-transparent fill: several overlapping images per pixel.
    func renderSample(text: String = "Hello, subtitles!", at ms: Int64 = 1000) throws -> RenderedSubtitles {
        let script = TestSupport.script(
            text, styleTail: "&H30FFFF00,&H00FFFFFF,&H00101010,&H80000000,-1,0,0,0,100,100,0,0,1,3,2,2,10,10,20,1")
        return try SubtitleRenderer(script: script, width: 640, height: 360).render(atMilliseconds: ms)
    }

    /// Pixels covered by some image with non-zero alpha and colour not fully transparent.
    func coveredPixels(_ r: RenderedSubtitles) -> [Bool] {
        var covered = [Bool](repeating: false, count: r.frameWidth * r.frameHeight)
        for b in r.bitmaps where b.transparency < 255 {
            for row in 0..<b.height {
                for col in 0..<b.width where b.alpha[row * b.width + col] > 0 {
                    covered[(b.y + row) * r.frameWidth + b.x + col] = true
                }
            }
        }
        return covered
    }

    func testMaskIsZeroExactlyOutsideRenderedImages() throws {
        let r = try renderSample()
        XCTAssertEqual(Set(r.bitmaps.map(\.kind)), [.character, .outline, .shadow])
        let mask = r.mask()
        let covered = coveredPixels(r)
        var inked = 0
        for i in 0..<covered.count {
            XCTAssertEqual(mask.pixels[i] > 0, covered[i], "pixel \(i % 640),\(i / 640)")
            if covered[i] { inked += 1 }
        }
        XCTAssertGreaterThan(inked, 1000)
        // Where the (opaque-outline) text is solid, the mask is full.
        XCTAssertEqual(mask.pixels.max(), 255)
    }

    func testUnmaskedPixelsAreUnchangedAndMaskedFollowTheOverOperator() throws {
        let r = try renderSample()
        let source = TestSupport.noiseFrame(width: 640, height: 360)
        var frame = source
        let mask = try r.composite(onto: &frame)
        var changed = 0
        for i in 0..<(640 * 360) {
            if mask.pixels[i] == 0 {
                XCTAssertEqual(frame.pixels[(i * 3)..<(i * 3 + 3)], source.pixels[(i * 3)..<(i * 3 + 3)])
            } else if frame.pixels[(i * 3)..<(i * 3 + 3)] != source.pixels[(i * 3)..<(i * 3 + 3)] {
                changed += 1
            }
        }
        XCTAssertGreaterThan(changed, 1000)
    }

    func testSingleImageCompositeMatchesFormula() throws {
        // No outline, no shadow: one glyph image; check every pixel against the formula.
        let script = TestSupport.script(
            "Ag", size: 60, styleTail: "&H40336699,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,2,10,10,20,1")
        let r = try SubtitleRenderer(script: script, width: 320, height: 180).render(atMilliseconds: 100)
        XCTAssertEqual(r.bitmaps.count, 1)
        let b = try XCTUnwrap(r.bitmaps.first)
        XCTAssertEqual(b.transparency, 0x40)
        XCTAssertEqual([b.red, b.green, b.blue], [0x99, 0x66, 0x33])   // &HBBGGRR = 33 66 99
        let source = TestSupport.noiseFrame(width: 320, height: 180, seed: 5)
        var frame = source
        let mask = try r.composite(onto: &frame)
        for row in 0..<b.height {
            for col in 0..<b.width {
                let a = Float(b.alpha[row * b.width + col]) / 255 * Float(255 - 0x40) / 255
                let i = (b.y + row) * 320 + b.x + col
                for (k, c) in [b.red, b.green, b.blue].enumerated() {
                    let want = UInt8((Float(source.pixels[i * 3 + k]) * (1 - a) + Float(c) * a).rounded())
                    XCTAssertEqual(frame.pixels[i * 3 + k], want)
                }
                let m = a == 0 ? 0 : max(1, UInt8((a * 255).rounded()))
                XCTAssertEqual(mask.pixels[i], m)
            }
        }
    }

    func testNothingOutsideEventTime() throws {
        let r = try renderSample(at: 6000)
        XCTAssertTrue(r.isEmpty)
        var frame = TestSupport.noiseFrame(width: 640, height: 360)
        let before = frame
        let mask = try r.composite(onto: &frame)
        XCTAssertEqual(frame, before)
        XCTAssertEqual(mask.pixels.max(), 0)
    }

    func testFrameSizeMismatchThrows() throws {
        let r = try renderSample()
        var frame = RGBFrame(width: 320, height: 180)
        XCTAssertThrowsError(try r.composite(onto: &frame)) { error in
            XCTAssertEqual(error as? SubtitleError, .frameSizeMismatch(expected: "640x360", got: "320x180"))
        }
    }

    func testYUVCompositeLeavesUntouchedSamplesAndAgreesWithRGB() throws {
        let r = try renderSample()
        let matrix = YUVMatrix.bt601
        // A flat mid-grey frame in both representations.
        let (gy, gu, gv) = matrix.yuv(red: 100, green: 120, blue: 140)
        let yuvSource = YUV420Frame(width: 640, height: 360,
                                    fill: (UInt8(gy.rounded()), UInt8(gu.rounded()), UInt8(gv.rounded())))
        var yuv = yuvSource
        let maskYUV = try r.composite(onto: &yuv, matrix: matrix)
        var rgb = RGBFrame(width: 640, height: 360, fill: (100, 120, 140))
        let maskRGB = try r.composite(onto: &rgb)
        XCTAssertEqual(maskYUV, maskRGB)
        for i in 0..<(640 * 360) where maskYUV.pixels[i] == 0 {
            XCTAssertEqual(yuv.y[i], yuvSource.y[i])
        }
        for cy in 0..<180 {
            for cx in 0..<320 {
                let block = [(0, 0), (1, 0), (0, 1), (1, 1)].map { maskYUV.pixels[(2 * cy + $0.1) * 640 + 2 * cx + $0.0] }
                let p = cy * 320 + cx
                if block.allSatisfy({ $0 == 0 }) {
                    XCTAssertEqual(yuv.u[p], yuvSource.u[p])
                    XCTAssertEqual(yuv.v[p], yuvSource.v[p])
                }
            }
        }
        // Luma of the YUV composite matches the luma of the RGB composite within rounding.
        var worst: Float = 0
        for i in 0..<(640 * 360) where maskYUV.pixels[i] > 0 {
            let (ly, _, _) = matrix.yuv(red: rgb.pixels[i * 3], green: rgb.pixels[i * 3 + 1], blue: rgb.pixels[i * 3 + 2])
            worst = max(worst, abs(ly - Float(yuv.y[i])))
        }
        XCTAssertLessThan(worst, 2.5)
    }

    func testYUVMatrixFromColourTags() {
        XCTAssertEqual(YUVMatrix(nil), .bt601)
        XCTAssertEqual(YUVMatrix(ColorDescription(matrix: "bt709")), .bt709)
        XCTAssertTrue(YUVMatrix(ColorDescription(matrix: "bt709", range: "pc")).fullRange)
        let white = YUVMatrix.bt601.yuv(red: 255, green: 255, blue: 255)
        XCTAssertEqual(white.0, 235, accuracy: 0.01)
        XCTAssertEqual(white.1, 128, accuracy: 0.01)
        let black = YUVMatrix.bt709.yuv(red: 0, green: 0, blue: 0)
        XCTAssertEqual(black.0, 16, accuracy: 0.01)
    }

    func testBadScriptThrows() {
        XCTAssertThrowsError(try SubtitleRenderer(script: "", width: 64, height: 64, origin: "empty.ass"))
    }
}

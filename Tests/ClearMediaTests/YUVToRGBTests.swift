// YUV 4:2:0 → RGB in Swift (the pipeline's engine input on the yuv420p path): the inverse of
// YUVMatrix.yuv, and close to FFmpeg's own rgb24 decode of the same stream.
import XCTest
import Foundation
@testable import ClearMedia

final class YUVToRGBTests: XCTestCase {
    /// RGB → YUV (YUVMatrix, per pixel, 4:4:4 as 2×2-uniform chroma) → RGB returns the colour to
    /// within the 8-bit quantisation of the code values, for every matrix and range.
    func testInvertsYUVMatrix() {
        for matrix in [YUVMatrix.bt601, .bt709, YUVMatrix(kr: 0.2627, kb: 0.0593, fullRange: true)] {
            var worst = 0
            for r in stride(from: 0, through: 255, by: 17) { for g in stride(from: 0, through: 255, by: 15) { for b in stride(from: 0, through: 255, by: 51) {
                let (y, u, v) = matrix.yuvBytes(red: UInt8(r), green: UInt8(g), blue: UInt8(b))
                let f = YUV420Frame(width: 2, height: 2, y: [y, y, y, y], u: [u], v: [v]).rgb(matrix: matrix)
                for (k, c) in [r, g, b].enumerated() { worst = max(worst, abs(Int(f.pixels[k]) - c)) }
                XCTAssertEqual(f.pixels[0..<3], f.pixels[9..<12], "uniform block gives uniform pixels")
            } } }
            XCTAssertLessThanOrEqual(worst, 3, "\(matrix)")
        }
    }

    /// Against FFmpeg's rgb24 decode of a BT.601 and a BT.709-tagged clip: the mean difference is
    /// within a level (FFmpeg's unscaled converter rounds in fixed point).
    func testCloseToFFmpegRGBDecode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-y2r-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for tag in [[], ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]] {
            let src = dir.appendingPathComponent("src\(tag.count).mp4").path
            try SyntheticClip.ffmpeg(["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=5", "-t", "0.6",
                                      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] + tag + [src])
            let info = try VideoProbe.probe(src)
            let matrix = YUVMatrix(try ColorDescription.probe(src))
            let rgb = try VideoDecoder(info: info), yuv = try VideoDecoder(info: info, layout: .yuv420p)
            var frames = 0
            while let a = try rgb.nextFrame(), let b = try yuv.nextYUVFrame() {
                let ours = b.rgb(matrix: matrix)
                let diff = zip(a.pixels, ours.pixels).map { abs(Int($0) - Int($1)) }
                let mean = Double(diff.reduce(0, +)) / Double(diff.count)
                XCTAssertLessThanOrEqual(mean, 1.0, "\(tag.isEmpty ? "bt601" : "bt709") frame \(frames): mean |Δ| \(mean)")
                frames += 1
            }
            XCTAssertEqual(frames, 3)
        }
    }

    /// The conversion equals the per-pixel formula written out (each pixel's own chroma sample,
    /// the same float operations in the same order), byte for byte, on odd sizes too.
    func testEqualsThePerPixelFormula() {
        var state: UInt32 = 12345
        func byte() -> UInt8 { state = state &* 1664525 &+ 1013904223; return UInt8(truncatingIfNeeded: state >> 24) }
        for (w, h) in [(7, 5), (8, 4), (1, 3), (33, 17)] {
            let (cw, ch) = ((w + 1) / 2, (h + 1) / 2)
            let f = YUV420Frame(width: w, height: h, y: (0..<(w * h)).map { _ in byte() },
                                u: (0..<(cw * ch)).map { _ in byte() }, v: (0..<(cw * ch)).map { _ in byte() })
            for matrix in [YUVMatrix.bt601, .bt709, YUVMatrix(kr: 0.2627, kb: 0.0593, fullRange: true)] {
                let (ys, cs): (Float, Float) = matrix.fullRange ? (1, 1) : (255 / 219, 255 / 224)
                let y0: Float = matrix.fullRange ? 0 : 16
                let kr = matrix.kr, kb = matrix.kb, kg = 1 - kr - kb
                let rv = 2 * (1 - kr) * cs, bu = 2 * (1 - kb) * cs, gu = -kb * bu / kg, gv = -kr * rv / kg
                var want = [UInt8]()
                for row in 0..<h {
                    for x in 0..<w {
                        let l = (Float(f.y[row * w + x]) - y0) * ys
                        let cb = Float(f.u[(row / 2) * cw + x / 2]) - 128, cr = Float(f.v[(row / 2) * cw + x / 2]) - 128
                        want += [Self.byte(l + rv * cr), Self.byte(l + gu * cb + gv * cr), Self.byte(l + bu * cb)]
                    }
                }
                XCTAssertEqual(f.rgb(matrix: matrix).pixels, want, "\(w)x\(h) \(matrix)")
            }
        }
    }

    /// The conversion's rounding in its direct form (float → integer).
    static func byte(_ x: Float) -> UInt8 { UInt8(truncatingIfNeeded: Int32(Swift.min(255, Swift.max(0, x + 0.5)))) }

    /// `YUVToRGB.byte` equals the direct form on every step of 1/64 over -300…600 and on the
    /// floats just beside each integer and half.
    func testByteRoundingEqualsTheDirectForm() {
        var xs: [Float] = stride(from: -300, through: 600, by: 1.0 / 64).map { Float($0) }
        for k in -2...258 {
            for base in [Float(k), Float(k) + 0.5, Float(k) - 0.5] { xs += [base.nextDown, base, base.nextUp] }
        }
        for x in xs { XCTAssertEqual(YUVToRGB.byte(x), Self.byte(x), "\(x)") }
    }
}

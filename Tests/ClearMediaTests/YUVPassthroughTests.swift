// The yuv420p raw path: frames decoded as YUV 4:2:0 and re-encoded losslessly (x264 CRF 0) come
// back bit-exact, with the source's colour tags on the output.
import XCTest
import Foundation
@testable import ClearMedia

final class YUVPassthroughTests: XCTestCase {
    func testLosslessYUVRoundTripIsBitExactAndKeepsColourTags() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-yuv-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src.mp4").path
        let ff = Process()
        ff.executableURL = URL(fileURLWithPath: FFmpegTools.find("ffmpeg") ?? "/usr/bin/ffmpeg")
        ff.arguments = ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=5", "-t", "1",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", src]
        try ff.run()
        ff.waitUntilExit()
        let info = try VideoProbe.probe(src)
        let color = try ColorDescription.probe(src)
        XCTAssertEqual(color.matrix, "bt709")
        XCTAssertEqual(info.color, color, "the main probe reads the same colour description")

        let out = dir.appendingPathComponent("out.mkv").path
        var settings = EncoderSettings.h264(width: 96, height: 64, fps: info.fps, crf: 0, preset: "ultrafast")
        settings.yuvInput = true
        settings.color = color
        let enc = try VideoEncoder(outputPath: out, settings: settings)
        let dec = try VideoDecoder(info: info, layout: .yuv420p)
        var originals: [YUV420Frame] = []
        while let f = try dec.nextYUVFrame() {
            XCTAssertEqual(f.chromaWidth, 48)
            originals.append(f)
            try enc.write(f)
        }
        try enc.finish()
        XCTAssertEqual(originals.count, 5)
        let back = try VideoDecoder(path: out, layout: .yuv420p)
        for o in originals { XCTAssertEqual(try back.nextYUVFrame(), o) }
        XCTAssertNil(try back.nextYUVFrame())
        XCTAssertEqual(try ColorDescription.probe(out), color)
        XCTAssertThrowsError(try enc.write(RGBFrame(width: 96, height: 64)))
    }

    func testPackedLayoutAndSizes() {
        XCTAssertEqual(VideoDecoder.frameBytes(.yuv420p, width: 5, height: 3), 15 + 2 * 3 * 2)
        let f = YUV420Frame(width: 2, height: 2, packed: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(f.y, [1, 2, 3, 4])
        XCTAssertEqual(f.u, [5])
        XCTAssertEqual(f.v, [6])
    }
}

// Round trip of the bundled sample through VideoDecoder → VideoEncoder: frame count, fps, size
// and audio are kept.
import XCTest
import Foundation
@testable import ClearMedia

final class ReencodeTests: XCTestCase {
    static var sample: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/samples/hall.mp4").path
    }

    func testProbeSample() throws {
        let info = try VideoProbe.probe(Self.sample)
        XCTAssertEqual(info.width, 768)
        XCTAssertEqual(info.height, 576)
        XCTAssertEqual(info.frameCount, 80)
        XCTAssertEqual(info.fps, FrameRate(10, 1))
        XCTAssertEqual(info.audioStreams.count, 1)
        XCTAssertEqual(info.audioStreams.first?.codec, "aac")
        // what the encoder is handed instead of probing again
        XCTAssertEqual(info.audioCodecNames, try AudioCopyPlan.audioCodecs(Self.sample))
        XCTAssertEqual(info.color, try ColorDescription.probe(Self.sample))
    }

    func testReencodeKeepsFramesFpsAudio() throws {
        let info = try VideoProbe.probe(Self.sample)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mp4").path
        let dec = try VideoDecoder(info: info)
        let enc = try VideoEncoder(outputPath: out, settings: .h264(width: info.width, height: info.height,
                                                                    fps: info.fps, crf: 16, audioSource: info.path))
        var n = 0
        while let f = try dec.nextFrame() { try enc.write(f); n += 1 }
        try enc.finish()
        XCTAssertEqual(n, 80)
        let o = try VideoProbe.probe(out)
        XCTAssertEqual(o.frameCount, 80)
        XCTAssertEqual(o.fps, info.fps)
        XCTAssertEqual(o.width, 768)
        XCTAssertEqual(o.audioStreams.map(\.codec), ["aac"])
        XCTAssertEqual(o.durationSeconds, info.durationSeconds, accuracy: 0.05)
        XCTAssertFalse(enc.audioWasTranscoded)
    }
}

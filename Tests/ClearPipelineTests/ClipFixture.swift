// Per-test temporary directory with generated clips, and FFmpeg-based inspection helpers
// (packet hashes of audio streams, decoded frames).
import XCTest
import Foundation
import ClearMedia

final class ClipFixture {
    let scratch: ScratchDirectory
    var dir: URL { scratch.url }

    init(_ label: String) throws { scratch = try ScratchDirectory(label: label) }

    func path(_ name: String) -> String { scratch.path(name) }

    /// A testsrc2 + sine clip (160×120, 10 fps, 2 s by default).
    func clip(_ name: String, width: Int = 160, height: Int = 120, seconds: Double = 2,
              audioCodec: String? = "aac", extra: [String] = []) throws -> String {
        let p = path(name)
        try SyntheticClip.make(p, width: width, height: height, seconds: seconds, audioCodec: audioCodec, extra: extra)
        return p
    }

    static func audioPacketHash(_ file: String) throws -> String { try MediaFingerprint.audioPacketMD5(file) }

    /// All frames of `file`, decoded to RGB.
    static func decodeAll(_ file: String) throws -> [RGBFrame] {
        let dec = try VideoDecoder(path: file)
        var frames: [RGBFrame] = []
        while let f = try dec.nextFrame() { frames.append(f) }
        return frames
    }

    /// Mean absolute difference per byte of two equally sized frames.
    static func meanAbsDiff(_ a: RGBFrame, _ b: RGBFrame) -> Double {
        var total = 0
        for i in a.pixels.indices { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(a.pixels.count)
    }

    func listing() -> [String] { scratch.listing() }
}

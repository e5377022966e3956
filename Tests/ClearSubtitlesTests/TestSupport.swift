// Shared helpers of the Subtitles tests: temporary directories, small generated clips (FFmpeg lavfi
// test pattern + sine audio), ASS snippets, and masked PSNR (inside / outside a dilated mask).
import XCTest
import Foundation
import ClearMedia
@testable import ClearSubtitles

enum TestSupport {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var sampleVideo: String { repositoryRoot.appendingPathComponent("Resources/samples/hall.mp4").path }

    /// A fresh empty directory, removed by the caller's `defer`.
    static func temporaryDirectory(_ tag: String = "subs") throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("clearsub-\(tag)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A `seconds`-long test-pattern clip with a 440 Hz AAC track, H.264 at `rate` fps.
    static func makeClip(in dir: URL, name: String = "clip.mp4", width: Int = 320, height: Int = 240,
                         rate: Int = 10, seconds: Double = 2) throws -> String {
        let out = dir.appendingPathComponent(name).path
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(rate)",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                    "-t", String(seconds), "-map", "0:v", "-map", "1:a",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "64k", out])
        return out
    }

    /// A silent 1-second test-pattern clip with extra encoder options (pixel format, colour tags).
    static func makeSilentClip(_ path: String, size: String, rate: Int, options: [String]) throws {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)", "-t", "1",
                    "-c:v", "libx264", "-preset", "ultrafast"] + options + [path])
    }

    /// Runs ffmpeg quietly with `arguments`, overwriting outputs.
    static func ffmpeg(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FFmpegTools.find("ffmpeg") ?? "/usr/bin/ffmpeg")
        p.arguments = ["-nostdin", "-v", "error", "-y"] + arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw MediaError.ffmpegFailed(tool: "ffmpeg", detail: "test clip") }
    }

    /// A one-event script on a `width`×`height` frame with the given style line fields.
    static func script(_ text: String, width: Int = 640, height: Int = 360, font: String = "Noto Sans",
                       size: Int = 40, startMs: Int = 0, endMs: Int = 5000,
                       styleTail: String = "&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,1,2,10,10,20,1") -> String {
        var s = ASSScript(playResX: width, playResY: height)
        s.styles = []
        let head = s.text.components(separatedBy: "[V4+ Styles]")[0]
        return head + "[V4+ Styles]\n" + ASSStyle.formatLine + "\n"
            + "Style: Default,\(font),\(size),\(styleTail)\n\n[Events]\n" + ASSEvent.formatLine + "\n"
            + ASSEvent(startMs: startMs, endMs: endMs, style: "Default", text: text).line + "\n"
    }

    /// A frame of deterministic noise (every value 0…255 occurs), so compositing changes are visible.
    static func noiseFrame(width: Int, height: Int, seed: UInt64 = 1) -> RGBFrame {
        var rng = SeededRandom(seed: seed)
        return RGBFrame(width: width, height: height,
                        pixels: (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    /// Square dilation of a mask's support (> 0) by `radius` pixels (separable: rows, then columns).
    static func dilate(_ mask: GrayFrame, radius: Int) -> [Bool] {
        let w = mask.width, h = mask.height
        var rows = [Bool](repeating: false, count: w * h)
        var out = [Bool](repeating: false, count: w * h)
        mask.pixels.withUnsafeBufferPointer { m in
            rows.withUnsafeMutableBufferPointer { r in
                for y in 0..<h {
                    for x in 0..<w where m[y * w + x] > 0 {
                        for xx in max(0, x - radius)...min(w - 1, x + radius) { r[y * w + xx] = true }
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    for x in 0..<w where r[y * w + x] {
                        for yy in max(0, y - radius)...min(h - 1, y + radius) { o[yy * w + x] = true }
                    }
                }
            }
        }
        return out
    }

    struct MaskedPSNR {
        var inside: Double
        var outside: Double
        var frames: Int
        var insidePixels: Int
    }

    /// PSNR of `candidate` against `reference` over all frames and RGB channels, pooled separately
    /// inside and outside the `radius`-dilated `mask` video.
    static func maskedPSNR(reference: String, candidate: String, mask: String, radius: Int = 2) throws -> MaskedPSNR {
        let ref = try VideoDecoder(path: reference)
        let cand = try VideoDecoder(path: candidate)
        let msk = try VideoDecoder(path: mask, layout: .gray)
        var sseIn = 0.0, sseOut = 0.0, nIn = 0, nOut = 0, frames = 0
        while let r = try ref.nextFrame() {
            guard let c = try cand.nextFrame(), let m = try msk.nextGrayFrame() else {
                throw MediaError.truncated(candidate, decoded: frames, expected: frames + 1)
            }
            let inside = dilate(m, radius: radius)
            r.pixels.withUnsafeBufferPointer { rp in
                c.pixels.withUnsafeBufferPointer { cp in
                    inside.withUnsafeBufferPointer { ins in
                        for i in 0..<(r.width * r.height) {
                            var e = 0
                            for k in (i * 3)..<(i * 3 + 3) {
                                let d = Int(rp[k]) - Int(cp[k])
                                e += d * d
                            }
                            if ins[i] { sseIn += Double(e); nIn += 3 } else { sseOut += Double(e); nOut += 3 }
                        }
                    }
                }
            }
            frames += 1
        }
        func psnr(_ sse: Double, _ n: Int) -> Double {
            n == 0 || sse == 0 ? .infinity : 10 * log10(255 * 255 / (sse / Double(n)))
        }
        return MaskedPSNR(inside: psnr(sseIn, nIn), outside: psnr(sseOut, nOut), frames: frames, insidePixels: nIn / 3)
    }
}

// Clean training footage (design §5 "Data"): real photos (binary PPM) and real video clips, given
// smooth random camera motion — a crop window drifting (and slowly zooming) over the source.
// Only the requested region of the virtual canvas is sampled (bilinear), so large canvases are cheap.
import ClearMedia
import ClearSubtitles
import Foundation

/// One still image or a short clip, RGB bytes.
public struct CleanSource: Sendable {
    public let name: String
    public let width: Int
    public let height: Int
    public let frames: [[UInt8]]
    /// The camera never stands still over this source (it carries scene text, which only its
    /// motion tells apart from a subtitle; see `SceneTextSources`).
    public var alwaysMoving = false

    public init(name: String, width: Int, height: Int, frames: [[UInt8]]) {
        precondition(width >= 2 && height >= 2 && frames.allSatisfy { $0.count == width * height * 3 })
        self.name = name; self.width = width; self.height = height; self.frames = frames
    }

    /// Reads a binary PPM (P6, maxval 255).
    public static func ppm(_ path: String) throws -> CleanSource {
        guard let data = FileManager.default.contents(atPath: path) else { throw LiteError.unreadableImage(path) }
        let bytes = [UInt8](data)
        var fields: [String] = [], i = 0
        while fields.count < 4 && i < bytes.count {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "#") { while i < bytes.count, bytes[i] != 0x0A { i += 1 }; continue }
            var tok = ""
            while i < bytes.count, !(bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09) {
                tok.append(Character(UnicodeScalar(bytes[i]))); i += 1
            }
            fields.append(tok)
        }
        i += 1
        guard fields.count == 4, fields[0] == "P6", let w = Int(fields[1]), let h = Int(fields[2]), fields[3] == "255",
              w >= 16, h >= 16, bytes.count - i >= w * h * 3 else { throw LiteError.unreadableImage(path) }
        return CleanSource(name: (path as NSString).lastPathComponent, width: w, height: h,
                           frames: [Array(bytes[i..<(i + w * h * 3)])])
    }

    /// Decodes up to `maxFrames` frames of a video, keeping every `step`-th.
    public static func video(_ path: String, maxFrames: Int = 240, step: Int = 1) throws -> CleanSource {
        let dec = try VideoDecoder(path: path)
        defer { dec.close() }
        var frames: [[UInt8]] = [], n = 0, w = 0, h = 0
        while frames.count < maxFrames, let f = try dec.nextFrame() {
            if n % step == 0 { frames.append(f.pixels); w = f.width; h = f.height }
            n += 1
        }
        guard !frames.isEmpty else { throw LiteError.noTrainingData(path) }
        return CleanSource(name: (path as NSString).lastPathComponent, width: w, height: h, frames: frames)
    }

    /// Every `.ppm` and `.avi`/`.mp4` in `directory` (sorted, so a seed gives the same data).
    public static func loadAll(_ directory: String) throws -> [CleanSource] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var out: [CleanSource] = []
        for n in names {
            let p = directory + "/" + n
            if n.hasSuffix(".ppm") { out.append(try ppm(p)) }
            else if n.hasSuffix(".avi") || n.hasSuffix(".mp4") { out.append(try video(p)) }
        }
        guard !out.isEmpty else { throw LiteError.noTrainingData(directory) }
        return out
    }
}

/// A smooth camera path over a source: canvas pixel (x, y) at frame k maps to source
/// ((x − cx)·s_k + px_k, (y − cy)·s_k + py_k), with linear drift and zoom.
struct CameraPath {
    let source: CleanSource
    let canvasWidth: Int, canvasHeight: Int
    let scale: Double, zoom: Double
    let x0: Double, y0: Double, vx: Double, vy: Double
    let firstFrame: Int

    init(source: CleanSource, canvasWidth: Int, canvasHeight: Int, frames: Int, rng: inout SeededRandom) {
        self.source = source; self.canvasWidth = canvasWidth; self.canvasHeight = canvasHeight
        // Source pixels per canvas pixel near 1 (0.6–1.5): footage keeps its native sharpness and
        // noise (an upscaled photo is smoother than any real frame); the canvas may be larger than
        // the source, whose coordinates are then mirrored at its borders.
        scale = rng.uniform(0.6, 1.5)
        zoom = rng.chance(0.3) ? rng.uniform(-0.004, 0.004) : 0
        let still = !source.alwaysMoving && rng.chance(0.3)
        let speed = still ? 0 : rng.uniform(source.alwaysMoving ? 1.5 : 0.3, 6) * scale
        let angle = rng.uniform(0, 2 * Double.pi)
        vx = speed * cos(angle); vy = speed * sin(angle)
        x0 = rng.uniform(0, Double(source.width)); y0 = rng.uniform(0, Double(source.height))
        firstFrame = source.frames.count > frames ? rng.int(0...(source.frames.count - frames)) : 0
    }

    /// Reflects coordinate `v` into [0, n − 1] (mirror tiling of the source plane).
    static func mirror(_ v: Double, _ n: Int) -> Double {
        let period = 2 * Double(n - 1)
        var m = v.truncatingRemainder(dividingBy: period)
        if m < 0 { m += period }
        return m > Double(n - 1) ? period - m : m
    }

    /// Writes the `w`×`h` canvas region at (rx, ry) of frame `k` into `frame` (a canvas-sized frame).
    func render(frame k: Int, rx: Int, ry: Int, w: Int, h: Int, into frame: inout RGBFrame) {
        let src = source.frames[min(firstFrame + k, source.frames.count - 1)]
        let s = scale * (1 + zoom * Double(k))
        let px = x0 + vx * Double(k), py = y0 + vy * Double(k)
        let cx = Double(canvasWidth) / 2, cy = Double(canvasHeight) / 2
        let sw = source.width, sh = source.height, cw = canvasWidth
        frame.pixels.withUnsafeMutableBufferPointer { out in
            for y in ry..<(ry + h) {
                let fy = CameraPath.mirror((Double(y) - cy) * s + py, sh)
                let iy = min(Int(fy), sh - 2), ty = Float(fy - Double(iy))
                for x in rx..<(rx + w) {
                    let fx = CameraPath.mirror((Double(x) - cx) * s + px, sw)
                    let ix = min(Int(fx), sw - 2), tx = Float(fx - Double(ix))
                    let a = (iy * sw + ix) * 3, b = a + sw * 3
                    let o = (y * cw + x) * 3
                    for c in 0..<3 {
                        let top = Float(src[a + c]) * (1 - tx) + Float(src[a + 3 + c]) * tx
                        let bot = Float(src[b + c]) * (1 - tx) + Float(src[b + 3 + c]) * tx
                        out[o + c] = UInt8(min(255, max(0, (top * (1 - ty) + bot * ty).rounded())))
                    }
                }
            }
        }
    }
}

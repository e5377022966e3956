// Things that move on their own over the scene, for training windows (hard negatives, thirteenth
// session, MODEL_CARD.md "v8"): people walking past a fixed camera, a bag carried, a striped
// barrier tape fluttering in the wind. On the validation clips the head's α fired on exactly such
// things far from any subtitle, and those pixels carried most of the error left outside the text.
// A subtitle stays fixed on the screen while its cue lasts; these patches move or flutter from
// frame to frame, and their α target stays 0 (they are scenery, painted before the subtitles).
// No reference implementation: a data rule of this project.
import ClearMedia
import ClearSubtitles
import Foundation

struct MovingObject {
    enum Texture {
        /// A patch of a training source (frame 0) at (x, y).
        case photo(source: Int, x: Int, y: Int)
        /// Two colours in diagonal stripes of `period` pixels (a barrier tape, a striped pole).
        case stripes(UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, period: Int)
    }
    let texture: Texture
    let width: Int, height: Int
    let ellipse: Bool
    /// Top-left corner in canvas pixels at frame k: start + velocity·k + a per-frame jitter.
    let x0: Double, y0: Double, vx: Double, vy: Double
    let jitter: [(Int, Int)]

    /// One to three objects whose boxes cross the crop (rx, ry, s) at the centre frame `centre`
    /// of an `frames`-frame window.
    static func draw(sources: [CleanSource], rx: Int, ry: Int, s: Int, frames: Int, centre: Int,
                     rng: inout SeededRandom) -> [MovingObject] {
        (0..<rng.int(1...3)).map { _ in
            let striped = rng.chance(0.35)
            let texture: Texture
            let (w, h): (Int, Int)
            let speed: Double, flutter: Int
            if striped {
                // a tape or a strip: thin and long, mostly slow, fluttering
                let long = rng.int(30...150), thin = rng.int(3...10)
                (w, h) = rng.chance(0.8) ? (long, thin) : (thin, long)
                let light = [UInt8(rng.int(200...255)), UInt8(rng.int(200...255)), UInt8(rng.int(200...255))]
                let dark: [UInt8] = rng.chance(0.5) ? [UInt8(rng.int(150...255)), UInt8(rng.int(0...60)), UInt8(rng.int(0...60))]
                    : [UInt8(rng.int(0...255)), UInt8(rng.int(0...255)), UInt8(rng.int(0...255))]
                texture = .stripes(light[0], light[1], light[2], dark[0], dark[1], dark[2], period: rng.int(4...16))
                speed = rng.chance(0.5) ? 0 : rng.uniform(0, 1.5)
                flutter = rng.int(1...2)
            } else {
                // a person, a bag, a car part: a patch of real texture, walking speed or faster
                (w, h) = (rng.int(10...60), rng.int(20...120))
                let src = rng.int(0...(sources.count - 1))
                let sw = sources[src].width, sh = sources[src].height
                texture = .photo(source: src, x: rng.int(0...max(0, sw - w)), y: rng.int(0...max(0, sh - h)))
                speed = rng.uniform(0.5, 8)
                flutter = rng.int(0...1)
            }
            let angle = rng.uniform(0, 2 * Double.pi)
            let (vx, vy) = (speed * cos(angle), speed * sin(angle))
            // the object's centre lies inside the crop at the centre frame
            let cx = Double(rng.int(rx...(rx + s - 1))), cy = Double(rng.int(ry...(ry + s - 1)))
            let x0 = cx - Double(w) / 2 - vx * Double(centre), y0 = cy - Double(h) / 2 - vy * Double(centre)
            let jitter = (0..<frames).map { _ in (rng.int(-flutter...flutter), rng.int(-flutter...flutter)) }
            return MovingObject(texture: texture, width: w, height: h, ellipse: !striped && rng.chance(0.7),
                                x0: x0, y0: y0, vx: vx, vy: vy, jitter: jitter)
        }
    }

    /// Paints the object as it is at frame `k` into the crop (rx, ry, s) of the canvas `frame`.
    func paint(frame k: Int, sources: [CleanSource], rx: Int, ry: Int, s: Int, into frame: inout RGBFrame) {
        let left = Int((x0 + vx * Double(k)).rounded()) + jitter[k].0
        let top = Int((y0 + vy * Double(k)).rounded()) + jitter[k].1
        let cw = frame.width
        let (a, b) = (Double(width) / 2, Double(height) / 2)
        let (ya, yb, xa, xb) = (max(ry, top), min(ry + s, top + height), max(rx, left), min(rx + s, left + width))
        guard ya < yb, xa < xb else { return }
        for y in ya..<yb {
            for x in xa..<xb {
                let (u, v) = (x - left, y - top)
                var cover = 1.0
                if ellipse {
                    // a soft edge about one pixel wide
                    let dx = (Double(u) + 0.5 - a) / a, dy = (Double(v) + 0.5 - b) / b
                    cover = min(1, max(0, (1 - (dx * dx + dy * dy).squareRoot()) * min(a, b)))
                    if cover <= 0 { continue }
                }
                let rgb: (UInt8, UInt8, UInt8)
                switch texture {
                case let .photo(src, sx, sy):
                    let source = sources[src]
                    let p = (min(sy + v, source.height - 1) * source.width + min(sx + u, source.width - 1)) * 3
                    rgb = (source.frames[0][p], source.frames[0][p + 1], source.frames[0][p + 2])
                case let .stripes(r0, g0, b0, r1, g1, b1, period):
                    rgb = ((u + v) / max(1, period / 2)) % 2 == 0 ? (r0, g0, b0) : (r1, g1, b1)
                }
                let o = (y * cw + x) * 3
                func blend(_ c: Int, _ value: UInt8) {
                    let old = Double(frame.pixels[o + c])
                    frame.pixels[o + c] = UInt8(min(255, max(0, (old + cover * (Double(value) - old)).rounded())))
                }
                blend(0, rgb.0); blend(1, rgb.1); blend(2, rgb.2)
            }
        }
    }
}

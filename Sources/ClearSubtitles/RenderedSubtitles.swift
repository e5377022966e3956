// What libass drew for one instant: 8-bit alpha bitmaps with a colour each, in drawing order.
// Composites them onto an RGB frame and builds the exact opacity mask in one pass:
//   per image i and pixel: a_i = bitmap/255 · (255 − AA)/255      (AA = the colour's transparency)
//   colour:  c ← round(c·(1 − a_i) + colour_i·a_i), images applied in order (float arithmetic)
//   mask:    α = 1 − Π_i (1 − a_i), stored as 0 where no image has a_i > 0, else max(1, round(255·α))
// so a mask value of 0 means exactly "this pixel was not changed".
import ClearMedia

/// One libass image, cropped to the frame, its alpha bitmap copied without row padding.
public struct SubtitleBitmap: Sendable, Equatable {
    public enum Kind: Sendable { case character, outline, shadow }

    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int
    /// `width * height` coverage values, row-major.
    public let alpha: [UInt8]
    /// 0xRRGGBBAA, AA being transparency (0 = opaque), as libass gives it.
    public let rgba: UInt32
    public let kind: Kind

    public var red: UInt8 { UInt8(rgba >> 24) }
    public var green: UInt8 { UInt8((rgba >> 16) & 0xFF) }
    public var blue: UInt8 { UInt8((rgba >> 8) & 0xFF) }
    public var transparency: UInt8 { UInt8(rgba & 0xFF) }

    /// Calls `body(x, y, a)` for every frame pixel this image covers with opacity
    /// a = bitmap/255 · (255 − transparency)/255 > 0, row by row.
    @inline(__always)
    func forEachCoveredPixel(_ body: (_ x: Int, _ y: Int, _ a: Float) -> Void) {
        let opacity = Float(255 - Int(transparency)) / 255
        if opacity == 0 { return }
        alpha.withUnsafeBufferPointer { al in
            for row in 0..<height {
                for col in 0..<width {
                    let v = al[row * width + col]
                    if v != 0 { body(x + col, y + row, Float(v) / 255 * opacity) }
                }
            }
        }
    }
}

/// A pixel rectangle, half-open: x in minX..<maxX, y in minY..<maxY.
public struct PixelRect: Sendable, Equatable {
    public var minX: Int, minY: Int, maxX: Int, maxY: Int
    public var width: Int { maxX - minX }
    public var height: Int { maxY - minY }
}

public struct RenderedSubtitles: Sendable {
    public let frameWidth: Int
    public let frameHeight: Int
    /// In drawing order (libass: shadows, then outlines, then glyphs, event by event).
    public let bitmaps: [SubtitleBitmap]

    public var isEmpty: Bool { bitmaps.isEmpty }

    /// Bounding box of the pixels with non-zero coverage among the bitmaps of the given kinds,
    /// or nil when there are none.
    public func inkBounds(kinds: Set<SubtitleBitmap.Kind> = [.character, .outline, .shadow]) -> PixelRect? {
        var r: PixelRect?
        for b in bitmaps where kinds.contains(b.kind) {
            b.forEachCoveredPixel { x, y, _ in
                if var cur = r {
                    cur.minX = min(cur.minX, x); cur.maxX = max(cur.maxX, x + 1)
                    cur.minY = min(cur.minY, y); cur.maxY = max(cur.maxY, y + 1)
                    r = cur
                } else {
                    r = PixelRect(minX: x, minY: y, maxX: x + 1, maxY: y + 1)
                }
            }
        }
        return r
    }

    /// Composites the bitmaps onto `frame` in order and returns the opacity mask (see file header).
    public func composite(onto frame: inout RGBFrame) throws -> GrayFrame {
        try checkSize(frame.width, frame.height)
        guard let box = unionBox() else { return GrayFrame(width: frameWidth, height: frameHeight) }
        var coverage = Coverage(box: box)
        frame.pixels.withUnsafeMutableBufferPointer { px in
            for b in bitmaps {
                let cr = Float(b.red), cg = Float(b.green), cb = Float(b.blue)
                b.forEachCoveredPixel { x, y, a in
                    let inv = 1 - a
                    let p = (y * frameWidth + x) * 3
                    px[p] = UInt8((Float(px[p]) * inv + cr * a).rounded())
                    px[p + 1] = UInt8((Float(px[p + 1]) * inv + cg * a).rounded())
                    px[p + 2] = UInt8((Float(px[p + 2]) * inv + cb * a).rounded())
                    coverage.add(x: x, y: y, inverse: inv)
                }
            }
        }
        return coverage.mask(width: frameWidth, height: frameHeight)
    }

    func checkSize(_ width: Int, _ height: Int) throws {
        guard width == frameWidth, height == frameHeight else {
            throw SubtitleError.frameSizeMismatch(expected: "\(frameWidth)x\(frameHeight)", got: "\(width)x\(height)")
        }
    }

    /// The opacity mask alone (compositing onto a scratch frame).
    public func mask() -> GrayFrame {
        var scratch = RGBFrame(width: frameWidth, height: frameHeight)
        // Sizes match by construction, so this cannot throw.
        return (try? composite(onto: &scratch)) ?? GrayFrame(width: frameWidth, height: frameHeight)
    }

    func unionBox() -> PixelRect? {
        var r: PixelRect?
        for b in bitmaps where b.width > 0 && b.height > 0 {
            let br = PixelRect(minX: b.x, minY: b.y, maxX: b.x + b.width, maxY: b.y + b.height)
            if let cur = r {
                r = PixelRect(minX: min(cur.minX, br.minX), minY: min(cur.minY, br.minY),
                              maxX: max(cur.maxX, br.maxX), maxY: max(cur.maxY, br.maxY))
            } else {
                r = br
            }
        }
        return r
    }
}

/// Transmittance Π(1 − a_i) over a rectangle, turned into the 8-bit opacity mask.
struct Coverage {
    let box: PixelRect
    private var transmit: [Float]

    init(box: PixelRect) {
        self.box = box
        transmit = [Float](repeating: 1, count: box.width * box.height)
    }

    /// Multiplies pixel (x, y) (inside `box`) by 1 − a.
    mutating func add(x: Int, y: Int, inverse: Float) {
        transmit[(y - box.minY) * box.width + (x - box.minX)] *= inverse
    }

    /// 0 where nothing was added, else max(1, round(255 · (1 − Π))).
    func mask(width: Int, height: Int) -> GrayFrame {
        var mask = GrayFrame(width: width, height: height)
        transmit.withUnsafeBufferPointer { tr in
            mask.pixels.withUnsafeMutableBufferPointer { m in
                for row in 0..<box.height {
                    for col in 0..<box.width {
                        let t = tr[row * box.width + col]
                        if t < 1 {
                            let v = ((1 - t) * 255).rounded()
                            m[(box.minY + row) * width + box.minX + col] = UInt8(max(1, min(255, v)))
                        }
                    }
                }
            }
        }
        return mask
    }
}

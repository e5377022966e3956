// PSNR inside a fixed rectangle of the frame (`clearsub eval --region x,y,w,h`, key psnr_region):
// the scene-text check of the lite engine's validation (issue 4: text that is part of the scene
// must survive — PSNR in its region within 1 dB of the input's own). Squared errors are summed
// over the rectangle's pixels and all three channels of every frame, like the masked PSNR.
import ClearMedia

/// A rectangle in pixels: left, top, width, height.
public struct PixelRect: Sendable, Equatable, CustomStringConvertible {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Parses "x,y,w,h" (non-negative integers, w and h at least 1).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3],
              x >= 0, y >= 0, w >= 1, h >= 1 else { throw MetricsError.invalidRegion(text) }
        self.init(x: x, y: y, width: w, height: h)
    }

    public var description: String { "\(x),\(y),\(width),\(height)" }

    /// Whether the rectangle lies inside a `frameWidth` × `frameHeight` frame.
    public func fits(frameWidth: Int, frameHeight: Int) -> Bool {
        x + width <= frameWidth && y + height <= frameHeight
    }
}

extension PSNR {
    /// Squared error of two frames over the pixels of `rect` (all three channels of each).
    public static func squaredError(_ a: RGBFrame, _ b: RGBFrame, in rect: PixelRect) -> SquaredError {
        precondition(a.width == b.width && a.height == b.height && rect.fits(frameWidth: a.width, frameHeight: a.height),
                     "PSNR: frame sizes differ or region outside the frame")
        var s = 0
        for y in rect.y..<(rect.y + rect.height) {
            let row = 3 * (y * a.width + rect.x)
            for i in row..<(row + 3 * rect.width) {
                let d = Int(a.pixels[i]) - Int(b.pixels[i])
                s += d * d
            }
        }
        return SquaredError(sum: s, count: 3 * rect.width * rect.height)
    }
}

extension BinaryMask {
    /// Pixels of `rect` that are set.
    public func count(in rect: PixelRect) -> Int {
        var n = 0
        for y in rect.y..<(rect.y + rect.height) {
            for x in rect.x..<(rect.x + rect.width) { n += Int(bits[y * width + x]) }
        }
        return n
    }
}

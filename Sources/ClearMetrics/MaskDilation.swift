// The region a subtitle touches: pixels whose opacity is > 0, grown by a binary dilation with a
// 5 × 5 square structuring element (every pixel within Chebyshev distance 2 of a subtitle pixel),
// so the soft edges and compression halo around the glyphs count as "inside". Matches
// scipy.ndimage.binary_dilation(mask > 0, structure=np.ones((5, 5))) (pixels outside the frame
// count as empty).
import ClearMedia

/// One byte per pixel: 1 inside, 0 outside.
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var bits: [UInt8]

    public init(width: Int, height: Int, bits: [UInt8]) {
        precondition(bits.count == width * height, "BinaryMask: \(bits.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// Pixels with opacity > 0.
    public init(opacity: GrayFrame) {
        self.init(width: opacity.width, height: opacity.height, bits: opacity.pixels.map { $0 > 0 ? 1 : 0 })
    }

    public var insideCount: Int { bits.reduce(0) { $0 + Int($1) } }
    public var isEmpty: Bool { !bits.contains { $0 != 0 } }
}

public enum MaskDilation {
    /// Radius of the square structuring element: (2·radius + 1)² = 5 × 5.
    public static let radius = 2

    /// Binary dilation by a (2·radius + 1)² square, computed separably (row max, then column max).
    public static func dilate(_ mask: BinaryMask, radius: Int = MaskDilation.radius) -> BinaryMask {
        let w = mask.width, h = mask.height
        if radius <= 0 { return mask }
        var rowPass = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            // Distance-limited running max along the row: forward and backward sweeps.
            var last = Int.min / 2
            for x in 0..<w {
                if mask.bits[y * w + x] != 0 { last = x }
                if x - last <= radius { rowPass[y * w + x] = 1 }
            }
            last = Int.max / 2
            for x in stride(from: w - 1, through: 0, by: -1) {
                if mask.bits[y * w + x] != 0 { last = x }
                if last - x <= radius { rowPass[y * w + x] = 1 }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h)
        for x in 0..<w {
            var last = Int.min / 2
            for y in 0..<h {
                if rowPass[y * w + x] != 0 { last = y }
                if y - last <= radius { out[y * w + x] = 1 }
            }
            last = Int.max / 2
            for y in stride(from: h - 1, through: 0, by: -1) {
                if rowPass[y * w + x] != 0 { last = y }
                if last - y <= radius { out[y * w + x] = 1 }
            }
        }
        return BinaryMask(width: w, height: h, bits: out)
    }

    /// The evaluation region of an opacity frame: opacity > 0, dilated by the 5 × 5 square.
    public static func region(opacity: GrayFrame) -> BinaryMask {
        dilate(BinaryMask(opacity: opacity))
    }
}

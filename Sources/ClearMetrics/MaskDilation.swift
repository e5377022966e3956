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

    /// Binary dilation by a (2·radius + 1)² square, computed separably: a distance-limited running
    /// max along each row that holds a set pixel, then, for each output row, the OR of the swept
    /// rows within `radius` (rows farther than `radius` from every set pixel stay empty, untouched).
    public static func dilate(_ mask: BinaryMask, radius: Int = MaskDilation.radius) -> BinaryMask {
        let w = mask.width, h = mask.height
        if radius <= 0 { return mask }
        let rowHas = (0..<h).map { y in mask.bits[(y * w)..<((y + 1) * w)].contains { $0 != 0 } }
        var out = [UInt8](repeating: 0, count: w * h)
        guard let first = rowHas.firstIndex(of: true), let last = rowHas.lastIndex(of: true) else {
            return BinaryMask(width: w, height: h, bits: out)
        }
        var rowPass = [UInt8](repeating: 0, count: w * h)
        mask.bits.withUnsafeBufferPointer { mp in rowPass.withUnsafeMutableBufferPointer { rp in
            let (m, r) = (mp.baseAddress!, rp.baseAddress!)
            for y in first...last where rowHas[y] {
                var lastX = Int.min / 2
                for x in 0..<w { if m[y * w + x] != 0 { lastX = x }; if x - lastX <= radius { r[y * w + x] = 1 } }
                lastX = Int.max / 2
                for x in stride(from: w - 1, through: 0, by: -1) { if m[y * w + x] != 0 { lastX = x }; if lastX - x <= radius { r[y * w + x] = 1 } }
            }
        } }
        rowPass.withUnsafeBufferPointer { rp in out.withUnsafeMutableBufferPointer { op in
            let (r, o) = (rp.baseAddress!, op.baseAddress!)
            for y in max(0, first - radius)...min(h - 1, last + radius) {
                for yy in max(first, y - radius)...min(last, y + radius) where rowHas[yy] {
                    let s = r + yy * w, d = o + y * w
                    for x in 0..<w { d[x] |= s[x] }
                }
            }
        } }
        return BinaryMask(width: w, height: h, bits: out)
    }

    /// The evaluation region of an opacity frame: opacity > 0, dilated by the 5 × 5 square.
    public static func region(opacity: GrayFrame) -> BinaryMask {
        dilate(BinaryMask(opacity: opacity))
    }
}

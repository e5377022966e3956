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

    /// Binary dilation by a (2·radius + 1)² square, computed separably: each run of set pixels of
    /// a row widened by `radius` on both sides, then, for each output row, the OR of the widened
    /// rows within `radius` (rows farther than `radius` from every set pixel stay empty, untouched).
    /// Both passes treat rows independently; `forRows(n, body)` runs `body` over ranges covering
    /// 0..<n (in one go by default; a caller may split them over threads, with the same result).
    public static func dilate(_ mask: BinaryMask, radius: Int = MaskDilation.radius,
                              forRows: (Int, (Range<Int>) -> Void) -> Void = { n, body in body(0..<n) }) -> BinaryMask {
        let w = mask.width, h = mask.height
        if radius <= 0 { return mask }
        var out = [UInt8](repeating: 0, count: w * h)
        var rowHas = [Bool](repeating: false, count: h)
        var rowPass = [UInt8](repeating: 0, count: w * h)
        mask.bits.withUnsafeBufferPointer { mp in rowPass.withUnsafeMutableBufferPointer { rp in rowHas.withUnsafeMutableBufferPointer { hp in
            let raw = UnsafeRawPointer(mp.baseAddress!)
            let (mb, rb, has) = (mp.baseAddress!, rp.baseAddress!, hp.baseAddress!)
            forRows(h) { rows in
                for y in rows {
                    let m = mb + y * w, r = rb + y * w
                    var x = 0
                    while x < w {
                        // skip empty pixels eight at a time
                        while x + 8 <= w && raw.loadUnaligned(fromByteOffset: y * w + x, as: UInt64.self) == 0 { x += 8 }
                        guard x < w else { break }
                        if m[x] == 0 { x += 1; continue }
                        has[y] = true
                        var end = x + 1
                        while end < w && m[end] != 0 { end += 1 }
                        let a = max(0, x - radius), b = min(w, end + radius)
                        (r + a).update(repeating: 1, count: b - a)
                        x = end
                    }
                }
            }
        } } }
        guard let first = rowHas.firstIndex(of: true), let last = rowHas.lastIndex(of: true) else {
            return BinaryMask(width: w, height: h, bits: out)
        }
        let top = max(0, first - radius), bottom = min(h - 1, last + radius)
        rowPass.withUnsafeBufferPointer { rp in out.withUnsafeMutableBufferPointer { op in rowHas.withUnsafeBufferPointer { hp in
            let (r, o, has) = (rp.baseAddress!, op.baseAddress!, hp.baseAddress!)
            forRows(bottom - top + 1) { part in
                for y in (top + part.lowerBound)..<(top + part.upperBound) {
                    for yy in max(first, y - radius)...min(last, y + radius) where has[yy] {
                        let s = r + yy * w, d = o + y * w
                        for x in 0..<w { d[x] |= s[x] }
                    }
                }
            }
        } } }
        return BinaryMask(width: w, height: h, bits: out)
    }

    /// The evaluation region of an opacity frame: opacity > 0, dilated by the 5 × 5 square.
    public static func region(opacity: GrayFrame) -> BinaryMask {
        dilate(BinaryMask(opacity: opacity))
    }
}

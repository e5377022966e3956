// The seam test's fill cross-check (`BackgroundMemorySettings.seamFill`; on by default): leave-one-out
// validation of the two candidates for the pixels under a subtitle, read on the guard ring's
// visible pixels (the scenery right beside the text). The fill is run once more with the whole
// ring as its hole (`leaveOutFill`), so it predicts the ring from the scenery beyond it as it
// predicts the text's pixels from the ring; the plate's prediction of the ring is what it holds
// there. A block whose plate misses the ring by more than the fill does (`fillCheck`) is doubted.
// MODEL_CARD.md "The seam test, fill cross-check".
import ClearMedia

/// A region of an image: planar RGB floats in [0, 1], [3, height, width], at (x, y) of a frame.
public struct RegionImage: Sendable {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int
    public let planar: [Float]

    /// Luma (`BackgroundPlate.luma`'s weights, in levels) at frame pixel (fx, fy); nil outside the region.
    @inline(__always) func luma(_ fx: Int, _ fy: Int) -> Int? {
        let (rx, ry) = (fx - x, fy - y)
        guard rx >= 0, rx < width, ry >= 0, ry < height else { return nil }
        let plane = width * height, i = ry * width + rx
        func level(_ v: Float) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        return (299 * level(planar[i]) + 587 * level(planar[plane + i]) + 114 * level(planar[2 * plane + i]) + 500) / 1000
    }
}

extension BackgroundPlate {
    /// The fill of `frame` with `near` (the guard ring and the subtitle inside it) as its hole,
    /// in the bounding box of `near` widened by the fill's reach (`directional`; 32 px for the
    /// push-pull fill alone); nil when `near` is empty.
    public static func leaveOutFill(_ frame: RGBFrame, near: [UInt8], directional: (reach: Int, sigma: Float)?) -> RegionImage? {
        let (fw, fh) = (frame.width, frame.height)
        precondition(near.count == fw * fh, "BackgroundPlate: ring size")
        var (x0, y0, x1, y1) = (fw, fh, -1, -1)
        for y in 0..<fh {
            for x in 0..<fw where near[y * fw + x] != 0 { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) }
        }
        guard x1 >= 0 else { return nil }
        let margin = directional?.reach ?? 32
        (x0, y0, x1, y1) = (max(0, x0 - margin), max(0, y0 - margin), min(fw - 1, x1 + margin), min(fh - 1, y1 + margin))
        let (w, h) = (x1 - x0 + 1, y1 - y0 + 1)
        var hole = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { hole[y * w + x] = near[(y0 + y) * fw + x0 + x] } }
        let image = LiteFeatures.filledPlanar(frame, x0: x0, y0: y0, w: w, h: h, hole: hole, directional: directional)
        return RegionImage(x: x0, y: y0, width: w, height: h, planar: image)
    }

    /// The fill cross-check (`seamFill` = `ratio`): whether block `j`'s visible ring pixels
    /// (known 1, α = 0, `near` 1) within `seamBlocks` blocks, at least `seamMinimum` of them, are
    /// further from the plate than from the leave-out fill: mean absolute luma error of the
    /// plate > `ratio` × the fill's + `seamFloor`. nil (nothing doubted) when no block of
    /// `matches` can be, its plate within `seamFloor` of the ring on average, without calling
    /// `ringFill`, or when `ringFill` gives nothing.
    func fillCheck(ratio: Float, matches: [Bool], ringFill: () -> RegionImage?, alpha: AlphaMap, near: [UInt8], frame: RGBFrame) -> ((Int) -> Bool)? {
        let (fw, b) = (width, settings.block)
        let bw = (fw + b - 1) / b, bh = (height + b - 1) / b
        let (minimum, radius, floor) = (settings.seamMinimum, settings.seamBlocks, settings.seamFloor)
        // per block: the ring pixels read, and the plate's summed absolute luma error on them;
        // the pixels themselves (block, x, y, frame luma), for the fill's error if it is needed
        var count = [Int](repeating: 0, count: bw * bh), plateError = count
        var ring: [(block: Int, x: Int, y: Int, seen: Int)] = []
        ringPass(alpha: alpha, near: near, frame: frame) { k, x, y, seen, remembered in
            count[k] += 1
            plateError[k] += abs(seen - remembered)
            ring.append((k, x, y, seen))
        }
        func sums(_ j: Int, _ values: [Int]) -> (pixels: Int, error: Int) {
            var m = 0, e = 0
            Self.forEachBlock(around: j, radius: radius, bw: bw, bh: bh) { m += count[$0]; e += values[$0] }
            return (m, e)
        }
        // a block can be doubted only where the plate alone misses by more than the floor (the fill's error is ≥ 0)
        let open = matches.indices.contains { j in
            guard matches[j] else { return false }
            let (m, e) = sums(j, plateError)
            return m >= minimum && Float(e) > floor * Float(m)
        }
        guard open, let fill = ringFill() else { return nil }
        var fillError = [Int](repeating: 0, count: bw * bh)
        for p in ring { if let filled = fill.luma(p.x, p.y) { fillError[p.block] += abs(p.seen - filled) } }
        return { j in
            let (m, plate) = sums(j, plateError), (_, filled) = sums(j, fillError)
            return m >= minimum && Float(plate) > ratio * Float(filled) + floor * Float(m)
        }
    }

    /// Calls `body(block, x, y, luma of the frame, luma of the plate)` for each visible ring pixel
    /// the plate knows (known 1, α = 0, `near` 1), in row order.
    func ringPass(alpha: AlphaMap, near: [UInt8], frame: RGBFrame, _ body: (Int, Int, Int, Int, Int) -> Void) {
        let (fw, b) = (width, settings.block)
        let bw = (fw + b - 1) / b
        frame.pixels.withUnsafeBufferPointer { fp in rgb.withUnsafeBufferPointer { pp in
            let (px, pl) = (fp.baseAddress!, pp.baseAddress!)
            for y in 0..<height {
                for x in 0..<fw where near[y * fw + x] != 0 && known[y * fw + x] == 1 && alpha.values[y * fw + x] == 0 {
                    let p = (y * fw + x) * 3
                    body((y / b) * bw + x / b, x, y, Self.luma(px + p), Self.luma(pl + p))
                }
            }
        } }
    }
}

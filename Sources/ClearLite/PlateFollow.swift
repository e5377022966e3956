// Camera pans for the background memory: when a frame no longer matches the previous one where it
// stands, it may still match it shifted — the camera panned and the scenery slid by a whole number
// of pixels. `follow` descends from the previous frame's shift to the best match around it (a pan
// goes on at about the same speed), else searches (every 4-px shift within ±`followReach` on 4 × 4
// block means, then ±3 px at full resolution around the best). When the shifted previous frame
// matches at least `followShare` of the frame (as a still shot matches in place), the plate moves
// with the scenery: pixels keep their remembered values, stability runs and hold state; those
// shifted in from outside are unknown. A subtitle stays put on screen while the scenery slides
// under it, so in plate coordinates it never holds still and is never recorded.
// No reference implementation: a rule of this project (MODEL_CARD.md "Background memory"); global
// translation by block matching, the simplest motion model of video inpainting's temporal
// propagation.
import ClearMedia
import ClearTensor

extension BackgroundPlate {
    /// Searches the whole-pixel translation of the scenery since the previous frame (`record`'s)
    /// and moves the plate by it when it matches; returns the shift applied ((0, 0) when none:
    /// the frame matches the previous one in place, no shift matches, or nothing was recorded
    /// yet). `near` is `nearSubtitle(alpha)` of the frame. Shifts are ranked by mean difference
    /// (on smooth scenery a shift one pixel off can match almost every pixel within the
    /// tolerance too) and accepted by share.
    @discardableResult
    public mutating func follow(frame: RGBFrame, near: [UInt8]) -> (dx: Int, dy: Int) {
        let reach = settings.followReach
        guard reach > 0, frame.width == width, frame.height == height, previous.count == width * height else { return (0, 0) }
        // in place first: a still frame costs one sampled comparison
        let samples = lumaSamples(frame, near: near)
        let inPlace = sampledMatch(samples, dx: 0, dy: 0)
        guard inPlace.cost.isFinite, inPlace.share < settings.followShare else { lastShift = (0, 0); return (0, 0) }
        func accept(_ d: (dx: Int, dy: Int), _ m: (share: Float, cost: Float)) -> Bool {
            guard d != (0, 0), m.share >= settings.followShare else { return false }
            translate(dx: d.dx, dy: d.dy)
            lastShift = d
            return true
        }
        // a pan goes on at about the same speed: descend from the last shift to the best match
        // around it before a full search
        if lastShift != (0, 0) {
            var at = lastShift, atMatch = sampledMatch(samples, dx: at.dx, dy: at.dy)
            for _ in 0..<4 {
                var next = at, nextMatch = atMatch
                for dy in at.dy - 1...at.dy + 1 {
                    for dx in at.dx - 1...at.dx + 1 where (dx, dy) != at && abs(dx) <= reach && abs(dy) <= reach {
                        let m = sampledMatch(samples, dx: dx, dy: dy)
                        if m.cost < nextMatch.cost { (next, nextMatch) = ((dx, dy), m) }
                    }
                }
                if next == at { break }
                (at, atMatch) = (next, nextMatch)
            }
            if accept(at, atMatch) { return lastShift }
        }
        lastShift = (0, 0)
        // full search: every shift of 4 px on 4 × 4-block means, then ±3 px around the best
        let (w4, h4) = (width / 4, height / 4)
        let (f4, p4) = (reducedLuma(frame, near: near), reduced(previous))
        let r4 = (reach + 3) / 4, side = 2 * r4 + 1
        var costs = [Float](repeating: .infinity, count: side * side)
        costs.withUnsafeMutableBufferPointer { cb in
            let out = cb.baseAddress!
            parallelFor(side * side, minChunk: 4) { part in
                for k in part { out[k] = Self.meanDifference(f4, p4, width: w4, height: h4, dx: k % side - r4, dy: k / side - r4, minimum: 16) }
            }
        }
        var coarse = (dx: 0, dy: 0, cost: Float.infinity)
        for (k, c) in costs.enumerated() {
            let (cx, cy) = (k % side - r4, k / side - r4)
            if c < coarse.cost || (c == coarse.cost && abs(cx) + abs(cy) < abs(coarse.dx) + abs(coarse.dy)) { coarse = (cx, cy, c) }
        }
        var shifts: [(dx: Int, dy: Int)] = []
        for dy in 4 * coarse.dy - 3...4 * coarse.dy + 3 {
            for dx in 4 * coarse.dx - 3...4 * coarse.dx + 3 where abs(dx) <= reach && abs(dy) <= reach { shifts.append((dx, dy)) }
        }
        var fine = [(share: Float, cost: Float)](repeating: (0, .infinity), count: shifts.count)
        fine.withUnsafeMutableBufferPointer { fb in
            let out = fb.baseAddress!
            parallelFor(shifts.count, minChunk: 4) { part in
                for k in part { out[k] = sampledMatch(samples, dx: shifts[k].dx, dy: shifts[k].dy) }
            }
        }
        var best = (d: (dx: 0, dy: 0), m: inPlace)
        for (d, m) in zip(shifts, fine)
        where m.cost < best.m.cost || (m.cost == best.m.cost && abs(d.dx) + abs(d.dy) < abs(best.d.dx) + abs(best.d.dy)) { best = (d, m) }
        return accept(best.d, best.m) ? lastShift : (0, 0)
    }

    /// Luma of the frame at every 4th row and column (row-major, ⌈w/4⌉ per row), -1 near the subtitle.
    func lumaSamples(_ frame: RGBFrame, near: [UInt8]) -> [Int16] {
        let (sw, sh) = ((width + 3) / 4, (height + 3) / 4)
        var out = [Int16](repeating: -1, count: sw * sh)
        frame.pixels.withUnsafeBufferPointer { fp in
            for j in 0..<sh {
                for i in 0..<sw where near[4 * j * width + 4 * i] == 0 {
                    out[j * sw + i] = Int16(Self.luma(fp.baseAddress! + 3 * (4 * j * width + 4 * i)))
                }
            }
        }
        return out
    }

    /// The frame's `lumaSamples` against `previous` shifted by (dx, dy) (frame(x, y) against
    /// previous(x − dx, y − dy)): the share of samples within `stabilityTolerance` and their mean
    /// absolute difference (share 0 and cost infinity below `minimumContext` samples).
    func sampledMatch(_ samples: [Int16], dx: Int, dy: Int) -> (share: Float, cost: Float) {
        var n = 0, same = 0, sum = 0
        let (sw, sh, tol) = ((width + 3) / 4, (height + 3) / 4, settings.stabilityTolerance)
        // sample rows j with 0 ≤ 4j − dy < height, columns i with 0 ≤ 4i − dx < width
        let (j0, j1) = ((max(0, dy) + 3) / 4, min(sh, (height + dy + 3) / 4))
        let (i0, i1) = ((max(0, dx) + 3) / 4, min(sw, (width + dx + 3) / 4))
        guard j0 < j1, i0 < i1 else { return (0, .infinity) }
        samples.withUnsafeBufferPointer { sb in previous.withUnsafeBufferPointer { pb in
            let (cur, last) = (sb.baseAddress!, pb.baseAddress!)
            for j in j0..<j1 {
                let prow = (4 * j - dy) * width - dx
                for i in i0..<i1 {
                    let a = cur[j * sw + i], b = last[prow + 4 * i]
                    guard a >= 0, b >= 0 else { continue }
                    let d = abs(Int(a) - Int(b))
                    n += 1; sum += d
                    if d <= tol { same += 1 }
                }
            }
        } }
        return n < settings.minimumContext ? (0, .infinity) : (Float(same) / Float(n), Float(sum) / Float(n))
    }

    /// The frame's luma averaged over 4 × 4 blocks (⌊w/4⌋ per row): -1 unless none of the 16
    /// pixels is near the subtitle.
    func reducedLuma(_ frame: RGBFrame, near: [UInt8]) -> [Int16] {
        frame.pixels.withUnsafeBufferPointer { fp in
            let px = fp.baseAddress!
            return blockMeans { near[$0] != 0 ? -1 : Self.luma(px + 3 * $0) }
        }
    }

    /// A luma plane (`previous`'s layout: -1 where invalid) averaged over 4 × 4 blocks: -1 unless
    /// all 16 pixels are valid.
    func reduced(_ src: [Int16]) -> [Int16] {
        src.withUnsafeBufferPointer { sb in
            let p = sb.baseAddress!
            return blockMeans { Int(p[$0]) }
        }
    }

    /// Means over 4 × 4 blocks (⌊w/4⌋ × ⌊h/4⌋, row-major) of `value(pixel index)`, -1 where a
    /// pixel of the block has value -1 (invalid).
    func blockMeans(_ value: (Int) -> Int) -> [Int16] {
        let (w4, h4) = (width / 4, height / 4)
        var out = [Int16](repeating: -1, count: w4 * h4)
        out.withUnsafeMutableBufferPointer { ob in
            let o = ob.baseAddress!
            parallelFor(h4, minChunk: 8) { part in
                for by in part {
                    for bx in 0..<w4 {
                        var sum = 0, valid = true
                        scan: for y in 4 * by..<4 * by + 4 {
                            for x in 4 * bx..<4 * bx + 4 {
                                let v = value(y * width + x)
                                if v < 0 { valid = false; break scan }
                                sum += v
                            }
                        }
                        if valid { o[by * w4 + bx] = Int16((sum + 8) / 16) }
                    }
                }
            }
        }
        return out
    }

    /// Mean absolute difference between `frame` and `earlier` shifted by (dx, dy) (frame(x, y)
    /// against earlier(x − dx, y − dy)), every pixel valid in both; infinity below `minimum` of them.
    static func meanDifference(_ frame: [Int16], _ earlier: [Int16], width: Int, height: Int, dx: Int, dy: Int, minimum: Int) -> Float {
        var n = 0, sum = 0
        frame.withUnsafeBufferPointer { fb in earlier.withUnsafeBufferPointer { pb in
            let (f, p) = (fb.baseAddress!, pb.baseAddress!)
            for y in max(0, dy)..<max(max(0, dy), min(height, height + dy)) {
                let row = y * width, prow = (y - dy) * width - dx
                for x in max(0, dx)..<max(max(0, dx), min(width, width + dx)) {
                    let a = f[row + x], b = p[prow + x]
                    guard a >= 0, b >= 0 else { continue }
                    n += 1
                    sum += abs(Int(a) - Int(b))
                }
            }
        } }
        return n < minimum ? .infinity : Float(sum) / Float(n)
    }

    /// Moves the plate's contents by (dx, dy): what was at (x, y) is now at (x + dx, y + dy);
    /// pixels shifted in from outside are unknown with no stability run.
    mutating func translate(dx: Int, dy: Int) {
        let (w, h) = (width, height)
        guard abs(dx) < w, abs(dy) < h else {
            known = [UInt8](repeating: 0, count: w * h); run = known
            if !changedLuma.isEmpty { changedLuma = [UInt16](repeating: BackgroundPlate.unset, count: w * h) }
            return
        }
        func moved<T>(_ a: [T], channels c: Int, fill: T) -> [T] {
            var out = [T](repeating: fill, count: a.count)
            for y in max(0, dy)..<min(h, h + dy) {
                let sx0 = max(0, -dx), dx0 = max(0, dx), n = w - abs(dx)
                guard n > 0 else { break }
                let s = ((y - dy) * w + sx0) * c, d = (y * w + dx0) * c
                out[d..<d + n * c] = a[s..<s + n * c]
            }
            return out
        }
        rgb = moved(rgb, channels: 3, fill: 0)
        known = moved(known, channels: 1, fill: 0)
        anchor = moved(anchor, channels: 1, fill: 0)
        run = moved(run, channels: 1, fill: 0)
        if !mean.isEmpty { mean = moved(mean, channels: 3, fill: 0) }
        if !seen.isEmpty { seen = moved(seen, channels: 1, fill: 0); changed = moved(changed, channels: 1, fill: 0) }
        if !changedLuma.isEmpty { changedLuma = moved(changedLuma, channels: 1, fill: BackgroundPlate.unset) }
    }
}

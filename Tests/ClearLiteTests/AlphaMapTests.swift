// AlphaMap's construction from the head's half-resolution probabilities equals the naive route it
// replaced: a 3×3 max of the values at or above the threshold, `Ops.resize` (bilinear, half-pixel
// centres) of the whole map to twice its size, the crop, then the threshold and the stretch.
import XCTest
import ClearLite
import ClearPipeline
import ClearTensor

final class AlphaMapTests: XCTestCase {
    /// The naive reference, written out in full.
    static func reference(_ p: Tensor, factor f: Int = 2, width: Int, height: Int, threshold: Float, full: Float) throws -> [Float] {
        let (h, w) = (p.shape[2], p.shape[3])
        let s = p.floats()
        let dil = Tensor(shape: [1, 1, h, w], dtype: .f32, zeroed: false)
        for y in 0..<h {
            for x in 0..<w {
                var m: Float = 0
                for yy in max(0, y - 1)...min(h - 1, y + 1) {
                    for xx in max(0, x - 1)...min(w - 1, x + 1) where s[yy * w + xx] >= threshold { m = max(m, s[yy * w + xx]) }
                }
                dil.f32[y * w + x] = m
            }
        }
        let up = try Ops.resize(dil, height: f * h, width: f * w, mode: .bilinear).floats()
        let scale = 1 / max(full - threshold, 1e-3)
        var v = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let a = up[y * f * w + x]
                v[y * width + x] = a > threshold ? min((a - threshold) * scale, 1) : 0
            }
        }
        dil.keepAlive()
        return v
    }

    /// Sparse random probabilities (a few bright blobs on mostly dark rows), like the head's output.
    static func probabilities(h: Int, w: Int, seed: UInt64) -> Tensor {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let t = Tensor(shape: [1, 1, h, w], dtype: .f32, zeroed: true)
        for y in 1..<h where next() < 0.3 || y == h / 2 {   // row 0 stays dark, the middle row is lit
            for x in 0..<w { t.f32[y * w + x] = next() < 0.4 ? next() : next() * 0.2 }
        }
        t.f32[(h / 2) * w + w / 3] = 0.99
        return t
    }

    func testEqualsTheNaiveRouteBitForBit() throws {
        for (h, w, width, height, seed) in [(20, 32, 64, 40, 1), (23, 37, 73, 45, 2), (8, 8, 15, 16, 3), (45, 80, 160, 90, 4)] as [(Int, Int, Int, Int, UInt64)] {
            let p = Self.probabilities(h: h, w: w, seed: seed)
            for (threshold, full) in [(0.7, 0.95), (0.5, 0.8), (0.5, 1), (0, 0.5), (-0.1, 0.5)] as [(Float, Float)] {
                let got = try AlphaMap(halfProbabilities: p, width: width, height: height, threshold: threshold, full: full)
                let want = try Self.reference(p, width: width, height: height, threshold: threshold, full: full)
                XCTAssertEqual(got.values.count, want.count)
                var differing = 0
                for i in want.indices where got.values[i].bitPattern != want[i].bitPattern { differing += 1 }
                XCTAssertEqual(differing, 0, "\(w)x\(h) → \(width)x\(height) at \(threshold) / \(full)")
                if threshold >= 0 {   // below 0 every pixel exceeds the threshold
                    XCTAssertTrue(want.contains { $0 > 0 } && want.contains { $0 == 0 }, "the case exercises both kinds of row")
                }
            }
        }
    }

    /// Large frames: the head at 1/3, 1/4 or 1/5 of the resolution (`LiteEngine.headFactor`).
    func testOtherFactorsEqualTheNaiveRoute() throws {
        for (f, h, w, width, height, seed) in [(3, 20, 32, 96, 60, 5), (3, 23, 37, 110, 68, 6), (4, 12, 20, 80, 47, 7), (5, 9, 16, 77, 45, 8)]
            as [(Int, Int, Int, Int, Int, UInt64)] {
            let p = Self.probabilities(h: h, w: w, seed: seed)
            let got = try AlphaMap(headProbabilities: p, factor: f, width: width, height: height, threshold: 0.7, full: 0.95)
            let want = try Self.reference(p, factor: f, width: width, height: height, threshold: 0.7, full: 0.95)
            var differing = 0
            for i in want.indices where got.values[i].bitPattern != want[i].bitPattern { differing += 1 }
            XCTAssertEqual(differing, 0, "factor \(f): \(w)x\(h) → \(width)x\(height)")
            XCTAssertTrue(want.contains { $0 > 0 } && want.contains { $0 == 0 })
        }
    }

    func testAllBelowTheThresholdGivesAnEmptyMap() throws {
        let p = Tensor(shape: [1, 1, 10, 12], dtype: .f32, zeroed: true)
        for i in 0..<p.count { p.f32[i] = 0.69 }
        XCTAssertTrue(try AlphaMap(halfProbabilities: p, width: 24, height: 20, threshold: 0.7, full: 0.95).isEmpty)
    }

    /// The per-pixel passes that run split over threads on large maps (`activeTiles`, `suppress`)
    /// equal plain loops over the pixels: a 1279×719 map of sparse α, with blocks and tiles that do
    /// not divide the frame evenly.
    func testSplitPixelPassesEqualPlainLoops() {
        let (w, h) = (1279, 719)
        var state: UInt64 = 12345
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let values: [Float] = (0..<(w * h)).map { _ in next() % 50 == 0 ? Float(next() % 100) / 100 : 0 }
        let a = AlphaMap(width: w, height: h, values: values)
        // activeTiles
        let tile = 96
        let grid = a.activeTiles(tile: tile)
        var plainGrid = [[Bool]](repeating: [Bool](repeating: false, count: (w + tile - 1) / tile), count: (h + tile - 1) / tile)
        for y in 0..<h { for x in 0..<w where values[y * w + x] > 0 { plainGrid[y / tile][x / tile] = true } }
        XCTAssertEqual(grid, plainGrid)
        // suppress
        let b = 7, cols = (w + b - 1) / b, rows = (h + b - 1) / b
        let isStatic = (0..<(cols * rows)).map { _ in next() % 3 == 0 }
        var suppressed = a
        suppressed.suppress(StaticSceneMap(width: w, height: h, blockSize: b, isStatic: isStatic))
        var plain = values
        for y in 0..<h { for x in 0..<w where isStatic[(y / b) * cols + x / b] { plain[y * w + x] = 0 } }
        XCTAssertEqual(suppressed.values, plain)
        XCTAssertNotEqual(plain, values)
    }

    /// The line cue's cell pass runs split over threads: one thread and two give the same α.
    func testLineCueGivesTheSameAlphaOnOneThreadAndTwo() {
        let (w, h) = (1279, 719)
        var state: UInt64 = 777
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        var values = [Float](repeating: 0, count: w * h)
        for _ in 0..<300 {   // blobs and strokes of α
            let (x0, y0) = (Int(next() % UInt64(w - 60)), Int(next() % UInt64(h - 20)))
            let (bw, bh) = (1 + Int(next() % 60), 1 + Int(next() % 20))
            for y in y0..<(y0 + bh) { for x in x0..<(x0 + bw) { values[y * w + x] = 0.5 } }
        }
        let saved = ClearTensor.threadCount
        defer { ClearTensor.threadCount = saved }
        var results: [(removed: Int, values: [Float])] = []
        for threads in [1, 2] {
            ClearTensor.threadCount = threads
            var a = AlphaMap(width: w, height: h, values: values)
            let removed = a.keepTextLines()
            results.append((removed, a.values))
        }
        XCTAssertEqual(results[0].removed, results[1].removed)
        XCTAssertGreaterThan(results[0].removed, 0)
        XCTAssertEqual(results[0].values, results[1].values)
    }
}

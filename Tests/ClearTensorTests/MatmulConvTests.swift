// Parity of matmul, linear, conv2d/3d and transposed conv2d against naive loops.
import ClearSIMD
import XCTest
@testable import ClearTensor

final class MatmulConvTests: XCTestCase {
    func refMatmul(_ a: [Float], _ b: [Float], batchA: Int, batchB: Int, m: Int, k: Int, n: Int, ta: Bool, tb: Bool) -> [Float] {
        let batch = max(batchA, batchB)
        var c = [Float](repeating: 0, count: batch * m * n)
        for bi in 0..<batch {
            let ao = (batchA == 1 ? 0 : bi) * m * k, bo = (batchB == 1 ? 0 : bi) * k * n
            for i in 0..<m { for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = ta ? a[ao + p * m + i] : a[ao + i * k + p]
                    let bv = tb ? b[bo + j * k + p] : b[bo + p * n + j]
                    s += Double(av) * Double(bv)
                }
                c[bi * m * n + i * n + j] = Float(s)
            } }
        }
        return c
    }

    func testMatmulVariants() throws {
        let (m, k, n) = (17, 33, 9)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            for (ba, bb) in [(1, 1), (3, 3), (3, 1), (1, 3)] {
                let aShape: [Int] = (ba > 1 ? [ba] : [Int]()) + (ta ? [k, m] : [m, k])
                let bShape: [Int] = (bb > 1 ? [bb] : [Int]()) + (tb ? [n, k] : [k, n])
                let a = rand(aShape, seed: 1), b = rand(bShape, seed: 2)
                let ref = refMatmul(a.floats(), b.floats(), batchA: ba, batchB: bb, m: m, k: k, n: n, ta: ta, tb: tb)
                let c = try Ops.matmul(a, b, transposeA: ta, transposeB: tb)
                assertClose(c, ref, shape: (max(ba, bb) > 1 ? [max(ba, bb)] : [Int]()) + [m, n], tol: f32Tol, "matmul ta\(ta) tb\(tb) ba\(ba) bb\(bb)")
                // bf16: inputs rounded to bf16, f32 accumulation, output rounded: ~1e-5 NMSE.
                // (oneDNN has bf16 kernels only from AVX-512 BF16 on)
                guard Ops.nativeBF16 else { continue }
                let c16 = try Ops.matmul(a.toBF16(), b.toBF16(), transposeA: ta, transposeB: tb)
                assertClose(c16, ref, tol: 3e-5, "matmul bf16")
            }
        }
    }

    func testLinearWithBias() throws {
        let x = rand([2, 5, 24], seed: 3), w = rand([7, 24], seed: 4), b = rand([7], seed: 5)
        let xf = x.floats(), wf = w.floats(), bf = b.floats()
        var ref = [Float](repeating: 0, count: 10 * 7)
        for r in 0..<10 { for o in 0..<7 {
            var s = Double(bf[o]); for i in 0..<24 { s += Double(xf[r * 24 + i]) * Double(wf[o * 24 + i]) }
            ref[r * 7 + o] = Float(s)
        } }
        assertClose(try Ops.linear(x, weight: w, bias: b), ref, shape: [2, 5, 7], tol: f32Tol, "linear")
        if Ops.nativeBF16 { assertClose(try Ops.linear(x.toBF16(), weight: w.toBF16(), bias: b), ref, shape: [2, 5, 7], tol: 3e-5, "linear bf16") }
        XCTAssertThrowsError(try Ops.linear(x, weight: rand([7, 23], seed: 1))) { e in
            XCTAssertTrue("\(e)".contains("[7, 23]"), "error names the shapes: \(e)")
        }
    }

    /// Naive N-d convolution (PyTorch semantics), optionally transposed.
    func refConv(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ p: ConvParams, transposed: Bool, outShape: [Int]) -> [Float] {
        let xf = x.floats(), wf = w.floats(), bf = bias?.floats()
        let sp = x.rank - 2, n = x.shape[0], c = x.shape[1], g = p.groups
        let inS = Array(x.shape.dropFirst(2)), k = Array(w.shape.dropFirst(2)), outS = Array(outShape.dropFirst(2))
        let o = outShape[1], cg = c / g, og = o / g
        func pad3(_ a: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: 3 - a.count) + a }
        let I = pad3(inS, 1), K = pad3(k, 1), O = pad3(outS, 1), S = pad3(p.stride, 1), P = pad3(p.padding, 0), D = pad3(p.dilation, 1)
        var y = [Float](repeating: 0, count: outShape.reduce(1, *))
        let kCount = K[0] * K[1] * K[2]
        for b in 0..<n { for oc in 0..<o {
            let grp = oc / og
            for od in 0..<O[0] { for oh in 0..<O[1] { for ow in 0..<O[2] {
                var s = Double(bf?[oc] ?? 0)
                for icl in 0..<cg {
                    let ic = grp * cg + icl
                    for kd in 0..<K[0] { for kh in 0..<K[1] { for kw in 0..<K[2] {
                        var pos = [0, 0, 0]
                        let oo = [od, oh, ow], kk = [kd, kh, kw]
                        var ok = true
                        for a in 0..<3 {
                            if transposed {
                                let num = oo[a] + P[a] - kk[a] * D[a]
                                if num < 0 || num % S[a] != 0 { ok = false; break }
                                pos[a] = num / S[a]
                            } else {
                                pos[a] = oo[a] * S[a] - P[a] + kk[a] * D[a]
                            }
                            if pos[a] < 0 || pos[a] >= I[a] { ok = false; break }
                        }
                        if !ok { continue }
                        let xv = xf[((b * c + ic) * I[0] + pos[0]) * I[1] * I[2] + pos[1] * I[2] + pos[2]]
                        let kOff = (kd * K[1] + kh) * K[2] + kw
                        let wv = transposed ? wf[(ic * og + (oc - grp * og)) * kCount + kOff] : wf[(oc * cg + icl) * kCount + kOff]
                        s += Double(xv) * Double(wv)
                    } } }
                }
                y[(((b * o + oc) * O[0] + od) * O[1] + oh) * O[2] + ow] = Float(s)
            } } }
        } }
        _ = sp
        return y
    }

    func testConv2dVariants() throws {
        let cases: [(c: Int, o: Int, k: Int, s: Int, p: Int, d: Int, g: Int)] = [
            (4, 6, 3, 1, 1, 1, 1), (4, 6, 3, 2, 1, 1, 2), (6, 6, 3, 1, 2, 2, 3), (3, 5, 1, 1, 0, 1, 1), (8, 8, 3, 1, 1, 1, 8), (4, 4, 4, 2, 1, 1, 1),
        ]
        for (i, t) in cases.enumerated() {
            let x = rand([2, t.c, 9, 11], seed: UInt64(10 + i)), w = rand([t.o, t.c / t.g, t.k, t.k], seed: UInt64(20 + i)), b = rand([t.o], seed: 7)
            let y = try Ops.conv2d(x, weight: w, bias: b, stride: t.s, padding: t.p, dilation: t.d, groups: t.g)
            let ref = refConv(x, w, b, .uniform(2, stride: t.s, padding: t.p, dilation: t.d, groups: t.g), transposed: false, outShape: y.shape)
            let ho = (9 + 2 * t.p - t.d * (t.k - 1) - 1) / t.s + 1, wo = (11 + 2 * t.p - t.d * (t.k - 1) - 1) / t.s + 1
            assertClose(y, ref, shape: [2, t.o, ho, wo], tol: f32Tol, "conv2d case \(i)")
            guard Ops.nativeBF16 else { continue }   // oneDNN has bf16 kernels only from AVX-512 BF16 on
            let y16 = try Ops.conv2d(x.toBF16(), weight: w.toBF16(), bias: b, stride: t.s, padding: t.p, dilation: t.d, groups: t.g)
            assertClose(y16, ref, tol: 5e-5, "conv2d bf16 case \(i)")  // bf16 in/out, f32 accumulation
        }
    }

    func testConv3d() throws {
        let x = rand([1, 4, 5, 6, 7], seed: 30), w = rand([6, 2, 3, 3, 3], seed: 31), b = rand([6], seed: 32)
        let p = ConvParams(stride: [1, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], groups: 2)
        let y = try Ops.conv3d(x, weight: w, bias: b, stride: p.stride, padding: p.padding, dilation: p.dilation, groups: 2)
        assertClose(y, refConv(x, w, b, p, transposed: false, outShape: y.shape), shape: [1, 6, 5, 3, 3], tol: f32Tol, "conv3d")
    }

    func testConvTranspose2d() throws {
        for (s, pd, op, g) in [(2, 1, 1, 1), (2, 0, 0, 2), (1, 1, 0, 1), (3, 1, 2, 1)] {
            let x = rand([2, 4, 5, 6], seed: 40), w = rand([4, 6 / g, 3, 3], seed: 41), b = rand([6], seed: 42)
            let y = try Ops.convTranspose2d(x, weight: w, bias: b, stride: s, padding: pd, outputPadding: op, groups: g)
            let ho = (5 - 1) * s - 2 * pd + 3 + op, wo = (6 - 1) * s - 2 * pd + 3 + op
            let ref = refConv(x, w, b, .uniform(2, stride: s, padding: pd, groups: g, outputPadding: op), transposed: true, outShape: [2, 6, ho, wo])
            assertClose(y, ref, shape: [2, 6, ho, wo], tol: f32Tol, "convTranspose2d s\(s) p\(pd) op\(op) g\(g)")
        }
    }

    func testPackedWeightsFollowInPlaceWrites() throws {
        // 32 channels: oneDNN picks a blocked weight layout, so the packed copy is cached.
        let x = rand([1, 32, 6, 7], seed: 50), w = rand([32, 32, 3, 3], seed: 51).copy()
        let p = ConvParams.uniform(2, padding: 1)
        let y1 = try Ops.conv(x, weight: w, bias: nil, p)
        assertClose(y1, refConv(x, w, nil, p, transposed: false, outShape: y1.shape), tol: f32Tol, "conv before write")
        XCTAssertEqual(w.storage.derivedCount, 1, "the packed weights are cached on the weight storage")
        // in-place write without markMutated(): the fingerprint check must repack
        w.f32[5] += 0.75; w.f32[w.count - 1] = -2
        let y2 = try Ops.conv(x, weight: w, bias: nil, p)
        assertClose(y2, refConv(x, w, nil, p, transposed: false, outShape: y2.shape), tol: f32Tol, "conv after unannounced write")
        // announced write: markMutated drops the copy
        let v0 = w.storage.version
        w.f32[0] = 3; w.markMutated()
        XCTAssertEqual(w.storage.derivedCount, 0)
        XCTAssertGreaterThan(w.storage.version, v0)
        let y3 = try Ops.conv(x, weight: w, bias: nil, p)
        assertClose(y3, refConv(x, w, nil, p, transposed: false, outShape: y3.shape), tol: f32Tol, "conv after markMutated")
        // bf16 and channels-last activations at a size where the transpose tiles are full and partial
        guard Ops.nativeBF16 else { return }   // oneDNN has bf16 kernels only from AVX-512 BF16 on
        let xb = rand([2, 48, 5, 21], seed: 52), wb = rand([40, 48, 3, 3], seed: 53)
        let yb = try Ops.conv(xb.toBF16(), weight: wb.toBF16(), bias: nil, p)
        assertClose(yb, refConv(xb, wb, nil, p, transposed: false, outShape: yb.shape), tol: 5e-5, "bf16 conv 48->40")
    }

    func testBandedConv2dMatchesWholeTensorPath() throws {
        // large enough (≥ 2 MB of activations, two bands or more with 2 MB bands) for the banded path; stride, dilation, bias, bf16
        // below AVX-512 oneDNN picks blocked activation layouts, and the bands need channels-last
        guard Ops.avx512Core else { throw XCTSkip("the banded path needs oneDNN's channels-last convolutions (AVX-512)") }
        let savedBand = ConvBands.bandBytes
        ConvBands.bandBytes = 2 << 20
        defer { ConvBands.bandBytes = savedBand }
        let cases: [(n: Int, c: Int, o: Int, k: Int, s: Int, p: Int, d: Int, g: Int, dt: DType)] = [
            (1, 32, 32, 3, 1, 1, 1, 1, .f32), (1, 32, 48, 3, 2, 1, 1, 1, .f32), (1, 32, 32, 5, 1, 4, 2, 1, .f32),
            (1, 32, 32, 4, 2, 1, 1, 1, .f32),
            // bf16 with 16–64 channels: bands in 16-channel blocks (also two images, stride 2, 32 -> 48);
            // 80 -> 96 stays channels-last
            (1, 64, 64, 3, 1, 1, 1, 1, .bf16), (2, 32, 48, 3, 2, 1, 1, 1, .bf16), (1, 80, 96, 3, 1, 1, 1, 1, .bf16),
            // just over one band's worth (3.1 MB against 2 MB bands): banded in at least three bands
            (1, 12, 12, 3, 1, 1, 1, 1, .bf16),
        ]
        for (i, t) in cases.enumerated() where t.dt == .f32 || Ops.nativeBF16 {
            let x = rand([t.n, t.c, 260, 250], seed: UInt64(60 + i), t.dt), w = rand([t.o, t.c / t.g, t.k, t.k], seed: UInt64(70 + i), t.dt)
            let b = rand([t.o], seed: 80)
            let p = ConvParams.uniform(2, stride: t.s, padding: t.p, dilation: t.d, groups: t.g)
            let (before, blockedBefore, perThreadBefore) = (ConvBands.bandedRuns, ConvBands.blockedRuns, ConvBands.perThreadRuns)
            let banded = try Ops.conv(x, weight: w, bias: b, p)
            XCTAssertEqual(ConvBands.bandedRuns, before + 1, "case \(i) must take the banded path")
            XCTAssertEqual(ConvBands.perThreadRuns, perThreadBefore + (ClearTensor.threadCount > 1 ? 1 : 0), "case \(i): per-thread bands with more than one thread")
            let blocks = t.dt == .bf16 && t.c % 16 == 0 && t.o % 16 == 0 && max(t.c, t.o) <= 64
            XCTAssertEqual(ConvBands.blockedRuns, blockedBefore + (blocks ? 1 : 0), "case \(i): 16-channel blocks exactly for bf16 with 16–64 channels")
            ConvBands.enabled = false
            defer { ConvBands.enabled = true }
            let whole = try Ops.conv(x, weight: w, bias: b, p)
            ConvBands.enabled = true
            XCTAssertEqual(banded.shape, whole.shape)
            XCTAssertLessThanOrEqual(nmse(banded.floats(), whole.floats()), t.dt == .f32 ? f32Tol : 1e-5, "banded conv case \(i)")
            // per-thread bands (single-threaded primitives in one parallel region) against bands
            // run one after another with the whole team
            if ClearTensor.threadCount > 1 {
                ConvBands.perThreadBands = false
                defer { ConvBands.perThreadBands = true }
                let (perThreadBefore, bandedBefore) = (ConvBands.perThreadRuns, ConvBands.bandedRuns)
                let sequential = try Ops.conv(x, weight: w, bias: b, p)
                XCTAssertEqual(ConvBands.perThreadRuns, perThreadBefore, "case \(i): per-thread bands off")
                XCTAssertEqual(ConvBands.bandedRuns, bandedBefore + 1, "case \(i): still banded")
                ConvBands.perThreadBands = true
                XCTAssertLessThanOrEqual(nmse(banded.floats(), sequential.floats()), t.dt == .f32 ? f32Tol : 1e-5, "per-thread against sequential bands, case \(i)")
            }
            if blocks {   // the blocked bands against channels-last bands
                ConvBands.blockedLayout = false
                defer { ConvBands.blockedLayout = true }
                let channelsLast = try Ops.conv(x, weight: w, bias: b, p)
                ConvBands.blockedLayout = true
                XCTAssertLessThanOrEqual(nmse(banded.floats(), channelsLast.floats()), 1e-5, "blocked against channels-last bands, case \(i)")
            }
        }
    }

    /// Every kernel set's transpose, through the parallel driver: square tiles, every tail
    /// combination, few-long-rows and many-short-rows work items, f32 and bf16, exact.
    func testLayoutTransposeRoundTrip() {
        for set in KernelDispatch.runnable { KernelDispatch.using(set) {
            for (n, r, c) in [(1, 16, 16), (2, 35, 19), (3, 1, 40), (1, 64, 3), (1, 24, 1000), (2, 40, 531), (1, 700, 33), (1, 17, 15)] {
                let a = rand([n, r, c], seed: UInt64(r * c)), t = Tensor(shape: [n, c, r], dtype: .f32), b = Tensor(shape: [n, r, c], dtype: .f32)
                transposeBatched(a.raw, t.raw, batches: n, rows: r, cols: c, elementSize: 4)
                var wrong = 0
                for bi in 0..<n { for i in 0..<r { for j in 0..<c where t.f32[(bi * c + j) * r + i] != a.f32[(bi * r + i) * c + j] { wrong += 1 } } }
                XCTAssertEqual(wrong, 0, "\(set.name) f32 \([n, r, c]): misplaced elements")
                transposeBatched(t.raw, b.raw, batches: n, rows: c, cols: r, elementSize: 4)
                XCTAssertEqual(b.floats().map(\.bitPattern), a.floats().map(\.bitPattern), "\(set.name) f32 round trip \([n, r, c])")
                let h = a.toBF16(), ht = Tensor(shape: [n, c, r], dtype: .bf16), hb = Tensor(shape: [n, r, c], dtype: .bf16)
                transposeBatched(h.raw, ht.raw, batches: n, rows: r, cols: c, elementSize: 2)
                wrong = 0
                for bi in 0..<n { for i in 0..<r { for j in 0..<c where ht.bf16[(bi * c + j) * r + i] != h.bf16[(bi * r + i) * c + j] { wrong += 1 } } }
                XCTAssertEqual(wrong, 0, "\(set.name) bf16 \([n, r, c]): misplaced elements")
                transposeBatched(ht.raw, hb.raw, batches: n, rows: c, cols: r, elementSize: 2)
                XCTAssertEqual(hb.floats().map(\.bitPattern), h.floats().map(\.bitPattern), "\(set.name) bf16 round trip \([n, r, c])")
            }
        } }
    }

    /// The public op equals permute(0, 2, 1) bit for bit, in both dtypes.
    func testTransposeLastTwoEqualsPermute() throws {
        for dt in [DType.f32, .bf16] {
            let a = Tensor.random(shape: [2, 37, 70], dtype: dt, seed: 21)
            let t = try Ops.transposeLastTwo(a), p = try Ops.permute(a, [0, 2, 1])
            XCTAssertEqual(t.shape, [2, 70, 37])
            XCTAssertEqual(t.floats().map(\.bitPattern), p.floats().map(\.bitPattern), "\(dt)")
        }
        XCTAssertThrowsError(try Ops.transposeLastTwo(Tensor(shape: [4, 4], dtype: .f32)))
    }

    /// A kernel set's transpose leaves everything outside the block alone (strided destination).
    func testTransposeKernelWritesOnlyItsBlock() {
        for set in KernelDispatch.runnable {
            // narrow 2-byte tiles too (≤ 8 rows or columns: the last 8 of 24 channels), which go
            // through the masked edge path
            for (size, rows, cols) in [(4, 13, 21), (2, 19, 7), (4, 16, 16), (2, 32, 48), (2, 24, 40), (2, 40, 24), (2, 8, 16),
                                       (2, 16, 8), (2, 5, 3), (2, 11, 6), (2, 6, 11), (2, 12, 13)] {
                let sr = cols + 5, dr = rows + 3
                let src = (0..<(rows * sr)).map { UInt32($0 &* 2654435761 & 0xffff) }
                var dst = [UInt32](repeating: 0xdead, count: cols * dr)
                var src16 = src.map { UInt16(truncatingIfNeeded: $0) }, dst16 = [UInt16](repeating: 0xbeef, count: cols * dr)
                if size == 4 {
                    src.withUnsafeBytes { s in dst.withUnsafeMutableBytes { d in
                        set.transpose(s.baseAddress!, srcRowStride: sr, d.baseAddress!, dstRowStride: dr, rows: rows, cols: cols, elementSize: 4)
                    } }
                } else {
                    src16.withUnsafeMutableBytes { s in dst16.withUnsafeMutableBytes { d in
                        set.transpose(s.baseAddress!, srcRowStride: sr, d.baseAddress!, dstRowStride: dr, rows: rows, cols: cols, elementSize: 2)
                    } }
                }
                for j in 0..<cols { for k in 0..<dr {
                    let want: UInt32 = k < rows ? (size == 4 ? src[k * sr + j] : UInt32(src16[k * sr + j])) : (size == 4 ? 0xdead : 0xbeef)
                    let got = size == 4 ? dst[j * dr + k] : UInt32(dst16[j * dr + k])
                    if got != want { XCTFail("\(set.name) size \(size) \(rows)×\(cols): dst[\(j)][\(k)] = \(got), want \(want)"); return }
                } }
            }
        }
    }

    func testPrimitiveCacheReuse() throws {
        let x = rand([1, 3, 8, 8], seed: 1), w = rand([4, 3, 3, 3], seed: 2)
        _ = try Ops.conv2d(x, weight: w, padding: 1)
        let n = DNNL.shared.cachedPrimitiveCount
        _ = try Ops.conv2d(rand([1, 3, 8, 8], seed: 3), weight: w, padding: 1)
        XCTAssertEqual(DNNL.shared.cachedPrimitiveCount, n, "same shape must reuse the cached primitive")
    }
}

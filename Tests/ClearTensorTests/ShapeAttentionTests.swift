// Parity of data-movement ops, resize, 3-D RoPE and fused attention against naive loops, plus the
// bounded-memory check of attention.
import Foundation
import XCTest
@testable import ClearTensor

final class ShapeAttentionTests: XCTestCase {
    func testConcatSlicePermute() throws {
        let a = rand([2, 3, 4], seed: 1), b = rand([2, 5, 4], seed: 2)
        let c = try Ops.concat([a, b], axis: 1)
        let af = a.floats(), bf = b.floats()
        var ref: [Float] = []
        for i in 0..<2 { ref += af[(i * 12)..<(i * 12 + 12)]; ref += bf[(i * 20)..<(i * 20 + 20)] }
        XCTAssertEqual(c.shape, [2, 8, 4]); XCTAssertEqual(c.floats(), ref)
        XCTAssertEqual(try Ops.concat([a.toBF16(), b.toBF16()], axis: -2).floats(), ref.map { BF16.round($0) })
        XCTAssertThrowsError(try Ops.concat([a, rand([2, 3, 5], seed: 1)], axis: 1))

        let s = try Ops.slice(c, axis: 1, start: 1, end: 8, step: 3)  // rows 1, 4, 7
        var sref: [Float] = []
        for i in 0..<2 { for j in [1, 4, 7] { sref += ref[((i * 8 + j) * 4)..<((i * 8 + j) * 4 + 4)] } }
        XCTAssertEqual(s.shape, [2, 3, 4]); XCTAssertEqual(s.floats(), sref)

        let p = try Ops.permute(a, [2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 { XCTAssertEqual(p.floats()[(i * 2 + j) * 3 + k], af[(j * 3 + k) * 4 + i]) } } }
        XCTAssertEqual(try Ops.permute(a.toBF16(), [2, 0, 1]).floats(), p.floats().map { BF16.round($0) })
    }

    func testPadZeroAndReplicate() throws {
        let x = rand([2, 3, 4], seed: 3), xf = x.floats()
        for mode in [PadMode.zero, .replicate] {
            let y = try Ops.pad(x, [(1, 2), (3, 1)], mode: mode)
            XCTAssertEqual(y.shape, [2, 6, 8])
            var ref = [Float](repeating: 0, count: 2 * 6 * 8)
            for n in 0..<2 { for i in 0..<6 { for j in 0..<8 {
                var si = i - 1, sj = j - 3
                if mode == .zero, si < 0 || si >= 3 || sj < 0 || sj >= 4 { continue }
                si = min(max(si, 0), 2); sj = min(max(sj, 0), 3)
                ref[(n * 6 + i) * 8 + j] = xf[(n * 3 + si) * 4 + sj]
            } } }
            XCTAssertEqual(y.floats(), ref, "\(mode)")
            XCTAssertEqual(try Ops.pad(x.toBF16(), [(1, 2), (3, 1)], mode: mode).floats(), ref.map { BF16.round($0) })
        }
    }

    func testPixelShuffle() throws {
        let x = rand([1, 8, 3, 2], seed: 4), xf = x.floats()
        let y = try Ops.pixelShuffle(x, factor: 2)
        XCTAssertEqual(y.shape, [1, 2, 6, 4])
        let yf = y.floats()
        for c in 0..<2 { for h in 0..<6 { for w in 0..<4 {
            let src = ((c * 4 + (h % 2) * 2 + w % 2) * 3 + h / 2) * 2 + w / 2
            XCTAssertEqual(yf[(c * 6 + h) * 4 + w], xf[src])
        } } }
    }

    func testResize() throws {
        let x = rand([1, 2, 5, 7], seed: 5), xf = x.floats()
        for (oh, ow) in [(9, 4), (5, 7), (11, 16)] {
            var nref = [Float](), bref = [Float]()
            for p in 0..<2 { for y in 0..<oh { for xo in 0..<ow {
                let sy = min(Int(floor(Double(y) * 5 / Double(oh))), 4), sx = min(Int(floor(Double(xo) * 7 / Double(ow))), 6)
                nref.append(xf[(p * 5 + sy) * 7 + sx])
                let fy = max((Double(y) + 0.5) * 5 / Double(oh) - 0.5, 0), fx = max((Double(xo) + 0.5) * 7 / Double(ow) - 0.5, 0)
                let y0 = Int(fy), x0 = Int(fx), y1 = min(y0 + 1, 4), x1 = min(x0 + 1, 6), ly = fy - Double(y0), lx = fx - Double(x0)
                func at(_ i: Int, _ j: Int) -> Double { Double(xf[(p * 5 + i) * 7 + j]) }
                bref.append(Float((1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) + ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1))))
            } } }
            assertClose(try Ops.resize(x, height: oh, width: ow, mode: .nearest), nref, shape: [1, 2, oh, ow], tol: 0, "nearest \(oh)x\(ow)")
            assertClose(try Ops.resize(x, height: oh, width: ow, mode: .bilinear), bref, tol: f32Tol, "bilinear \(oh)x\(ow)")
            assertClose(try Ops.resize(x.toBF16(), height: oh, width: ow, mode: .bilinear), bref, tol: 3e-5, "bilinear bf16")
        }
    }

    func testRope3D() throws {
        // d = 12: scalar pairs only; d = 40: two 16-lane blocks plus 4 scalar pairs
        for d in [12, 40] {
        let (f, h, w, heads) = (2, 3, 4, 2)
        let rope = try Rope3D(frames: f, height: h, width: w, headDim: d)
        let x = rand([1, f * h * w, heads, d], seed: 6), xf = x.floats()
        // Reference straight from the spec: pairs split 2 / 2 / 2 for d = 12 (d/6 = 2, c − 4 = 2).
        var ref = xf
        let fp = d / 2 - 2 * (d / 6), hp = d / 6
        for t in 0..<(f * h * w) {
            let pos = [t / (h * w), (t / w) % h, t % w], widths = [fp, hp, hp]
            var angles: [Double] = []
            for a in 0..<3 { for k in 0..<widths[a] { angles.append(Double(pos[a]) * pow(10000, -Double(2 * k) / Double(2 * widths[a]))) } }
            for hd in 0..<heads { for m in 0..<(d / 2) {
                let i = (t * heads + hd) * d + 2 * m
                let re = Double(xf[i]), im = Double(xf[i + 1])
                ref[i] = Float(re * cos(angles[m]) - im * sin(angles[m])); ref[i + 1] = Float(re * sin(angles[m]) + im * cos(angles[m]))
            } }
        }
        assertClose(try rope.apply(x), ref, shape: x.shape, tol: f32Tol, "rope3d d\(d)")
        assertClose(try rope.apply(x.toBF16()), ref, tol: 3e-5, "rope3d bf16 d\(d)")
        XCTAssertEqual(try rope.apply(x.toBF16()).dtype, .bf16)
        XCTAssertThrowsError(try rope.apply(rand([1, 5, heads, d], seed: 1)))
        }
    }

    func refAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> [Float] {
        let (b, nq, h, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]), nk = k.shape[1]
        let qf = q.floats(), kf = k.floats(), vf = v.floats()
        var out = [Float](repeating: 0, count: q.count)
        let scale = 1 / Double(d).squareRoot()
        for bi in 0..<b { for hi in 0..<h { for i in 0..<nq {
            var s = [Double](repeating: 0, count: nk)
            for j in 0..<nk {
                var acc = 0.0
                for c in 0..<d { acc += Double(qf[((bi * nq + i) * h + hi) * d + c]) * Double(kf[((bi * nk + j) * h + hi) * d + c]) }
                s[j] = acc * scale
            }
            let m = s.max()!, e = s.map { exp($0 - m) }, z = e.reduce(0, +)
            for c in 0..<d {
                var acc = 0.0
                for j in 0..<nk { acc += e[j] * Double(vf[((bi * nk + j) * h + hi) * d + c]) }
                out[((bi * nq + i) * h + hi) * d + c] = Float(acc / z)
            }
        } } }
        return out
    }

    func testAttentionTiledMatchesNaive() throws {
        let q = rand([2, 37, 3, 16], seed: 7, .f32), k = Tensor.random(shape: [2, 53, 3, 16], seed: 8, lo: -2, hi: 2), v = rand([2, 53, 3, 16], seed: 9)
        let ref = refAttention(q, k, v)
        // Several tilings, including tails and single-key tiles, must give the same result.
        for (bq, bk) in [(1024, 1024), (8, 16), (5, 7), (37, 1)] {
            assertClose(try Ops.attention(q: q, k: k, v: v, blockQ: bq, blockK: bk), ref, shape: q.shape, tol: f32Tol, "attention f32 tiles \(bq)x\(bk)")
        }
        // bf16: reference on the rounded inputs; P and the output are rounded to bf16 (~1e-5).
        guard Ops.nativeBF16 else { return }   // oneDNN has bf16 kernels only from AVX-512 BF16 on
        let (qb, kb, vb) = (q.toBF16(), k.toBF16(), v.toBF16())
        assertClose(try Ops.attention(q: qb, k: kb, v: vb, blockQ: 16, blockK: 32), refAttention(qb, kb, vb), tol: 5e-5, "attention bf16")
        XCTAssertThrowsError(try Ops.attention(q: q, k: k, v: rand([2, 52, 3, 16], seed: 1)))
    }

    /// 4096 tokens: the score matrix alone would be 4096² × 4 B = 64 MiB per head; the fused
    /// attention must stay far below that (its tiles are blockQ × blockK).
    func testAttentionLongSequenceBoundedMemory() throws {
        let n = 4096, d = 32, dt: DType = Ops.nativeBF16 ? .bf16 : .f32   // bf16 where oneDNN runs it
        let q = rand([1, n, 1, d], seed: 10, dt), k = rand([1, n, 1, d], seed: 11, dt), v = rand([1, n, 1, d], seed: 12, dt)
        let before = TensorMemory.currentBytes
        TensorMemory.resetPeak()
        let o = try Ops.attention(q: q, k: k, v: v, blockQ: 512, blockK: 512)
        let extra = TensorMemory.peakBytes - before
        XCTAssertLessThan(extra, n * n * 4 / 16, "attention allocated \(extra) bytes; an N×N f32 score matrix is \(n * n * 4)")
        XCTAssertEqual(o.shape, q.shape)
        // Spot-check three rows against the naive formula.
        let qf = q.floats(), kf = k.floats(), vf = v.floats(), of = o.floats()
        for i in [0, 2047, 4095] {
            let s = (0..<n).map { j in (0..<d).reduce(0.0) { $0 + Double(qf[i * d + $1]) * Double(kf[j * d + $1]) } / Double(d).squareRoot() }
            let m = s.max()!, e = s.map { exp($0 - m) }, z = e.reduce(0, +)
            let row = (0..<d).map { c in Float((0..<n).reduce(0.0) { $0 + e[$1] * Double(vf[$1 * d + c]) } / z) }
            XCTAssertLessThan(nmse(Array(of[(i * d)..<(i * d + d)]), row), 1e-4, "row \(i)")
        }
    }
}

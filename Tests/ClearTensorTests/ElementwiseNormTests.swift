// Parity of activations, softmax, broadcast binary ops and norms against naive loops.
import Foundation
import XCTest
@testable import ClearTensor
import ClearSIMD

final class ElementwiseNormTests: XCTestCase {
    func testBF16Conversion() throws {
        let vals: [Float] = [0, -0.0, 1, 1.00390625, 1.005859375, 3.0e38, -1e-40, .infinity, -.infinity, 65504.7, 1.0 + 1.0 / 256]
        let t = try Tensor(shape: [vals.count], values: vals, dtype: .bf16)
        // RNE reference: exact f64 midpoint rule on the top 16 bits.
        for (i, v) in vals.enumerated() {
            let bits = v.bitPattern, lower = bits & 0xFFFF, up = bits >> 16
            let expect: UInt32 = lower > 0x8000 || (lower == 0x8000 && up & 1 == 1) ? up + 1 : up
            XCTAssertEqual(UInt32(t.bf16[i]), expect, "bf16 of \(v)")
        }
        let nan = try Tensor(shape: [2], values: [.nan, -.nan], dtype: .bf16).toF32().floats()
        XCTAssertTrue(nan[0].isNaN && nan[1].isNaN, "NaN must stay NaN")
        let big = Tensor.random(shape: [1000], seed: 9)
        XCTAssertEqual(big.toBF16().toF32().floats(), big.floats().map { BF16.round($0) }, "vector path equals scalar path")
    }

    func testTensorBasicsAndExternalStorage() throws {
        final class Owner { var bytes: [Float] = [1, 2, 3, 4, 5, 6] }
        let owner = Owner()
        let t = try owner.bytes.withUnsafeBytes { try Tensor(shape: [2, 3], dtype: .f32, external: $0.baseAddress!, byteCount: $0.count, owner: owner) }
        XCTAssertEqual(t.floats(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.strides, [3, 1])
        XCTAssertEqual(try t.reshaped([3, -1]).shape, [3, 2])
        XCTAssertThrowsError(try t.reshaped([4, -1]))
        XCTAssertThrowsError(try Tensor(shape: [7], dtype: .f32, external: UnsafeRawPointer(bitPattern: 64)!, byteCount: 24, owner: owner))
    }

    func testStoragePoolReusesFreedBlocksAndRespectsLimit() {
        let saved = StoragePool.limitBytes
        defer { StoragePool.limitBytes = saved }
        StoragePool.limitBytes = 8 << 20
        StoragePool.empty()
        var first: UnsafeMutableRawPointer?
        do { let t = Tensor(shape: [1 << 19], dtype: .f32, zeroed: false); first = t.raw }  // 2 MiB, freed here
        XCTAssertEqual(StoragePool.cachedBytes, 2 << 20)
        let again = Tensor(shape: [1 << 19], dtype: .f32, zeroed: true)
        XCTAssertEqual(again.raw, first, "same-size allocation reuses the cached block")
        XCTAssertTrue(again.floats().allSatisfy { $0 == 0 }, "zeroed: true still zeroes a reused block")
        XCTAssertEqual(StoragePool.cachedBytes, 0)
        do { let four = (0..<4).map { _ in Tensor(shape: [3 << 18], dtype: .f32, zeroed: false) }; XCTAssertEqual(four.count, 4) }  // 4 × 3 MiB freed
        XCTAssertEqual(StoragePool.cachedBytes, 6 << 20, "FIFO eviction keeps the newest blocks that fit the 8 MiB limit")
        StoragePool.limitBytes = 0
        XCTAssertEqual(StoragePool.cachedBytes, 0, "limit 0 empties the cache")
    }

    func testParallelForCoversRangeOnce() {
        let saved = ClearTensor.threadCount
        defer { ClearTensor.threadCount = saved }
        for threads in [1, 3, 8] {
            ClearTensor.threadCount = threads
            var hits = [Int](repeating: 0, count: 1001)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                parallelFor(1001, minChunk: 10) { r in for i in r { p[i] += 1 } }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 1001), "threads \(threads)")
        }
    }

    func testActivations() throws {
        let x = Tensor.random(shape: [3, 301], seed: 11, lo: -6, hi: 6)
        let xf = x.floats().map(Double.init)
        let refs: [(Activation, (Double) -> Double)] = [
            (.silu, { $0 / (1 + Foundation.exp(-$0)) }),
            (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
            (.geluErf, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
            (.geluTanh, { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
        ]
        for (act, f) in refs {
            let ref = xf.map { Float(f($0)) }
            assertClose(try Ops.activation(x, act), ref, shape: x.shape, tol: f32Tol, "\(act)")
            // bf16 in + out rounding (oneDNN has bf16 kernels only from AVX-512 BF16 on)
            if Ops.nativeBF16 { assertClose(try Ops.activation(x.toBF16(), act), ref, tol: 2e-5, "\(act) bf16") }
            // the Swift SIMD kernels of every kernel set this CPU runs, on the same data
            for set in KernelDispatch.runnable { KernelDispatch.using(set) {
                if let y = Ops.swiftActivation(x, act) { assertClose(y, ref, shape: x.shape, tol: f32Tol, "\(act) swift \(set.name)") }
                if let y = Ops.swiftActivation(x.toBF16(), act) { assertClose(y, ref, tol: 2e-5, "\(act) swift bf16 \(set.name)") }
            } }
        }
        XCTAssertNil(Ops.swiftActivation(x, .geluErf))
        let relu = try XCTUnwrap(Ops.swiftActivation(x, .relu))
        XCTAssertEqual(relu.floats(), x.floats().map { max($0, 0) })
    }

    func testSoftmaxAllAxes() throws {
        let x = Tensor.random(shape: [3, 4, 37], seed: 12, lo: -5, hi: 5)
        func ref(_ xf: [Float], _ axis: Int) -> [Float] {
            var ref = [Float](repeating: 0, count: xf.count)
            let st = x.strides, n = x.shape[axis]
            for i in 0..<xf.count where (i / st[axis]) % n == 0 {
                let vals = (0..<n).map { Double(xf[i + $0 * st[axis]]) }
                let m = vals.max()!, e = vals.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
                for j in 0..<n { ref[i + j * st[axis]] = Float(e[j] / s) }
            }
            return ref
        }
        for axis in 0..<3 {
            assertClose(try Ops.softmax(x, axis: axis), ref(x.floats(), axis), tol: f32Tol, "softmax axis \(axis)")
            // bf16: reference on the bf16-rounded input; only the output rounding remains.
            let xb = x.toBF16()
            if Ops.nativeBF16 { assertClose(try Ops.softmax(xb, axis: axis), ref(xb.floats(), axis), tol: 2e-5, "softmax bf16 axis \(axis)") }
        }
        // the Swift last-axis kernel of every kernel set: rows of 37 (tail) and 48 (full blocks)
        for set in KernelDispatch.runnable { try KernelDispatch.using(set) {
        for shape in [[3, 4, 37], [5, 48]] {
            let x = Tensor.random(shape: shape, seed: 13, lo: -5, hi: 5)
            for dt in DType.allCases {
                let xi = x.to(dt), y = Tensor(shape: shape, dtype: dt, zeroed: false)
                softmaxLastAxis(xi, y)
                let c = shape.last!, xf = xi.floats()
                var r = [Float](repeating: 0, count: xf.count)
                for row in 0..<(xf.count / c) {
                    let v = xf[(row * c)..<(row * c + c)].map(Double.init), m = v.max()!
                    let e = v.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
                    for j in 0..<c { r[row * c + j] = Float(e[j] / s) }
                }
                assertClose(y, r, tol: dt == .f32 ? f32Tol : 2e-5, "swift softmax \(shape) \(dt) \(set.name)")
            }
        }
        for axis in 0..<3 { assertClose(try Ops.softmax(x, axis: axis), ref(x.floats(), axis), tol: f32Tol, "softmax axis \(axis) \(set.name)") }
        } }
    }

    func testVectorMath() throws {
        // exp within a few ulp over the whole unclamped range, NaN propagated
        let xs = (0..<4000).map { Float(-87 + 175 * Double($0) / 4000) }
        let t = try Tensor(shape: [xs.count], values: xs), y = Tensor(shape: [xs.count], dtype: .f32)
        mapRange(ExpLanes.self, ElementPointer(t), ElementPointer(y), 0..<xs.count)
        for (i, x) in xs.enumerated() {
            let r = Foundation.exp(Double(x))
            XCTAssertLessThanOrEqual(abs(Double(y.f32[i]) - r) / r, 3e-7, "exp(\(x))")
        }
        let nan = VMath.exp(Vec16(repeating: .nan))
        XCTAssertTrue(nan[0].isNaN && nan[15].isNaN)
        // split lane order round-trips for both dtypes, and bf16 stores round to nearest even
        let v = Tensor.random(shape: [32], seed: 5, lo: -3, hi: 3)
        for dt in DType.allCases {
            let a = v.to(dt), b = Tensor(shape: [32], dtype: dt, zeroed: true)
            let pa = ElementPointer(a, split: true), pb = ElementPointer(b, split: true)
            for i in [0, 16] { pb.store(pa.load(i), i) }
            XCTAssertEqual(b.floats(), a.floats(), "\(dt)")
            let l = pa.load(0)
            XCTAssertEqual(l[1], a.floats()[2]); XCTAssertEqual(l[8], a.floats()[1])
        }
        let r = Tensor(shape: [16], dtype: .bf16, zeroed: true)
        VMath.store(VMath.load(UnsafePointer(v.f32)), r.bf16)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: r.bf16, count: 16)), (0..<16).map { BF16.fromFloat(v.f32[$0]) })
    }

    func testBroadcastBinary() throws {
        for set in KernelDispatch.runnable { try KernelDispatch.using(set) { try broadcastBinaryCases() } }
        XCTAssertThrowsError(try Ops.add(rand([2, 3], seed: 1), rand([4], seed: 1))) { e in
            XCTAssertTrue("\(e)".contains("[2, 3]") && "\(e)".contains("[4]"), "\(e)")
        }
    }

    /// Same shapes take the flat path (chunks of the whole tensor): bit for bit the elementwise
    /// result, here with a last dimension of 3 (a per-pixel RGB sum) and more elements than a chunk.
    func testSameShapeBinaryIsElementwiseBitForBit() throws {
        for set in KernelDispatch.runnable {
            try KernelDispatch.using(set) {
                let shape = [1, 130, 201, 3]   // 78 390 elements: three chunks, the last one partial
                let a = rand(shape, seed: 3), b = rand(shape, seed: 4)
                let af = a.floats(), bf = b.floats()
                for (kind, f) in [(BinaryOp.add, { (x: Float, y: Float) in x + y }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 })] {
                    let out = try Ops.binary(a, b, kind)
                    XCTAssertEqual(out.shape, shape)
                    XCTAssertEqual(out.floats(), zip(af, bf).map(f), "\(kind) \(KernelDispatch.activeName)")
                    // bf16 inputs: computed in f32, rounded once to bf16
                    let a16 = a.toBF16(), b16 = b.toBF16()
                    let ref16 = zip(a16.floats(), b16.floats()).map { BF16.toFloat(BF16.fromFloat(f($0, $1))) }
                    XCTAssertEqual(try Ops.binary(a16, b16, kind).floats(), ref16, "\(kind) bf16 \(KernelDispatch.activeName)")
                }
            }
        }
    }

    func broadcastBinaryCases() throws {
        let cases: [([Int], [Int])] = [([2, 3, 20], [2, 3, 20]), ([2, 3, 20], [20]), ([2, 3, 20], [3, 1]), ([2, 1, 20], [1, 3, 1]), ([5], []), ([4, 1], [1, 17])]
        for (sa, sb) in cases {
            let a = rand(sa, seed: 1), b = rand(sb, seed: 2)
            let shape = try Ops.broadcastShape(sa, sb)
            let af = a.floats(), bf = b.floats(), n = shape.reduce(1, *)
            func index(_ flat: Int, _ s: [Int]) -> Int {
                let pad = [Int](repeating: 1, count: shape.count - s.count) + s
                var rem = flat, idx = 0, mul = 1
                for d in stride(from: shape.count - 1, through: 0, by: -1) {
                    let i = rem % shape[d]; rem /= shape[d]
                    idx += (pad[d] == 1 ? 0 : i) * mul; mul *= pad[d]
                }
                return idx
            }
            for (kind, f) in [(BinaryOp.add, { (x: Float, y: Float) in x + y }), (.sub, { $0 - $1 }), (.mul, { $0 * $1 })] {
                let ref = (0..<n).map { f(af[index($0, sa)], bf[index($0, sb)]) }
                assertClose(try Ops.binary(a, b, kind), ref, shape: shape, tol: f32Tol, "\(kind) \(sa) \(sb)")
                assertClose(try Ops.binary(a.toBF16(), b.toBF16(), kind), ref, tol: 3e-5, "\(kind) bf16")
                let mixed = try Ops.binary(a.toBF16(), b, kind)  // bf16 ∘ f32 -> f32
                XCTAssertEqual(mixed.dtype, .f32)
                assertClose(mixed, ref, tol: 3e-5, "\(kind) bf16 with f32 \(KernelDispatch.activeName)")
            }
        }
    }

    func refLayerNorm(_ x: [Float], rows: Int, c: Int, w: [Float]?, b: [Float]?, eps: Double) -> [Float] {
        var y = x
        for r in 0..<rows {
            let v = x[(r * c)..<(r * c + c)].map(Double.init)
            let m = v.reduce(0, +) / Double(c), va = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
            for i in 0..<c { y[r * c + i] = Float((v[i] - m) / (va + eps).squareRoot() * Double(w?[i] ?? 1) + Double(b?[i] ?? 0)) }
        }
        return y
    }

    func testLayerNorm() throws {
        let x = Tensor.random(shape: [2, 5, 48], seed: 13, lo: -3, hi: 5), w = rand([48], seed: 14), b = rand([48], seed: 15)
        let ref = refLayerNorm(x.floats(), rows: 10, c: 48, w: w.floats(), b: b.floats(), eps: 1e-5)
        assertClose(try Ops.layerNorm(x, weight: w, bias: b, eps: 1e-5), ref, shape: x.shape, tol: f32Tol, "layerNorm affine")
        let ref2 = refLayerNorm(x.floats(), rows: 10, c: 48, w: nil, b: nil, eps: 1e-6)
        assertClose(try Ops.layerNorm(x, eps: 1e-6), ref2, tol: f32Tol, "layerNorm plain")
        if Ops.nativeBF16 { assertClose(try Ops.layerNorm(x.toBF16(), eps: 1e-6), ref2, tol: 3e-5, "layerNorm bf16") }
    }

    func testRMSNorm() throws {
        let x = rand([3, 4, 40], seed: 16), w = rand([40], seed: 17)
        let xf = x.floats(), wf = w.floats()
        var ref = xf
        for r in 0..<12 {
            let ms = xf[(r * 40)..<(r * 40 + 40)].map { Double($0) * Double($0) }.reduce(0, +) / 40
            for i in 0..<40 { ref[r * 40 + i] = Float(Double(xf[r * 40 + i]) / (ms + 1e-6).squareRoot() * Double(wf[i])) }
        }
        for set in KernelDispatch.runnable { try KernelDispatch.using(set) {
            assertClose(try Ops.rmsNorm(x, weight: w), ref, shape: x.shape, tol: f32Tol, "rmsNorm \(set.name)")
            assertClose(try Ops.rmsNorm(x.toBF16(), weight: w.toBF16()), ref, tol: 5e-5, "rmsNorm bf16 \(set.name)")
        } }
    }

    func testGroupNorm() throws {
        let x = Tensor.random(shape: [2, 6, 5, 7], seed: 18, lo: -2, hi: 4), w = rand([6], seed: 19), b = rand([6], seed: 20)
        let xf = x.floats(), wf = w.floats(), bf = b.floats()
        var ref = xf
        let sp = 35, g = 3, cg = 2
        for n in 0..<2 { for gi in 0..<g {
            let base = (n * 6 + gi * cg) * sp
            let v = xf[base..<(base + cg * sp)].map(Double.init)
            let m = v.reduce(0, +) / Double(v.count), va = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)
            for j in 0..<(cg * sp) {
                let ch = gi * cg + j / sp
                ref[base + j] = Float((v[j] - m) / (va + 1e-5).squareRoot() * Double(wf[ch]) + Double(bf[ch]))
            }
        } }
        for set in KernelDispatch.runnable { try KernelDispatch.using(set) {
            assertClose(try Ops.groupNorm(x, groups: g, weight: w, bias: b), ref, shape: x.shape, tol: f32Tol, "groupNorm \(set.name)")
            assertClose(try Ops.groupNorm(x.toBF16(), groups: g, weight: w, bias: b), ref, tol: 3e-5, "groupNorm bf16 \(set.name)")
        } }
        XCTAssertThrowsError(try Ops.groupNorm(x, groups: 4))
    }

    /// The AVX-512 C kernels follow the Swift ones operation for operation: ReLU, binary ops,
    /// affine steps and bf16 rounding (with tails, NaN, -0) give the same bits; exp-based
    /// activations differ by the C side's fused multiply-adds (a few f32 ulp; bf16 at most one
    /// step) and row reductions (softmax, RMSNorm, GroupNorm) only in summation order.
    func testKernelSetsAgree() throws {
        let sets = KernelDispatch.runnable
        XCTAssertEqual(sets.count, KernelDispatch.cpuSupportsWide ? 2 : 1)
        if KernelDispatch.cpuSupportsWide && ProcessInfo.processInfo.environment["CLEARSUB_SIMD"] != "portable" {
            XCTAssertEqual(KernelDispatch.activeName, "avx512", "a CPU with AVX-512 runs the AVX-512 set")
        }
        guard sets.count == 2 else { throw XCTSkip("this CPU runs only the portable kernel set") }
        var x = Tensor.random(shape: [2, 6, 5, 67], seed: 31, lo: -7, hi: 7)
        x.f32[3] = .nan; x.f32[70] = 95; x.f32[71] = -100; x.f32[72] = -0.0
        let w = rand([67], seed: 32), gw = rand([6], seed: 33)
        // bf16 rounding of the AVX-512 activations and scale-shift: with AVX512_BF16 where the CPU
        // has it, and with integer operations
        let native = AVX512Kernels.allowBF16Instructions(true)
        defer { AVX512Kernels.allowBF16Instructions(true) }
        for (dt, useNative) in DType.allCases.map({ ($0, native) }) + (native ? [(DType.bf16, false)] : []) {
            AVX512Kernels.allowBF16Instructions(useNative)
            let xi = x.to(dt)
            let outs = try sets.map { set in try KernelDispatch.using(set) { () throws -> (exact: [[Float]], reduced: [Tensor]) in
                let soft = Tensor(shape: xi.shape, dtype: dt, zeroed: false)
                softmaxLastAxis(xi, soft)
                let acts = [ActivationKernel.silu, .geluTanh, .sigmoid, .relu].map { act in
                    let y = Tensor(shape: xi.shape, dtype: dt, zeroed: false)
                    set.activation(act, ElementPointer(xi, split: dt == .bf16), ElementPointer(y, split: dt == .bf16), 0..<xi.count)
                    return y.floats()
                }
                let rounded = Tensor(shape: x.shape, dtype: .bf16, zeroed: false)
                set.toBF16(UnsafePointer(x.f32), rounded.bf16, count: x.count)
                return (Array(acts[3...]) + [try Ops.mul(xi, w.to(dt)).floats(), try Ops.sub(xi, x).floats(), rounded.floats()],
                        acts[..<3].map { try! Tensor(shape: xi.shape, values: $0) }
                        + [soft, try Ops.rmsNorm(xi, weight: w.to(dt)), try Ops.groupNorm(xi, groups: 3, weight: gw)])
            } }
            for k in 0..<outs[0].exact.count {
                XCTAssertEqual(outs[0].exact[k].map(\.bitPattern), outs[1].exact[k].map(\.bitPattern), "elementwise op \(k), \(dt) (AVX512_BF16 \(useNative)): portable vs avx512")
            }
            for k in 0..<outs[0].reduced.count {
                let a = outs[0].reduced[k].floats(), b = outs[1].reduced[k].floats()
                let scale = a.filter { !$0.isNaN }.map(abs).max() ?? 1
                for i in a.indices where !(a[i].isNaN && b[i].isNaN) {
                    // relative to the op's output scale: GroupNorm cancels mean·scale against x·scale
                    let tol = (dt == .f32 ? 2e-6 : 8e-3) * scale
                    XCTAssertEqual(a[i], b[i], accuracy: tol, "exp-based or reduction op \(k) \(dt) (AVX512_BF16 \(useNative)) at \(i): portable vs avx512")
                }
            }
        }
    }
}

enum ExpLanes: LaneFunction { static func apply(_ v: Vec16) -> Vec16 { VMath.exp(v) } }

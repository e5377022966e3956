// Numerical gradient checks (central differences) of every differentiable op, and the Adam/AdamW
// update rule against a hand computation.
import Foundation
import XCTest
@testable import ClearTensor

final class AutogradTests: XCTestCase {
    /// Checks d/dp of L = Σ f(p)·R (R random, fixed) against central differences on up to
    /// `samples` coordinates per parameter. Relative L2 error over the sampled coordinates ≤ tol.
    func gradCheck(_ params: [Parameter], eps: Float = 1e-3, tol: Double = 1e-2, samples: Int = 24, _ what: String,
                   file: StaticString = #filePath, line: UInt = #line,
                   _ f: (Tape, [Variable]) throws -> Variable) throws {
        var weights: Tensor?
        func loss(_ tape: Tape) throws -> Variable {
            let out = try f(tape, params.map { tape.watch($0) })
            if weights == nil { weights = Tensor.random(shape: out.shape, seed: 99) }
            return tape.sum(try tape.mul(out, tape.constant(weights!)))
        }
        let tape = Tape()
        for p in params { p.zeroGrad() }
        try tape.backward(try loss(tape))
        for (pi, p) in params.enumerated() {
            guard let g = p.grad else { XCTFail("\(what): parameter \(pi) got no gradient", file: file, line: line); continue }
            XCTAssertEqual(g.shape, p.value.shape, file: file, line: line)
            var num: [Double] = [], ana: [Double] = []
            let n = p.value.count
            for s in 0..<min(samples, n) {
                let i = n <= samples ? s : (s * 7919) % n
                let orig = p.value.f32[i]
                p.value.f32[i] = orig + eps
                let lp = Double(try loss(Tape()).value.floats()[0])
                p.value.f32[i] = orig - eps
                let lm = Double(try loss(Tape()).value.floats()[0])
                p.value.f32[i] = orig
                num.append((lp - lm) / (2 * Double(eps)))
                ana.append(Double(g.f32[i]))
            }
            let err = zip(num, ana).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            let ref = num.map { $0 * $0 }.reduce(0, +).squareRoot()
            XCTAssertLessThanOrEqual(err / max(ref, 1e-6), tol, "\(what): parameter \(pi) gradient error \(err / max(ref, 1e-6)) num \(num.prefix(4)) ana \(ana.prefix(4))", file: file, line: line)
        }
    }

    func param(_ shape: [Int], _ seed: UInt64, lo: Float = -1, hi: Float = 1) -> Parameter {
        Parameter(Tensor.random(shape: shape, seed: seed, lo: lo, hi: hi))
    }

    func testMatmulAndLinear() throws {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = param(ta ? [2, 5, 3] : [2, 3, 5], 1), b = param(tb ? [4, 5] : [5, 4], 2)
            try gradCheck([a, b], "matmul ta\(ta) tb\(tb)") { t, v in try t.matmul(v[0], v[1], transposeA: ta, transposeB: tb) }
        }
        let x = param([2, 3, 6], 3), w = param([4, 6], 4), b = param([4], 5)
        try gradCheck([x, w, b], "linear") { t, v in try t.linear(v[0], weight: v[1], bias: v[2]) }
    }

    func testConvolution() throws {
        let x = param([2, 4, 7, 6], 6), w = param([6, 2, 3, 3], 7), b = param([6], 8)
        try gradCheck([x, w, b], "conv2d s2 p1 g2") { t, v in try t.conv2d(v[0], weight: v[1], bias: v[2], stride: 2, padding: 1, groups: 2) }
        try gradCheck([x, w], "conv2d d2 p2 g2, no bias") { t, v in try t.conv2d(v[0], weight: v[1], padding: 2, dilation: 2, groups: 2) }
        let x3 = param([1, 2, 3, 4, 5], 9), w3 = param([3, 2, 2, 3, 3], 10)
        try gradCheck([x3, w3], "conv3d") { t, v in try t.conv(v[0], weight: v[1], .uniform(3, padding: 1)) }
    }

    func testConvTranspose2d() throws {
        let x = param([2, 4, 5, 4], 30), w = param([4, 3, 3, 3], 31), b = param([6], 32)
        try gradCheck([x, w, b], "convTranspose2d s2 p1 op1 g2") { t, v in
            try t.convTranspose2d(v[0], weight: v[1], bias: v[2], stride: 2, padding: 1, outputPadding: 1, groups: 2)
        }
        let w1 = param([4, 5, 3, 3], 33)
        try gradCheck([x, w1], "convTranspose2d s1 p1 d2, no bias") { t, v in
            try t.convTranspose2d(v[0], weight: v[1], padding: 1, dilation: 2)
        }
        let w2 = param([4, 2, 4, 4], 34)
        try gradCheck([x, w2], "convTranspose2d s3 k4") { t, v in try t.convTranspose2d(v[0], weight: v[1], stride: 3) }
    }

    func testSoftmaxRMSNormRope() throws {
        let x = param([2, 3, 7], 35, lo: -2, hi: 2)
        for axis in [-1, 1, 0] {
            try gradCheck([x], "softmax axis \(axis)") { t, v in try t.softmax(v[0], axis: axis) }
        }
        let xr = param([4, 20], 36), w = param([20], 37, lo: 0.5, hi: 1.5)
        try gradCheck([xr, w], "rmsNorm") { t, v in try t.rmsNorm(v[0], weight: v[1]) }
        try gradCheck([xr], "rmsNorm, no weight") { t, v in try t.rmsNorm(v[0], eps: 1e-5) }
        let rope = try Rope3D(frames: 2, height: 2, width: 3, headDim: 12)
        let q = param([1, 12, 2, 12], 38)
        try gradCheck([q], "rope3d") { t, v in try t.rope(v[0], rope) }
        // the inverse rotation undoes the rotation
        let back = try rope.applyInverse(try rope.apply(q.value))
        XCTAssertLessThanOrEqual(nmse(back.floats(), q.value.floats()), 1e-12)
    }

    func testArithmeticBroadcast() throws {
        let a = param([2, 3, 4], 11), b = param([3, 1], 12), c = param([2, 3, 4], 13, lo: 0.5, hi: 2)
        try gradCheck([a, b], "add") { t, v in try t.add(v[0], v[1]) }
        try gradCheck([a, b], "sub") { t, v in try t.sub(v[0], v[1]) }
        try gradCheck([a, b], "mul") { t, v in try t.mul(v[0], v[1]) }
        try gradCheck([a, c], "div") { t, v in try t.div(v[0], v[1]) }
        try gradCheck([c], "pow affine mean") { t, v in t.mean(t.pow(t.affine(v[0], scale: 2, shift: 0.5), 1.7)) }
    }

    func testActivationsAndNorms() throws {
        let x = param([3, 16], 14, lo: -3, hi: 3)
        for act in Activation.allCases {
            try gradCheck([x], "\(act)") { t, v in try t.activation(v[0], act) }
        }
        let w = param([16], 15), b = param([16], 16)
        try gradCheck([x, w, b], "layerNorm") { t, v in try t.layerNorm(v[0], weight: v[1], bias: v[2]) }
        let g = param([2, 6, 3, 4], 17), gw = param([6], 18), gb = param([6], 19)
        try gradCheck([g, gw, gb], "groupNorm") { t, v in try t.groupNorm(v[0], groups: 3, weight: v[1], bias: v[2]) }
    }

    func testDataMovementPoolingResize() throws {
        let a = param([2, 3, 4], 20), b = param([2, 2, 4], 21)
        try gradCheck([a, b], "concat+slice") { t, v in
            try t.slice(try t.concat([v[0], v[1]], axis: 1), axis: 1, start: 1, end: 4)
        }
        try gradCheck([a], "reshape") { t, v in try t.reshape(v[0], [4, 6]) }
        let x = param([1, 2, 6, 8], 22)
        try gradCheck([x], "avg pool") { t, v in try t.pool2d(v[0], kernel: 2, mode: .average) }
        try gradCheck([x], "max pool") { t, v in try t.pool2d(v[0], kernel: 2, mode: .max) }
        try gradCheck([x], "nearest up") { t, v in try t.resize(v[0], height: 9, width: 13, mode: .nearest) }
        try gradCheck([x], "bilinear up") { t, v in try t.resize(v[0], height: 9, width: 13, mode: .bilinear) }
        try gradCheck([x], "bilinear down") { t, v in try t.resize(v[0], height: 4, width: 5, mode: .bilinear) }
    }

    func testLosses() throws {
        let p = param([2, 1, 12, 12], 23, lo: 0, hi: 1), target = Tensor.random(shape: [2, 1, 12, 12], seed: 24, lo: 0, hi: 1)
        let labels = mapF32(Tensor.random(shape: [2, 1, 12, 12], seed: 25)) { $0 > 0 ? 1 : 0 }
        try gradCheck([p], "l1") { t, v in try t.l1Loss(v[0], t.constant(target)) }
        try gradCheck([p], "mse") { t, v in try t.mseLoss(v[0], t.constant(target)) }
        try gradCheck([p], eps: 1e-2, "bce") { t, v in try t.bceWithLogits(v[0], t.constant(labels)) }
        try gradCheck([p], eps: 1e-2, "focal") { t, v in try t.focalLoss(v[0], t.constant(labels)) }
        try gradCheck([p], eps: 2e-3, "ssim") { t, v in try t.ssim(v[0], t.constant(target)) }
        // Values: SSIM of an image with itself is 1; MSE matches the formula.
        let tape = Tape()
        XCTAssertEqual(try tape.ssim(tape.constant(target), tape.constant(target)).value.floats()[0], 1, accuracy: 1e-5)
        let pf = p.value.floats(), tf = target.floats()
        let mse = zip(pf, tf).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(pf.count)
        XCTAssertEqual(Double(try tape.mseLoss(tape.watch(p), tape.constant(target)).value.floats()[0]), mse, accuracy: 1e-6)
    }

    func testAdamAndAdamWMatchHandComputation() throws {
        for decoupled in [false, true] {
            let p = Parameter(try Tensor(shape: [2], values: [1, -2]))
            let opt = Adam([p], learningRate: 0.1, weightDecay: 0.5, decoupled: decoupled)
            var w: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
            for step in 1...3 {
                let tape = Tape()
                let x = tape.watch(p)
                opt.zeroGrad()
                try tape.backward(tape.sum(try tape.mul(x, x)))  // grad 2w
                opt.update()
                for i in 0..<2 {
                    var g = 2 * w[i]
                    if decoupled { w[i] -= 0.1 * 0.5 * w[i] } else { g += 0.5 * w[i] }
                    m[i] = 0.9 * m[i] + 0.1 * g; v[i] = 0.999 * v[i] + 0.001 * g * g
                    let mh = m[i] / (1 - pow(0.9, Double(step))), vh = v[i] / (1 - pow(0.999, Double(step)))
                    w[i] -= 0.1 * mh / (vh.squareRoot() + 1e-8)
                }
                XCTAssertEqual(p.value.floats().map(Double.init)[0], w[0], accuracy: 1e-5, "decoupled \(decoupled) step \(step)")
                XCTAssertEqual(p.value.floats().map(Double.init)[1], w[1], accuracy: 1e-5)
            }
        }
    }

    func testTrainingReducesLoss() throws {
        // A tiny conv net fits a fixed target: the loss must drop by 10×.
        let w1 = param([4, 1, 3, 3], 30, lo: -0.5, hi: 0.5), b1 = Parameter(Tensor(shape: [4]))
        let w2 = param([1, 4, 3, 3], 31, lo: -0.5, hi: 0.5)
        let x = Tensor.random(shape: [2, 1, 8, 8], seed: 32), y = try Ops.conv2d(x, weight: Tensor.random(shape: [1, 1, 3, 3], seed: 33), padding: 1)
        let opt = Adam([w1, b1, w2], learningRate: 0.03)
        var first: Float = 0, last: Float = 0
        for i in 0..<60 {
            let t = Tape()
            let h = try t.activation(try t.conv2d(t.constant(x), weight: t.watch(w1), bias: t.watch(b1), padding: 1), .silu)
            let loss = try t.mseLoss(try t.conv2d(h, weight: t.watch(w2), padding: 1), t.constant(y))
            opt.zeroGrad(); try t.backward(loss); opt.update()
            if i == 0 { first = loss.value.floats()[0] }
            last = loss.value.floats()[0]
        }
        XCTAssertLessThan(last, first / 10, "loss \(first) -> \(last)")
    }
}

// Differentiable ops recorded on a `Tape` (f32). Forward passes reuse the inference ops
// (oneDNN where available); backward passes use oneDNN (matmul, convolution backward) or the
// Swift kernels in BackwardKernels.swift, Pooling.swift and Resize.swift.
// Matches: the corresponding torch functions and their autograd gradients.

extension Tape {
    // MARK: arithmetic (broadcasting)

    public func add(_ a: Variable, _ b: Variable) throws -> Variable {
        let y = try Ops.add(a.value, b.value)
        return record(y, [a, b]) { g in [try Ops.sumToShape(g, a.shape), try Ops.sumToShape(g, b.shape)] }
    }

    public func sub(_ a: Variable, _ b: Variable) throws -> Variable {
        let y = try Ops.sub(a.value, b.value)
        return record(y, [a, b]) { g in
            [try Ops.sumToShape(g, a.shape), try Ops.sumToShape(mapF32(g) { -$0 }, b.shape)]
        }
    }

    public func mul(_ a: Variable, _ b: Variable) throws -> Variable {
        let y = try Ops.mul(a.value, b.value)
        return record(y, [a, b]) { g in
            [try Ops.sumToShape(try Ops.mul(g, b.value), a.shape), try Ops.sumToShape(try Ops.mul(g, a.value), b.shape)]
        }
    }

    /// a / b (same shapes).
    public func div(_ a: Variable, _ b: Variable) throws -> Variable {
        guard a.shape == b.shape else { throw TensorError.shapeMismatch(op: "div", expected: a.shape, got: b.shape, hint: "div needs equal shapes") }
        let y = zipMapF32(a.value, b.value) { $0 / $1 }
        return record(y, [a, b]) { g in
            [zipMapF32(g, b.value) { $0 / $1 }, zipMapF32(try Ops.mul(g, y), b.value) { -$0 / $1 }]
        }
    }

    /// scale·x + shift with scalar constants.
    public func affine(_ x: Variable, scale: Float, shift: Float = 0) -> Variable {
        let y = mapF32(x.value) { $0 * scale + shift }
        return record(y, [x]) { g in [mapF32(g) { $0 * scale }] }
    }

    /// x^p elementwise (x > 0 where p is not an integer).
    public func pow(_ x: Variable, _ p: Float) -> Variable {
        let y = mapF32(x.value) { Foundation.pow($0, p) }
        return record(y, [x]) { g in [zipMapF32(g, x.value) { $0 * p * Foundation.pow($1, p - 1) }] }
    }

    // MARK: reductions

    public func sum(_ x: Variable) -> Variable {
        let s = Tensor(shape: [1], dtype: .f32, zeroed: false)
        s.f32[0] = Float(x.value.floats().reduce(0.0) { $0 + Double($1) })
        return record(s, [x]) { g in
            let v = g.floats()[0]
            return [mapF32(Tensor(shape: x.shape, dtype: .f32, zeroed: true)) { _ in v }]
        }
    }

    public func mean(_ x: Variable) -> Variable { affine(sum(x), scale: 1 / Float(max(x.value.count, 1))) }

    // MARK: linear algebra and convolution

    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) throws -> Variable {
        let y = try Ops.matmul(a.value, b.value, transposeA: transposeA, transposeB: transposeB)
        return record(y, [a, b]) { g in
            let da = transposeA ? try Ops.matmul(b.value, g, transposeA: transposeB, transposeB: true)
                                : try Ops.matmul(g, b.value, transposeB: !transposeB)
            let db = transposeB ? try Ops.matmul(g, a.value, transposeA: true, transposeB: transposeA)
                                : try Ops.matmul(a.value, g, transposeA: !transposeA)
            return [try Ops.sumToShape(da, a.shape), try Ops.sumToShape(db, b.shape)]
        }
    }

    /// x [..., in] · weight[out, in]ᵀ + bias[out].
    public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil) throws -> Variable {
        let y = try matmul(x, weight, transposeB: true)
        return try bias.map { try add(y, $0) } ?? y
    }

    /// N-d convolution (x [N, C, spatial…], weight [O, C/groups, k…]).
    public func conv(_ x: Variable, weight: Variable, bias: Variable? = nil, _ p: ConvParams) throws -> Variable {
        let y = try Ops.conv(x.value, weight: weight.value, bias: bias?.value, p)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return record(y, inputs) { g in
            let r = try Ops.convBackward(x.value, weight: weight.value, dy: g, p, withBias: bias != nil)
            return [r.dx, r.dweight, r.dbias]
        }
    }

    public func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1, groups: Int = 1) throws -> Variable {
        try conv(x, weight: weight, bias: bias, .uniform(2, stride: stride, padding: padding, dilation: dilation, groups: groups))
    }

    // MARK: activations and normalisation

    public func activation(_ x: Variable, _ act: Activation) throws -> Variable {
        let y = try Ops.activation(x.value, act)
        return record(y, [x]) { g in [zipMapF32(g, x.value) { $0 * act.derivative($1) }] }
    }

    public func layerNorm(_ x: Variable, weight: Variable? = nil, bias: Variable? = nil, eps: Float = 1e-5) throws -> Variable {
        let y = try Ops.layerNorm(x.value, weight: weight?.value, bias: bias?.value, eps: eps)
        return record(y, [x] + [weight, bias].compactMap { $0 }) { g in
            let (dx, dw, db) = Ops.layerNormBackward(x.value, dy: g, weight: weight?.value, eps: eps)
            return [dx] + (weight == nil ? [] : [dw]) + (bias == nil ? [] : [db])
        }
    }

    public func groupNorm(_ x: Variable, groups: Int, weight: Variable? = nil, bias: Variable? = nil, eps: Float = 1e-5) throws -> Variable {
        let y = try Ops.groupNorm(x.value, groups: groups, weight: weight?.value, bias: bias?.value, eps: eps)
        return record(y, [x] + [weight, bias].compactMap { $0 }) { g in
            let (dx, dw, db) = Ops.groupNormBackward(x.value, dy: g, groups: groups, weight: weight?.value, eps: eps)
            return [dx] + (weight == nil ? [] : [dw]) + (bias == nil ? [] : [db])
        }
    }

    // MARK: data movement, pooling, resize

    public func concat(_ xs: [Variable], axis: Int) throws -> Variable {
        let y = try Ops.concat(xs.map(\.value), axis: axis)
        let ax = try y.axis(axis, op: "concat")
        return record(y, xs) { g in
            var start = 0
            return try xs.map { x in
                defer { start += x.shape[ax] }
                return try Ops.slice(g, axis: ax, start: start, end: start + x.shape[ax])
            }
        }
    }

    public func slice(_ x: Variable, axis: Int, start: Int, end: Int) throws -> Variable {
        let y = try Ops.slice(x.value, axis: axis, start: start, end: end)
        let ax = try x.value.axis(axis, op: "slice")
        return record(y, [x]) { g in
            var pads = [(Int, Int)](repeating: (0, 0), count: x.value.rank - ax)
            pads[0] = (start, x.shape[ax] - end)
            return [try Ops.pad(g.toF32(), pads, mode: .zero)]
        }
    }

    public func pool2d(_ x: Variable, kernel: Int, mode: PoolMode) throws -> Variable {
        let (y, argmax) = try Ops.pool2d(x.value, kernel: kernel, mode: mode)
        return record(y, [x]) { g in [try Ops.pool2dBackward(g, inputShape: x.shape, kernel: kernel, mode: mode, argmax: argmax)] }
    }

    public func resize(_ x: Variable, height: Int, width: Int, mode: ResizeMode) throws -> Variable {
        let y = try Ops.resize(x.value, height: height, width: width, mode: mode)
        return record(y, [x]) { g in [try Ops.resizeBackward(g, inputHeight: x.shape[2], inputWidth: x.shape[3], mode: mode)] }
    }

    public func reshape(_ x: Variable, _ shape: [Int]) throws -> Variable {
        let y = try x.value.reshaped(shape)
        return record(y, [x]) { g in [try g.reshaped(x.shape)] }
    }
}

import Foundation

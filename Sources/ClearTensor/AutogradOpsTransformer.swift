// Differentiable softmax, RMSNorm, 3-D RoPE and transposed 2-D convolution on a `Tape` (f32).
// Matches: the autograd of torch.softmax, Wan's RMSNorm, Wan's rope_apply (an orthogonal
// rotation: its gradient is the inverse rotation) and torch.nn.functional.conv_transpose2d, whose
// input gradient is conv2d(dy, w) and weight gradient the conv weight-gradient with the roles of
// input and output gradient exchanged.

extension Tape {
    public func softmax(_ x: Variable, axis: Int = -1) throws -> Variable {
        let y = try Ops.softmax(x.value, axis: axis)
        let ax = try x.value.axis(axis, op: "softmax")
        return record(y, [x]) { g in [Ops.softmaxBackward(y: y, dy: g, axis: ax)] }
    }

    public func rmsNorm(_ x: Variable, weight: Variable? = nil, eps: Float = 1e-6) throws -> Variable {
        let y = try Ops.rmsNorm(x.value, weight: weight?.value, eps: eps)
        return record(y, [x] + [weight].compactMap { $0 }) { g in
            let (dx, dw) = Ops.rmsNormBackward(x.value, dy: g, weight: weight?.value, eps: eps)
            return [dx] + (weight == nil ? [] : [dw])
        }
    }

    public func rope(_ x: Variable, _ rope: Rope3D) throws -> Variable {
        let y = try rope.apply(x.value)
        return record(y, [x]) { g in [try rope.applyInverse(g.toF32())] }
    }

    /// Transposed 2-D convolution (x [N, C, H, W], weight [C, O/groups, k, k], bias [O]).
    public func convTranspose2d(_ x: Variable, weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) throws -> Variable {
        let y = try Ops.convTranspose2d(x.value, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                                        outputPadding: outputPadding, dilation: dilation, groups: groups)
        let p = ConvParams.uniform(2, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return record(y, inputs) { g in
            // y = convT(x, w)  <=>  x-shaped z = conv(y-shaped input, w) is its adjoint in x
            let dx = try Ops.conv(g, weight: weight.value, bias: nil, p)
            let dw = try Ops.convBackward(g, weight: weight.value, dy: x.value, p, withBias: false, inputGradient: false).dweight
            let db = try bias.map { _ in try Ops.sumToShape(g, [1, g.shape[1], 1, 1]).reshaped([g.shape[1]]) }
            return [dx, dw] + (bias == nil ? [] : [db])
        }
    }
}

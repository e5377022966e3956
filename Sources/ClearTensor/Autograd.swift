// Reverse-mode automatic differentiation for training (f32): a tape records each differentiable
// op with a closure that maps the output gradient to input gradients; `backward` walks the tape
// in reverse creation order and accumulates gradients into trainable `Parameter`s.
// Matches: torch.autograd semantics for the ops in AutogradOps.swift (gradients are summed over
// broadcast dimensions; a variable used twice receives the sum of both gradients).

/// A trainable tensor that persists across tapes (one tape per training step).
public final class Parameter {
    public internal(set) var value: Tensor
    /// Accumulated gradient (f32, same shape as `value`), nil until a backward pass reaches it.
    public var grad: Tensor?
    public let name: String

    /// Copies `value` into owned f32 storage (the optimizer updates it in place, so it must not
    /// alias a caller's tensor or a read-only mapped file).
    public init(_ value: Tensor, name: String = "") {
        self.value = value.toF32().copy()
        self.name = name
    }

    public func zeroGrad() { grad = nil }
}

/// A node on a tape: a value, and how to send gradient to its inputs.
public final class Variable {
    public let value: Tensor
    public var shape: [Int] { value.shape }
    let id: Int
    let inputs: [Variable]
    let backwardFn: ((Tensor) throws -> [Tensor?])?
    let parameter: Parameter?
    let needsGrad: Bool

    init(value: Tensor, id: Int, inputs: [Variable], backward: ((Tensor) throws -> [Tensor?])?, parameter: Parameter?, needsGrad: Bool) {
        self.value = value; self.id = id; self.inputs = inputs; backwardFn = backward
        self.parameter = parameter; self.needsGrad = needsGrad
    }
}

public final class Tape {
    private var nodes: [Variable] = []

    public init() {}

    /// A leaf whose gradient accumulates into `p.grad`.
    public func watch(_ p: Parameter) -> Variable { add(p.value, inputs: [], backward: nil, parameter: p, needsGrad: true) }

    /// A leaf without gradient (data, targets).
    public func constant(_ t: Tensor) -> Variable { add(t.toF32(), inputs: [], backward: nil, parameter: nil, needsGrad: false) }

    /// Records an op result. `backward` gets dL/d(output) and returns dL/d(input) per input (nil = none).
    func record(_ value: Tensor, _ inputs: [Variable], _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Variable {
        let needs = inputs.contains { $0.needsGrad }
        return add(value, inputs: inputs, backward: needs ? backward : nil, parameter: nil, needsGrad: needs)
    }

    private func add(_ v: Tensor, inputs: [Variable], backward: ((Tensor) throws -> [Tensor?])?, parameter: Parameter?, needsGrad: Bool) -> Variable {
        let node = Variable(value: v, id: nodes.count, inputs: inputs, backward: backward, parameter: parameter, needsGrad: needsGrad)
        nodes.append(node)
        return node
    }

    /// Backpropagates from a scalar (one-element) loss; parameter gradients are accumulated.
    public func backward(_ loss: Variable) throws {
        guard loss.value.count == 1 else {
            throw TensorError.invalidShape(op: "backward", shape: loss.shape, reason: "the loss must have exactly one element; reduce it with mean or sum")
        }
        var grads: [Int: Tensor] = [loss.id: try Tensor(shape: loss.shape, values: [1])]
        for node in nodes.reversed() where node.id <= loss.id {
            guard let g = grads.removeValue(forKey: node.id), node.needsGrad else { continue }
            if let p = node.parameter {
                p.grad = try p.grad.map { try Ops.add($0, g) } ?? g.copy()
                continue
            }
            guard let fn = node.backwardFn else { continue }
            let inputGrads = try fn(g)
            for (input, ig) in zip(node.inputs, inputGrads) where input.needsGrad {
                guard let ig else { continue }
                guard ig.shape == input.shape else {
                    throw TensorError.shapeMismatch(op: "backward", expected: input.shape, got: ig.shape, hint: "internal: gradient shape differs from its input")
                }
                grads[input.id] = try grads[input.id].map { try Ops.add($0, ig) } ?? ig
            }
        }
    }
}

extension Ops {
    /// Sums `g` over the dimensions that broadcasting expanded, giving a tensor of `shape`.
    public static func sumToShape(_ g: Tensor, _ shape: [Int]) throws -> Tensor {
        if g.shape == shape { return g }
        let r = g.rank
        guard shape.count <= r else { throw TensorError.shapeMismatch(op: "sumToShape", expected: shape, got: g.shape, hint: "target rank exceeds gradient rank") }
        let padded = [Int](repeating: 1, count: r - shape.count) + shape
        for i in 0..<r where padded[i] != 1 && padded[i] != g.shape[i] {
            throw TensorError.shapeMismatch(op: "sumToShape", expected: shape, got: g.shape, hint: "shape is not a broadcast source of the gradient")
        }
        let gf = g.toF32()
        defer { gf.keepAlive() }
        let out = Tensor(shape: shape, dtype: .f32, zeroed: true)
        let ts = Tensor.contiguousStrides(padded)
        let st = (0..<r).map { padded[$0] == 1 ? 0 : ts[$0] }
        let src = gf.f32, dst = out.f32
        var idx = [Int](repeating: 0, count: r)
        for i in 0..<g.count {
            var o = 0
            for d in 0..<r { o += idx[d] * st[d] }
            dst[o] += src[i]
            var d = r - 1
            while d >= 0 { idx[d] += 1; if idx[d] < g.shape[d] { break }; idx[d] = 0; d -= 1 }
        }
        return out
    }
}

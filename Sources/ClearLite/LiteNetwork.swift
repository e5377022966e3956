// Forward passes of the lite network on a `Tape` (design §4; CLEAR §3.3): the same code serves
// training (parameters watched) and inference (parameters as constants, nothing recorded for
// backward). Occlusion head → logits at ½ resolution; restoration U-Net → clean centre frame.
import ClearTensor
import Foundation

public struct LiteNetwork {
    public let weights: LiteWeights
    /// true: gradients flow into the parameters (except those of `frozen` layers).
    public let trainable: Bool
    /// Layers whose parameters are constants even when `trainable` (the restoration-only stage
    /// keeps the occlusion head fixed).
    public let frozen: Set<String>
    /// Copies of the weights made once for inference: bf16 copies, input-channel slices (LiteInference.swift).
    let inferenceWeights = InferenceWeightCache()

    public init(weights: LiteWeights, trainable: Bool, frozen: Set<String> = []) {
        self.weights = weights
        self.trainable = trainable
        self.frozen = frozen
    }

    func param(_ tape: Tape, _ p: Parameter, layer: String) -> Variable {
        trainable && !frozen.contains(layer) ? tape.watch(p) : tape.constant(p.value)
    }

    /// Convolution of layer `name` (+ ReLU unless `relu` is false).
    public func conv(_ tape: Tape, _ x: Variable, _ name: String, relu: Bool = true) throws -> Variable {
        let l = LiteArchitecture.layer(name)
        let y = try tape.conv2d(x, weight: param(tape, weights.weight(name), layer: name),
                                bias: param(tape, weights.bias(name), layer: name),
                                stride: l.stride, padding: l.padding)
        return relu ? try tape.activation(y, .relu) : y
    }

    /// Occlusion logits [N, 1, h, w] from the 6-channel half-resolution input [N, 6, h, w] (h, w % 4 == 0).
    public func occlusionLogits(_ tape: Tape, _ x: Variable) throws -> Variable {
        let c1 = try conv(tape, x, "occ.c1")
        let c3 = try conv(tape, try conv(tape, c1, "occ.c2"), "occ.c3")
        let c5 = try conv(tape, try conv(tape, c3, "occ.c4"), "occ.c5")
        let u5 = try tape.resize(c5, height: c3.shape[2], width: c3.shape[3], mode: .bilinear)
        let c6 = try conv(tape, try tape.concat([u5, c3], axis: 1), "occ.c6")
        let u6 = try tape.resize(c6, height: c1.shape[2], width: c1.shape[3], mode: .bilinear)
        let c7 = try conv(tape, try tape.concat([u6, c1], axis: 1), "occ.c7")
        return try conv(tape, c7, "occ.c8", relu: false)
    }

    /// Restored centre frame [N, 3, H, W] from window frames [N, 15, H, W], α [N, 1, H, W] and the
    /// push-pull fill of the centre frame's detected region [N, 3, H, W] (`HoleFill`; H, W % 4 == 0).
    /// Predicts a residual on the fill.
    public func restore(_ tape: Tape, window: Variable, alpha: Variable, fill: Variable) throws -> Variable {
        try tape.add(fill, try uNet(tape, try tape.concat([window, alpha, fill], axis: 1), prefix: "res"))
    }

    /// The hole network's logits [N, 1, H, W] (`LiteArchitecture.hole`) from the restoration input:
    /// window frames [N, 15, H, W], α [N, 1, H, W] and the fill of the detected region [N, 3, H, W].
    public func holeLogits(_ tape: Tape, window: Variable, alpha: Variable, fill: Variable) throws -> Variable {
        try uNet(tape, try tape.concat([window, alpha, fill], axis: 1), prefix: "hole")
    }

    /// The restoration U-Net's layout under layer names `prefix`.* (`res` or `hole`): its last
    /// layer's output, without ReLU.
    func uNet(_ tape: Tape, _ x: Variable, prefix p: String) throws -> Variable {
        let e1 = try conv(tape, x, p + ".e1")
        let e3 = try conv(tape, try conv(tape, e1, p + ".e2"), p + ".e3")
        let e6 = try conv(tape, try conv(tape, try conv(tape, e3, p + ".e4"), p + ".e5"), p + ".e6")
        let u2 = try tape.resize(e6, height: e3.shape[2], width: e3.shape[3], mode: .bilinear)
        let d2 = try conv(tape, try tape.concat([u2, e3], axis: 1), p + ".d2")
        let u1 = try tape.resize(d2, height: e1.shape[2], width: e1.shape[3], mode: .bilinear)
        let d1 = try conv(tape, try tape.concat([u1, e1], axis: 1), p + ".d1")
        return try conv(tape, d1, p + ".out", relu: false)
    }

    /// Stage I prior (CLEAR §3.2): occlusion features, occlusion logits, content features, content
    /// prediction, all at the half resolution of `x` [N, 6, h, w].
    public func prior(_ tape: Tape, _ x: Variable) throws -> (occFeatures: Variable, occLogits: Variable,
                                                                conFeatures: Variable, content: Variable) {
        let fo = try conv(tape, try conv(tape, x, "prior.occ.c1"), "prior.occ.c2")
        let fc = try conv(tape, try conv(tape, x, "prior.con.c1"), "prior.con.c2")
        return (fo, try conv(tape, fo, "prior.occ.head", relu: false), fc, try conv(tape, fc, "prior.con.head", relu: false))
    }
}

/// Copies of a network's weights made for inference, one per layer and kind, kept so that oneDNN's
/// packed-weight cache (keyed on the tensor's storage) is reused across calls: bf16 copies, and
/// slices along the input channels (a convolution over concatenated inputs run as one per input).
/// For inference networks, whose weights do not change.
final class InferenceWeightCache: @unchecked Sendable {  // `tensors` is only touched under `lock`
    private let lock = NSLock()
    private var tensors: [String: Tensor] = [:]

    /// Layer `name`'s weight in bf16.
    func weight(_ name: String, from weights: LiteWeights) -> Tensor {
        copy(name) { weights.weight(name).value.toBF16() }
    }

    /// Layer `name`'s weight [O, C, k, k] restricted to the input channels `channels` (f32).
    func weight(_ name: String, inputChannels channels: Range<Int>, from weights: LiteWeights) throws -> Tensor {
        try copy("\(name)[\(channels)]") {
            try Ops.slice(weights.weight(name).value, axis: 1, start: channels.lowerBound, end: channels.upperBound)
        }
    }

    private func copy(_ key: String, _ make: () throws -> Tensor) rethrows -> Tensor {
        lock.lock(); defer { lock.unlock() }
        if let t = tensors[key] { return t }
        let t = try make()
        tensors[key] = t
        return t
    }
}

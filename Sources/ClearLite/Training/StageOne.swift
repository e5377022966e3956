// Stage I, the self-supervised prior (CLEAR §3.2, design §5): an occlusion encoder and a content
// encoder on (subtitled, clean) pairs. The occlusion branch learns pseudo-labels from pixel
// differences |subtitled − clean| under a focal loss; the content branch predicts the clean frame;
// an orthogonality loss keeps the two feature maps decorrelated (per-pixel dot product → 0).
import ClearTensor

public struct StageLosses: CustomStringConvertible {
    public var total: Float
    public var parts: [(String, Float)]
    public var description: String {
        String(format: "loss %.4f", total) + parts.map { " \($0.0) " + String(format: "%.4f", $0.1) }.joined()
    }
}

public final class StageOne {
    public let weights: LiteWeights
    public let optimizer: Adam
    public var orthogonalityWeight: Float = 0.1

    public init(seed: UInt64, learningRate: Float = 2e-3) throws {
        weights = try LiteWeights(layers: LiteArchitecture.prior, seed: seed)
        optimizer = Adam(weights.ordered, learningRate: learningRate)
    }

    /// Pseudo-label: clamp(5 · max_c |subtitled − clean|, 0, 1) at half resolution.
    static func pseudoLabel(subtitledHalf: Tensor, cleanHalf: Tensor) -> Tensor {
        let (n, h, w) = (cleanHalf.shape[0], cleanHalf.shape[2], cleanHalf.shape[3]), plane = h * w
        let out = Tensor(shape: [n, 1, h, w], dtype: .f32, zeroed: false)
        let a = subtitledHalf.f32, b = cleanHalf.f32, o = out.f32
        for i in 0..<n { for p in 0..<plane {
            var m: Float = 0
            for c in 0..<3 { m = max(m, abs(a[(i * 3 + c) * plane + p] - b[(i * 3 + c) * plane + p])) }
            o[i * plane + p] = min(1, 5 * m)
        } }
        return out
    }

    /// One optimisation step on `batch`; returns the losses.
    @discardableResult
    public func step(_ batch: TrainingBatch) throws -> StageLosses {
        let halfWindow = try Ops.pool2d(batch.window, kernel: 2, mode: .average).out
        let cleanHalf = try Ops.pool2d(batch.cleanCentre, kernel: 2, mode: .average).out
        let c = LiteArchitecture.radius * 3
        let subHalf = try Ops.slice(halfWindow, axis: 1, start: c, end: c + 3).copy()
        let label = StageOne.pseudoLabel(subtitledHalf: subHalf, cleanHalf: cleanHalf)
        let tape = Tape()
        let net = LiteNetwork(weights: weights, trainable: true)
        let p = try net.prior(tape, tape.constant(LiteFeatures.occlusionInput(halfWindow: halfWindow)))
        let focal = try tape.focalLoss(p.occLogits, tape.constant(label))
        let content = try tape.l1Loss(p.content, tape.constant(cleanHalf))
        let channels = p.occFeatures.shape[1]
        let ones = tape.constant(try Tensor(shape: [1, channels, 1, 1], values: [Float](repeating: 1 / Float(channels), count: channels)))
        let dot = try tape.conv2d(try tape.mul(p.occFeatures, p.conFeatures), weight: ones)
        let orth = tape.mean(try tape.mul(dot, dot))
        let total = try tape.add(try tape.add(tape.affine(focal, scale: 10), content), tape.affine(orth, scale: orthogonalityWeight))
        optimizer.zeroGrad()
        try tape.backward(total)
        optimizer.update()
        return StageLosses(total: total.value.floats()[0], parts: [
            ("focal", focal.value.floats()[0]), ("content", content.value.floats()[0]), ("orth", orth.value.floats()[0]),
        ])
    }

    /// The prior's occlusion probability [N, 1, h, w] for a half-resolution occlusion input (no gradient).
    public static func priorAlpha(_ weights: LiteWeights, occlusionInput: Tensor) throws -> Tensor {
        let tape = Tape()
        let p = try LiteNetwork(weights: weights, trainable: false).prior(tape, tape.constant(occlusionInput))
        return try Ops.activation(p.occLogits.value, .sigmoid)
    }
}

// Training the hole network (`LiteArchitecture.hole`; `clearsub train stage2 --resume W --hole`;
// MODEL_CARD.md "The hole network"). The occlusion head and the restoration network of the
// resumed weights stay fixed. Under the α the engine restores with (`AlphaMap` at the engine's
// pair, as restoration-only training uses), the network reads the restoration input (the 5-frame
// window, α and the engine's directional fill of α's support) and learns, for each pixel of that
// support, whether the subtitle changed it (opacity > 0: glyphs, outlines, shadows, boxes) or it
// is scenery between the strokes: binary cross-entropy with logits, averaged over the support.
// The engine then fills only what the network keeps (grown by one pixel), so the scenery between
// the strokes stays and gives the fill its ends.
import ClearTensor

public final class HoleStage {
    public let weights: LiteWeights
    public let optimizer: Adam

    /// `resume`: trained engine weights; a hole network in them is trained further, else a fresh one
    /// (seeded He-uniform, its last layer at 0: every logit starts at 0) is added.
    public init(seed: UInt64, learningRate: Float, resume: LiteWeights) {
        weights = resume.hasHoleNetwork ? resume
            : LiteWeights(extending: resume, with: LiteArchitecture.hole, seed: seed, zeroed: ["hole.out"])
        let w = weights
        optimizer = Adam(LiteArchitecture.hole.flatMap { [w.weight($0.name), w.bias($0.name)] }, learningRate: learningRate)
    }

    @discardableResult
    public func step(_ batch: TrainingBatch) throws -> StageLosses {
        let (n, h, w) = (batch.window.shape[0], batch.window.shape[2], batch.window.shape[3]), plane = h * w
        let net = LiteNetwork(weights: weights, trainable: true,
                              frozen: Set((LiteArchitecture.occlusion + LiteArchitecture.restoration).map(\.name)))
        // the engine's α from the fixed head
        let head = Tape()
        let half = try Ops.activation(try net.occlusionLogits(head, head.constant(try LiteFeatures.occlusionInput(window: batch.window))).value, .sigmoid)
        let alpha = try StageTwo.alpha(half, height: h, width: w, threshold: LiteEngine.defaultAlphaThreshold, full: LiteEngine.defaultAlphaFull)
        let a = alpha.floats()
        let hole = a.map { $0 > 0 ? UInt8(1) : 0 }
        let fill = try LiteFeatures.centreFill(window: batch.window, hole: hole, directional: LiteEngine.directionalSettings(scale: 1))
        let tape = Tape()
        let logits = try net.holeLogits(tape, window: tape.constant(batch.window), alpha: tape.constant(alpha), fill: tape.constant(fill))
        let target = StageTwo.indicator(batch.alpha)
        let support = try Tensor(shape: [n, 1, h, w], values: hole.map(Float.init))
        let count = hole.reduce(0) { $0 + Int($1) }
        let bce = try tape.bceWithLogitsElementwise(logits, tape.constant(target))
        let loss = tape.affine(tape.sum(try tape.mul(bce, tape.constant(support))), scale: 1 / Float(max(count, 1)))
        // on α's support: the share the network releases, the text it keeps, the scenery it releases
        let z = logits.value.floats(), t = target.floats()
        var released = 0, text = 0, textKept = 0, sceneryReleased = 0
        for i in 0..<(n * plane) where hole[i] != 0 {
            if z[i] <= 0 { released += 1; if t[i] == 0 { sceneryReleased += 1 } }
            if t[i] > 0 { text += 1; if z[i] > 0 { textKept += 1 } }
        }
        optimizer.zeroGrad()
        try tape.backward(loss)
        optimizer.update()
        func share(_ a: Int, _ b: Int) -> Float { b > 0 ? Float(a) / Float(b) : 0 }
        return StageLosses(total: loss.value.floats()[0],
                           parts: [("support", share(count, n * plane)), ("text_share", share(text, count)),
                                   ("released", share(released, count)), ("text_kept", share(textKept, text)),
                                   ("released_scenery", share(sceneryReleased, released))])
    }
}

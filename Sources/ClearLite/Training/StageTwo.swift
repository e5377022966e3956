// Stage II, adaptive weighting (CLEAR §3.3, design §5): occlusion head + restoration network
// trained jointly. Losses: generation L1 + (1 − SSIM) of the composite α·R + (1−α)·I against the
// clean frame; sparsity 0.1·mean(α); distillation of α towards the frozen Stage I prior with a
// weight decaying linearly to 0 over training. Our additions (see MODEL_CARD.md): α is also
// supervised (BCE) with where libass changed the pixel (opacity > 0), R starts from a push-pull
// fill of the detected region (`HoleFill`), R itself gets an L1 term (0.5) so the
// restoration learns where α is still small, and an L1 of the composite averaged over the text
// region only (the exact mask dilated by 2 px), so the few text pixels of a crop weigh as much as
// the whole background.
// Restoration-only mode (`clearsub train stage2 --restoration-only`): the occlusion head of the
// resumed weights stays fixed and the restoration network is trained again from a fresh start
// whose last layer is 0 (see `LiteWeights.reinitialise`), under the α the engine restores with
// (`AlphaMap` at the engine's pair: the fill's hole, the α input and the composite) and from the
// engine's fill (directional; push-pull before the twenty-sixth session); only the terms that
// reach it count. The log's `residual` (mean |R − fill|, 8-bit levels) and `text_fill`
// (the text-region term of the fill alone) show whether the network adds anything (MODEL_CARD.md).
import ClearTensor

public final class StageTwo {
    public let weights: LiteWeights
    public let prior: LiteWeights?
    public let optimizer: Adam
    public let totalSteps: Int
    public var sparsityWeight: Float = 0.1
    public var distillationWeight: Float = 0.5
    public var maskWeight: Float = 1
    public var restorationWeight: Float = 0.5
    public var textRegionWeight: Float = 1
    /// true: only the restoration network learns (the occlusion head is frozen).
    public let restorationOnly: Bool

    public init(seed: UInt64, prior: LiteWeights?, totalSteps: Int, learningRate: Float = 2e-3, resume: LiteWeights? = nil,
                restorationOnly: Bool = false) throws {
        weights = try resume ?? LiteWeights(layers: LiteArchitecture.engineLayers, seed: seed)
        self.restorationOnly = restorationOnly
        if restorationOnly {
            guard resume != nil else { throw LiteError.invalidSetting("restoration-only training needs the weights of a trained occlusion head (--resume)") }
            try weights.reinitialise(LiteArchitecture.restoration.map(\.name), zeroed: ["res.out"], seed: seed)
            (inferenceThreshold, inferenceFull) = (LiteEngine.defaultAlphaThreshold, LiteEngine.defaultAlphaFull)
        }
        self.prior = restorationOnly ? nil : prior
        self.totalSteps = max(totalSteps, 1)
        let w = weights
        let trained = restorationOnly ? LiteArchitecture.restoration.flatMap { [w.weight($0.name), w.bias($0.name)] } : w.ordered
        optimizer = Adam(trained, learningRate: learningRate)
    }

    /// Distillation weight at `step` (linear decay to 0 at the end of training).
    public func distillation(at step: Int) -> Float {
        distillationWeight * max(0, 1 - Float(step) / Float(totalSteps))
    }

    @discardableResult
    public func step(_ batch: TrainingBatch, index: Int) throws -> StageLosses {
        let (s1, s2) = (batch.window.shape[2], batch.window.shape[3])
        let occIn = try LiteFeatures.occlusionInput(window: batch.window)
        let alphaHalfTarget = try Ops.pool2d(StageTwo.indicator(batch.alpha), kernel: 2, mode: .average).out
        let tape = Tape()
        let net = LiteNetwork(weights: weights, trainable: true,
                              frozen: restorationOnly ? Set(LiteArchitecture.occlusion.map(\.name)) : [])
        let logits = try net.occlusionLogits(tape, tape.constant(occIn))
        let alphaHalf = try tape.activation(logits, .sigmoid)
        let window = tape.constant(batch.window)
        let alpha: Variable, hole: [UInt8]
        if restorationOnly {
            // the α inference gives the restoration (`AlphaMap` at the engine's pair): its support
            // is the fill's hole, its values the α input and the composite's blend
            let map = try inferenceAlpha(alphaHalf.value, height: s1, width: s2)
            alpha = tape.constant(map)
            hole = map.floats().map { $0 > 0 ? 1 : 0 }
        } else {
            alpha = try tape.resize(alphaHalf, height: s1, width: s2, mode: .bilinear)
            hole = try fillHoles(batch, predictedHalf: alphaHalf.value, index: index)
        }
        // restoration-only: the engine's own fill (directional, as at up to 720 rows)
        let fill = tape.constant(try LiteFeatures.centreFill(window: batch.window, hole: hole,
                                                             directional: restorationOnly ? LiteEngine.directionalSettings(scale: 1) : nil))
        let restored = try net.restore(tape, window: window, alpha: alpha, fill: fill)
        // mean |residual| in 8-bit levels: ~0 means the restoration network adds nothing to the fill
        let residual = try Ops.sub(restored.value, fill.value).floats().reduce(0) { $0 + abs($1) } * 255 / Float(max(fill.value.count, 1))
        let c = LiteArchitecture.radius * 3
        let centre = try tape.slice(window, axis: 1, start: c, end: c + 3)
        let out = try tape.add(centre, try tape.mul(alpha, try tape.sub(restored, centre)))
        let clean = tape.constant(batch.cleanCentre)
        let l1 = try tape.l1Loss(out, clean)
        let ssim = try tape.ssim(out, clean)
        let gen = try tape.add(l1, tape.affine(ssim, scale: -1, shift: 1))
        let sparsity = tape.mean(alphaHalf)
        let maskLoss = try tape.bceWithLogits(logits, tape.constant(alphaHalfTarget))
        let restL1 = try tape.l1Loss(restored, clean)
        let (region, share) = StageTwo.textRegion(batch.alpha, radius: 2)
        let regionVar = tape.constant(region)
        let textL1 = try tape.l1Loss(try tape.mul(out, regionVar), try tape.mul(clean, regionVar))
        var total = gen
        if !restorationOnly { total = try tape.add(total, tape.affine(sparsity, scale: sparsityWeight)) }
        if share > 0 { total = try tape.add(total, tape.affine(textL1, scale: textRegionWeight / max(share, 0.01))) }
        if !restorationOnly { total = try tape.add(total, tape.affine(maskLoss, scale: maskWeight)) }
        total = try tape.add(total, tape.affine(restL1, scale: restorationWeight))
        var parts: [(String, Float)] = [("l1", l1.value.floats()[0]), ("ssim", ssim.value.floats()[0]),
                                        ("sparsity", sparsity.value.floats()[0]), ("mask", maskLoss.value.floats()[0])]
        let wd = distillation(at: index)
        if let prior, wd > 0 {
            let target = try StageOne.priorAlpha(prior, occlusionInput: occIn)
            let distill = try tape.l1Loss(alphaHalf, tape.constant(target))
            total = try tape.add(total, tape.affine(distill, scale: wd))
            parts.append(("distill", distill.value.floats()[0]))
        }
        parts.append(("text", share > 0 ? textL1.value.floats()[0] / max(share, 0.01) : 0))
        parts.append(("residual", residual))
        if share > 0 {
            // the same text-region term for the fill alone (R = fill): below it, the network helps
            let alone = try Ops.add(centre.value, try Ops.mul(alpha.value, try Ops.sub(fill.value, centre.value)))
            let fillText = try Ops.mul(try Ops.sub(alone, clean.value), region).floats().reduce(0) { $0 + abs($1) }
            parts.append(("text_fill", fillText / Float(max(alone.count, 1)) / max(share, 0.01)))
        }
        optimizer.zeroGrad()
        try tape.backward(total)
        optimizer.update()
        return StageLosses(total: total.value.floats()[0], parts: parts)
    }

    /// α threshold and full value of the `AlphaMap` that makes the predicted fill regions in
    /// training (the shipped weights were trained with 0.5 / 0.8; inference chooses its own pair,
    /// see MODEL_CARD.md; restoration-only training uses the engine's pair).
    public var inferenceThreshold: Float = 0.5
    public var inferenceFull: Float = 0.8

    /// α of each sample as `AlphaMap` makes it from the head's half-resolution probabilities
    /// [N, 1, h, w] at `inferenceThreshold` / `inferenceFull`: [N, 1, height, width].
    func inferenceAlpha(_ half: Tensor, height: Int, width: Int) throws -> Tensor {
        try StageTwo.alpha(half, height: height, width: width, threshold: inferenceThreshold, full: inferenceFull)
    }

    /// α of each sample as `AlphaMap` makes it from the head's half-resolution probabilities
    /// [N, 1, h, w] at `threshold` / `full`: [N, 1, height, width].
    static func alpha(_ half: Tensor, height: Int, width: Int, threshold: Float, full: Float) throws -> Tensor {
        let n = half.shape[0], plane = height * width
        let out = Tensor(shape: [n, 1, height, width], dtype: .f32, zeroed: false)
        for b in 0..<n {
            let map = try alphaMap(half, sample: b, width: width, height: height, threshold: threshold, full: full)
            for i in 0..<plane { out.f32[b * plane + i] = map.values[i] }
        }
        return out
    }

    /// Sample `b` of the head's half-resolution probabilities as `AlphaMap` makes it at
    /// `threshold` / `full`.
    static func alphaMap(_ half: Tensor, sample b: Int, width: Int, height: Int, threshold: Float, full: Float) throws -> AlphaMap {
        let p = try Ops.slice(half, axis: 0, start: b, end: b + 1).copy()
        return try AlphaMap(halfProbabilities: p, width: width, height: height, threshold: threshold, full: full)
    }

    /// Hole masks for the push-pull fill, sample by sample: on alternate samples the exact region
    /// (opacity > 0, grown by 1 px), otherwise the region inference would derive from the head's
    /// current α (`AlphaMap`), so the restoration learns from both clean and imperfect regions.
    func fillHoles(_ batch: TrainingBatch, predictedHalf: Tensor, index: Int) throws -> [UInt8] {
        let (n, h, w) = (batch.alpha.shape[0], batch.alpha.shape[2], batch.alpha.shape[3]), plane = h * w
        var hole = [UInt8](repeating: 0, count: n * plane)
        let (region, _) = StageTwo.textRegion(batch.alpha, radius: 1)
        let exact = region.f32
        for b in 0..<n {
            if (index + b) % 2 == 0 {
                for i in 0..<plane where exact[b * plane + i] > 0 { hole[b * plane + i] = 1 }
            } else {
                let map = try StageTwo.alphaMap(predictedHalf, sample: b, width: w, height: h, threshold: inferenceThreshold, full: inferenceFull)
                for i in 0..<plane where map.values[i] > 0 { hole[b * plane + i] = 1 }
            }
        }
        region.keepAlive()
        return hole
    }

    /// 1 where the subtitle changed the pixel (opacity > 0), else 0: the occlusion head's target
    /// (a semi-transparent box must be replaced entirely, not half-blended).
    static func indicator(_ alpha: Tensor) -> Tensor {
        let out = Tensor(shape: alpha.shape, dtype: .f32, zeroed: false)
        let a = alpha.f32, o = out.f32
        for i in 0..<alpha.count { o[i] = a[i] > 0 ? 1 : 0 }
        alpha.keepAlive()
        return out
    }

    /// 1 where any α > 0 lies within `radius` pixels (square), else 0, for a batch [N, 1, H, W];
    /// and the share of such pixels.
    static func textRegion(_ alpha: Tensor, radius: Int) -> (Tensor, Float) {
        let (n, h, w) = (alpha.shape[0], alpha.shape[2], alpha.shape[3])
        let out = Tensor(shape: alpha.shape, dtype: .f32, zeroed: true)
        let a = alpha.f32, o = out.f32
        var count = 0
        for b in 0..<n {
            let src = a + b * h * w, dst = o + b * h * w
            for y in 0..<h { for x in 0..<w where src[y * w + x] > 0 {
                for yy in max(0, y - radius)...min(h - 1, y + radius) {
                    for xx in max(0, x - radius)...min(w - 1, x + radius) { dst[yy * w + xx] = 1 }
                }
            } }
        }
        for i in 0..<out.count where o[i] > 0 { count += 1 }
        alpha.keepAlive()
        return (out, Float(count) / Float(max(out.count, 1)))
    }
}

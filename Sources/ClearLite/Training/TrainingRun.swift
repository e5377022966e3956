// The training loop of both stages (design §5): seeded data, a fixed number of steps, cosine
// learning-rate decay, progress lines, and periodic checkpoints (so an interrupted run still
// leaves usable weights at `out`).
import ClearSubtitles
import ClearTensor
import Foundation

public struct TrainingOptions: Sendable {
    public var steps = 1000
    public var seed: UInt64 = 1
    public var batch = 6
    public var crop = 128
    public var learningRate: Float = 2e-3
    public var checkpointEvery = 50
    public var dataDirectory = "training-data"
    public var out = "lite.safetensors"
    public var prior: String?
    public var resume: String?
    /// Stage II with the resumed occlusion head fixed and the restoration network trained again
    /// from a fresh start (`StageTwo.restorationOnly`).
    public var restorationOnly = false
    /// Stage II training only the hole network, the resumed head and restoration fixed (`HoleStage`).
    public var holeOnly = false
    /// x264 CRFs of the subtitled windows' round trip (`CodecRoundTrip`), cycled over the steps;
    /// empty: none (the v3–v8 recipes).
    public var codecCRFs: [Int] = []
    /// Synthetic printed pages among the sources (`DocumentSources`).
    public var documentPages = 0
    /// Style presets of the subtitle scripts, cycled over the scripts (`PairSampler`).
    public var styles: [StylePreset] = PairSampler.defaultPresets
    /// Canvas sizes of the subtitles, cycled over the scripts, and how many scripts (`PairSampler`).
    public var canvases: [CanvasSize] = PairSampler.defaultCanvases
    public var scripts = PairSampler.defaultScripts
    /// Windows across a cue's start or end, and windows cut at a clip's edge (`PairSampler`).
    public var boundaryShare = 0.0
    public var edgeShare = 0.0
    /// Windows with things moving on their own over the scene (`PairSampler.movingObjectShare`).
    public var movingObjectShare = 0.0
    public init() {}
}

public enum TrainingRun {
    static func cosine(_ base: Float, step: Int, total: Int) -> Float {
        base * (0.05 + 0.95 * 0.5 * (1 + Float(cos(Double.pi * Double(step) / Double(max(total, 1))))))
    }

    static func metadata(_ o: TrainingOptions, stage: String, step: Int) -> [String: String] {
        var m = ["stage": stage, "seed": String(o.seed), "steps_done": String(step), "steps": String(o.steps),
                 "batch": String(o.batch), "crop": String(o.crop), "document_pages": String(o.documentPages),
                 "format": "clearsub-lite-1"]
        // only when they differ from the v5 recipe, so its files stay byte-identical
        if o.styles != PairSampler.defaultPresets { m["styles"] = o.styles.map(\.rawValue).joined(separator: ",") }
        if o.canvases != PairSampler.defaultCanvases { m["canvases"] = o.canvases.map(\.description).joined(separator: ",") }
        if o.scripts != PairSampler.defaultScripts { m["scripts"] = String(o.scripts) }
        if o.boundaryShare > 0 { m["boundary_share"] = String(o.boundaryShare) }
        if o.edgeShare > 0 { m["edge_share"] = String(o.edgeShare) }
        if o.movingObjectShare > 0 { m["moving_objects"] = String(o.movingObjectShare) }
        if let r = o.resume { m["resumed_from"] = (r as NSString).lastPathComponent }
        if o.restorationOnly { m["restoration_only"] = "1" }
        if o.holeOnly { m["hole_only"] = "1" }
        if !o.codecCRFs.isEmpty { m["codec_crf"] = o.codecCRFs.map(String.init).joined(separator: ",") }
        return m
    }

    /// The seeded pair sampler of a stage, with the options' data shares.
    static func pairSampler(_ o: TrainingOptions, seed: UInt64) throws -> PairSampler {
        let sampler = try PairSampler(sources: CleanSource.loadAll(o.dataDirectory), crop: o.crop, seed: seed,
                                      scripts: o.scripts, documentPages: o.documentPages, presets: o.styles,
                                      canvases: o.canvases)
        sampler.boundaryShare = o.boundaryShare; sampler.edgeShare = o.edgeShare; sampler.movingObjectShare = o.movingObjectShare
        return sampler
    }

    public static func stageOne(_ o: TrainingOptions, log: (String) -> Void) throws {
        let sampler = try pairSampler(o, seed: o.seed)
        let stage = try StageOne(seed: o.seed, learningRate: o.learningRate)
        log("stage1: \(stage.weights.parameterCount) parameters, \(o.steps) steps, batch \(o.batch), crop \(o.crop)")
        let start = Date()
        for i in 0..<o.steps {
            stage.optimizer.learningRate = cosine(o.learningRate, step: i, total: o.steps)
            let l = try stage.step(try sampler.batch(o.batch))
            if i % 10 == 0 || i == o.steps - 1 { log(String(format: "stage1 step %d/%d %.1fs ", i + 1, o.steps, Date().timeIntervalSince(start)) + l.description) }
            if (i + 1) % o.checkpointEvery == 0 || i == o.steps - 1 {
                try stage.weights.save(to: o.out, metadata: metadata(o, stage: "1", step: i + 1))
            }
        }
    }

    public static func stageTwo(_ o: TrainingOptions, log: (String) -> Void) throws {
        let sampler = try pairSampler(o, seed: o.seed &+ 17)
        let prior = try o.prior.map { try LiteWeights(layers: LiteArchitecture.prior, path: $0) }
        let resume = try o.resume.map { o.holeOnly ? try LiteWeights.engine(path: $0) : try LiteWeights(layers: LiteArchitecture.engineLayers, path: $0) }
        if o.holeOnly {
            guard let resume else { throw LiteError.invalidSetting("hole training needs the weights of a trained engine (--resume)") }
            try holeStage(o, resume: resume, sampler: sampler, log: log)
            return
        }
        let stage = try StageTwo(seed: o.seed, prior: prior, totalSteps: o.steps, learningRate: o.learningRate, resume: resume,
                                 restorationOnly: o.restorationOnly)
        log("stage2: \(stage.weights.parameterCount) parameters, \(o.steps) steps, batch \(o.batch), crop \(o.crop), prior \(o.prior ?? "none")"
            + (o.restorationOnly ? ", restoration only (occlusion head of \(o.resume ?? "?") fixed)" : ""))
        try stageTwoLoop(o, sampler: sampler, label: "stage2", optimizer: stage.optimizer, weights: stage.weights, log: log) {
            try stage.step($0, index: $1)
        }
    }

    /// The hole network's training (`HoleStage`), batches as in Stage II.
    static func holeStage(_ o: TrainingOptions, resume: LiteWeights, sampler: PairSampler, log: (String) -> Void) throws {
        let stage = HoleStage(seed: o.seed, learningRate: o.learningRate, resume: resume)
        log("stage2 hole: \(LiteArchitecture.hole.reduce(0) { $0 + $1.parameterCount }) parameters trained, \(o.steps) steps, batch \(o.batch), crop \(o.crop), engine of \(o.resume ?? "?") fixed")
        try stageTwoLoop(o, sampler: sampler, label: "hole", optimizer: stage.optimizer, weights: stage.weights, log: log) { batch, _ in
            try stage.step(batch)
        }
    }

    /// Stage II's loop: the cosine learning rate, `step` on each batch (and the step's index), a
    /// progress line every 10 steps (`label step i/n`), checkpoints of `weights` to `o.out`.
    static func stageTwoLoop(_ o: TrainingOptions, sampler: PairSampler, label: String, optimizer: Adam, weights: LiteWeights,
                             log: (String) -> Void, step: (TrainingBatch, Int) throws -> StageLosses) throws {
        // batches in step order; with the codec round trip (FFmpeg child processes, mostly waiting)
        // the next batch is made while this step trains
        let makeBatch = { (i: Int) throws -> TrainingBatch in
            let batch = try sampler.batch(o.batch)
            if !o.codecCRFs.isEmpty { try CodecRoundTrip.apply(to: batch.window, crf: o.codecCRFs[i % o.codecCRFs.count]) }
            return batch
        }
        let ahead = o.codecCRFs.isEmpty ? nil : BatchPrefetch(makeBatch)
        let start = Date()
        for i in 0..<o.steps {
            optimizer.learningRate = cosine(o.learningRate, step: i, total: o.steps)
            let batch = try ahead?.take(i, prefetchNext: i + 1 < o.steps) ?? makeBatch(i)
            let l = try step(batch, i)
            if i % 10 == 0 || i == o.steps - 1 { log("\(label) " + String(format: "step %d/%d %.1fs ", i + 1, o.steps, Date().timeIntervalSince(start)) + l.description) }
            if (i + 1) % o.checkpointEvery == 0 || i == o.steps - 1 {
                try weights.save(to: o.out, metadata: metadata(o, stage: "2", step: i + 1))
            }
        }
    }
}

/// Makes training batch i+1 on another thread while step i trains (one batch ahead, in step order,
/// so a seeded run draws the same batches as without it).
final class BatchPrefetch: @unchecked Sendable {  // `pending` is only touched by take, on one thread at a time
    private let make: (Int) throws -> TrainingBatch
    private var pending: (index: Int, group: DispatchGroup, result: Box)?
    private final class Box: @unchecked Sendable { var value: Result<TrainingBatch, Error>? }

    init(_ make: @escaping (Int) throws -> TrainingBatch) { self.make = make }

    /// Batch `i` (made now unless it was made ahead), starting batch i+1 if `prefetchNext`.
    func take(_ i: Int, prefetchNext: Bool) throws -> TrainingBatch {
        let batch: TrainingBatch
        if let p = pending, p.index == i {
            p.group.wait()
            batch = try p.result.value!.get()
        } else {
            batch = try make(i)
        }
        pending = nil
        if prefetchNext {
            let group = DispatchGroup(), box = Box()
            group.enter()
            Thread.detachNewThread { [self] in
                box.value = Result { try self.make(i + 1) }
                group.leave()
            }
            pending = (i + 1, group, box)
        }
        return batch
    }
}

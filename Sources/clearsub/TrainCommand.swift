// `clearsub train stage1|stage2`: the lite engine's two-stage training (design §5; CLEAR §3.2–§3.3).
import ArgumentParser
import ClearLite
import ClearSubtitles
import Foundation

struct TrainOptionGroup: ParsableArguments {
    @Option(help: "Optimisation steps.") var steps = 1000
    @Option(help: "Random seed (data, initialisation).") var seed: UInt64 = 1
    @Option(help: "Samples per step.") var batch = 6
    @Option(help: "Crop size in pixels (multiple of 8).") var crop = 128
    @Option(name: .customLong("lr"), help: "Peak learning rate (cosine decay).") var learningRate: Float = 2e-3
    @Option(help: "Save a checkpoint every N steps.") var checkpointEvery = 50
    @Option(help: "Directory made by tools/fetch_training_data.sh.") var data = "training-data"
    @Option(help: "Output .safetensors.") var out: String
    @Option(help: "Synthetic printed pages added as hard negatives (0: none, as for the v3 weights).") var documentPages = 0
    @Option(help: "Comma-separated style presets of the training subtitles, cycled over the scripts (default: random,random,classic,yellow,boxed).")
    var styles: String?
    @Option(help: "Comma-separated canvas sizes WxH the training subtitles are drawn on, cycled over the scripts (default: 640x360,960x540,1280x720).")
    var canvases: String?
    @Option(help: "Subtitle scripts of 60 s each; script i gets canvas i mod (canvases) and style i mod (styles).")
    var scripts = PairSampler.defaultScripts
    @Option(help: "Share of training windows drawn across a cue's start or end (0: none, as for the v3-v7 weights).")
    var boundaryShare = 0.0
    @Option(help: "Share of training windows cut as at a clip's first or last frames, which the engine repeats (0: none).")
    var edgeShare = 0.0
    @Option(help: "Share of training windows with things moving on their own over the scene (people, fluttering tapes; hard negatives; 0: none, as for the v3-v7 weights).")
    var movingObjects = 0.0

    func options() throws -> TrainingOptions {
        guard crop >= 32, crop % 8 == 0 else { throw ValidationError("--crop must be a multiple of 8, at least 32") }
        guard steps >= 1, batch >= 1 else { throw ValidationError("--steps and --batch must be positive") }
        var o = TrainingOptions()
        o.steps = steps; o.seed = seed; o.batch = batch; o.crop = crop; o.learningRate = learningRate
        o.checkpointEvery = max(1, checkpointEvery); o.dataDirectory = data; o.out = out
        guard documentPages >= 0 else { throw ValidationError("--document-pages must be 0 or more") }
        o.documentPages = documentPages
        guard (0...1).contains(boundaryShare), (0...1).contains(edgeShare), (0...1).contains(movingObjects) else {
            throw ValidationError("--boundary-share, --edge-share and --moving-objects must be between 0 and 1")
        }
        o.boundaryShare = boundaryShare; o.edgeShare = edgeShare; o.movingObjectShare = movingObjects
        if let styles {
            do { o.styles = try styles.split(separator: ",").map { try StylePreset(parsing: String($0)) } } catch {
                throw ValidationError("--styles: \(error)")
            }
            guard !o.styles.isEmpty else { throw ValidationError("--styles needs at least one preset") }
        }
        if let canvases {
            let sizes = canvases.split(separator: ",").map { CanvasSize(parsing: String($0)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--canvases: expected sizes like 640x360,1920x1080, got \(canvases)")
            }
            o.canvases = sizes.compactMap { $0 }
            guard o.canvases.allSatisfy({ $0.width >= crop && $0.height >= crop }) else {
                throw ValidationError("--canvases: every canvas must be at least the \(crop)-pixel crop on both sides")
            }
        }
        guard scripts >= 1 else { throw ValidationError("--scripts must be at least 1") }
        o.scripts = scripts
        return o
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train the lite engine (stage1: prior; stage2: the shipped network).",
        subcommands: [TrainStageOne.self, TrainStageTwo.self, TrainInspect.self])
}

struct TrainStageOne: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stage1", abstract: "Stage I: dual encoders, pseudo-labels, orthogonality.")
    @OptionGroup var common: TrainOptionGroup

    func run() throws {
        try TrainingRun.stageOne(try common.options()) { trainLog($0) }
    }
}

struct TrainStageTwo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stage2", abstract: "Stage II: occlusion head + restoration with distillation.")
    @OptionGroup var common: TrainOptionGroup
    @Option(help: "Stage I weights (distillation target).") var prior: String?
    @Option(help: "Continue from these stage II weights.") var resume: String?
    @Flag(help: "Keep the occlusion head of --resume fixed and train the restoration network again from a fresh start (its last layer at 0).")
    var restorationOnly = false
    @Flag(help: "Keep the occlusion head and the restoration network of --resume fixed and train the hole network (which pixels of the detected region the subtitle changed), adding a fresh one if --resume has none.")
    var hole = false
    @Option(help: "Pass the subtitled windows through x264 and back before training on them, as a real subtitled clip is encoded: CRFs, comma-separated, cycled over the steps (e.g. 12,18,24).")
    var codecCrf: String?

    func run() throws {
        var o = try common.options()
        guard !restorationOnly || resume != nil else { throw ValidationError("--restoration-only needs --resume WEIGHTS (the trained occlusion head)") }
        guard !hole || resume != nil else { throw ValidationError("--hole needs --resume WEIGHTS (a trained engine)") }
        guard !(hole && restorationOnly) else { throw ValidationError("--hole and --restoration-only train different networks: give one") }
        let crfs: [Int] = try codecCrf.map { text in
            try text.split(separator: ",").map { part -> Int in
                guard let v = Int(part.trimmingCharacters(in: .whitespaces)), (0...51).contains(v) else {
                    throw ValidationError("--codec-crf \(text): give CRFs 0...51, comma-separated")
                }
                return v
            }
        } ?? []
        o.prior = prior; o.resume = resume; o.restorationOnly = restorationOnly; o.holeOnly = hole; o.codecCRFs = crfs
        try TrainingRun.stageTwo(o) { trainLog($0) }
    }
}

/// Progress lines go to stdout unbuffered, so a log file follows a background run.
private func trainLog(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

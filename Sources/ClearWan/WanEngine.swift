// The wan removal engine (design §3): CLEAR's model (Wan2.1-Fun-V1.1-1.3B-Control + the CLEAR LoRA) behind
// the `RemovalEngine` protocol. Per chunk of frames: CLEAR's resolution rule and cover-resize + crop
// (WanGeometry, WanPillowResize), padding to 4k+1 frames by repeating the last one (CLEAR instead drops
// trailing frames), the generation (WanPipeline), then either the model output mapped back to the source
// size (`--raw-output`) or the model's changes composited onto the original frames (WanComposite).
// Options: design §1.1; `--use-sliding-window` runs DiffSynth's temporal window with size `--chunk-size` and
// stride `--chunk-size − --chunk-overlap` in latent frames, as CLEAR passes them (spec §8.1).
import ClearMedia
import ClearPipeline
import ClearTensor
import Foundation

public final class WanEngine: RemovalEngine {
    public let name = "wan"
    public let chunkSize: Int
    public let chunkOverlap: Int
    public let models: WanModels
    public let pipeline: WanPipeline
    public let rawOutput: Bool
    public let seed: UInt64
    /// Fraction of each chunk's frames the model sees (evenly spaced; the others reuse the nearest result).
    public let frameRatio: Double
    public let maxPixels: Int
    public var composite = WanComposite()
    /// Receives one line per chunk with the time of each stage (set from $CLEARSUB_WAN_LOG=1 by `init(options:)`).
    public var log: ((String) -> Void)?

    public static let descriptor = EngineDescriptor(
        name: "wan", summary: "CLEAR's Wan2.1-Fun 1.3B Control model with the CLEAR LoRA (needs the downloaded weights)",
        make: { try WanEngine(options: $0) })

    public convenience init(options o: EngineOptions) throws {
        guard let base = o.modelBasePath else { throw WanPipelineError.invalidOption("--model-base-path DIR is required") }
        guard let lora = o.loraCheckpoint else { throw WanPipelineError.invalidOption("--lora-checkpoint FILE is required") }
        var load = WanLoadOptions()
        load.dtype = o.dtype == .f32 ? .f32 : .bf16
        load.loraPath = lora
        load.loraScale = Float(o.loraScale)
        load.loraRank = o.loraRank
        load.loraTargetModules = o.loraTargetModules
        load.prompt = o.prompt ?? WanModels.clearPrompt
        load.needsNegative = o.cfgScale != 1
        let models = try WanModels(folder: WanModelFolder(path: base), options: load)
        var s = WanPipelineSettings()
        s.steps = o.numSteps
        s.cfgScale = Float(o.cfgScale)
        if o.useSlidingWindow { s.windowSize = o.chunkSize; s.windowStride = o.chunkSize - o.chunkOverlap }
        try self.init(models: models, settings: s, chunkSize: o.chunkSize, chunkOverlap: o.chunkOverlap,
                      seed: o.seed ?? UInt64.random(in: 0...UInt64(UInt32.max)), maxPixels: o.maxPixels,
                      rawOutput: o.rawOutput, frameRatio: o.frameRatio)
        if ProcessInfo.processInfo.environment["CLEARSUB_WAN_LOG"] == "1" {
            log = { FileHandle.standardError.write(Data(("wan: " + $0 + "\n").utf8)) }
            log?("models loaded: DiT \(models.dit.config), VAE \(models.vae.config), context \(models.contextWasCached ? "from cache" : "encoded")")
        }
    }

    public init(models: WanModels, settings: WanPipelineSettings, chunkSize: Int = 81, chunkOverlap: Int = 16, seed: UInt64 = 0,
                maxPixels: Int = WanGeometry.defaultMaxPixels, rawOutput: Bool = false, frameRatio: Double = 1) throws {
        guard chunkSize >= 1, chunkOverlap >= 0, chunkOverlap < chunkSize else {
            throw WanPipelineError.invalidOption("chunk size \(chunkSize) with overlap \(chunkOverlap): need 0 ≤ overlap < size")
        }
        guard frameRatio > 0, frameRatio <= 1 else { throw WanPipelineError.invalidOption("frame ratio \(frameRatio) must be in (0, 1]") }
        self.models = models
        pipeline = try WanPipeline(dit: models.dit, vae: models.vae, context: models.context,
                                   negativeContext: models.negativeContext, settings: settings)
        self.chunkSize = chunkSize; self.chunkOverlap = chunkOverlap; self.seed = seed
        self.maxPixels = maxPixels; self.rawOutput = rawOutput; self.frameRatio = frameRatio
    }

    /// The chunk indices the model sees: all, or `frameRatio` of them evenly spaced (first and last included).
    public static func sampledIndices(count n: Int, ratio: Double) -> [Int] {
        let k = max(1, min(n, Int((Double(n) * ratio).rounded(.up))))
        if k == n { return Array(0..<n) }
        if k == 1 { return [0] }
        return (0..<k).map { Int((Double($0) * Double(n - 1) / Double(k - 1)).rounded()) }
    }

    public func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame] {
        guard let first = chunk.first else { throw WanPipelineError.invalidChunk("empty chunk") }
        for f in chunk where f.width != first.width || f.height != first.height {
            throw WanPipelineError.invalidChunk("frames of one chunk differ in size (\(f.width)x\(f.height) vs \(first.width)x\(first.height))")
        }
        let g = try WanGeometry(sourceWidth: first.width, sourceHeight: first.height, maxPixels: maxPixels)
        let picked = Self.sampledIndices(count: chunk.count, ratio: frameRatio)
        var frames = picked.map { WanPillowResize.prepare(chunk[$0], geometry: g) }
        let tf = models.vae.config.temporalFactor
        while (frames.count - 1) % tf != 0 { frames.append(frames[frames.count - 1]) }   // pad to 4k+1
        let dt = models.dit.dtype
        var clock = Date()
        var times: [String] = []
        func lap(_ what: String) {
            times.append(String(format: "%@ %.1f s", what, Date().timeIntervalSince(clock)))
            log?("  \(times[times.count - 1])")   // as it happens: a long run shows its progress
            clock = Date()
        }
        let video = try WanVideoTensor.video(frames, dtype: dt)
        lap("prepare")
        let result = try pipeline.run(video: video, noise: pipeline.noise(video: video, seed: seed)) { i, _ in
            lap(i == 0 ? "encode+step 1" : "step \(i + 1)")
        }
        lap("decode")
        let generated = try WanVideoTensor.frames(result.video, dtype: dt)
        var alphas: [[Float]?] = Array(repeating: nil, count: picked.count)
        if !rawOutput {
            let reference = try WanVideoTensor.frames(pipeline.decode(result.controlLatents), dtype: dt)
            lap("reference decode")
            for j in 0..<picked.count { alphas[j] = composite.alpha(output: generated[j], reference: reference[j]) }
        }
        defer {
            lap("composite")
            log?("chunk of \(chunk.count) frames at \(g) (\(frames.count) to the model): " + times.joined(separator: ", "))
        }
        return chunk.indices.map { i in
            // the sampled frame nearest to i (ties to the earlier one)
            let j = picked.indices.min { abs(picked[$0] - i) < abs(picked[$1] - i) } ?? 0
            return WanComposite.compose(original: chunk[i], model: generated[j], alpha: rawOutput ? nil : alphas[j], geometry: g)
        }
    }
}

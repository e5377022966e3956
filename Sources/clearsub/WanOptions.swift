// The wan engine's options of `clearsub remove` (design §1.1 and CLEAR's inference.py), each
// accepted in kebab-case and in CLEAR's snake_case, with their validation.
import ArgumentParser
import Foundation
import ClearPipeline
import ClearTensor

struct WanOptions: ParsableArguments {
    @Option(name: [.customLong("model-base-path"), .customLong("model_base_path")], help: "Wan model directory.")
    var modelBasePath: String?

    @Option(name: [.customLong("lora-checkpoint"), .customLong("lora_checkpoint")], help: "CLEAR LoRA checkpoint file.")
    var loraCheckpoint: String?

    @Option(name: [.customLong("lora-rank"), .customLong("lora_rank")], help: "LoRA rank.")
    var loraRank = 64

    @Option(name: [.customLong("lora-scale"), .customLong("lora_scale")], help: "LoRA scale.")
    var loraScale = 1.0

    @Option(name: [.customLong("lora-target-modules"), .customLong("lora_target_modules")],
            help: "Comma-separated LoRA target modules.")
    var loraTargetModules = "q,k,v,o,ffn.0,ffn.2"

    @Option(name: [.customLong("num-steps"), .customLong("num_steps")], help: "Denoising steps.")
    var numSteps = 5

    @Option(name: [.customLong("cfg-scale"), .customLong("cfg_scale")], help: "Classifier-free guidance scale.")
    var cfgScale = 1.0

    @Option(help: "Text prompt.")
    var prompt: String?

    @Option(name: [.customLong("chunk-size"), .customLong("chunk_size")], help: "Frames per chunk.")
    var chunkSize = 81

    @Option(name: [.customLong("chunk-overlap"), .customLong("chunk_overlap")], help: "Frames shared by consecutive chunks.")
    var chunkOverlap = 16

    @Flag(name: [.customLong("use-sliding-window"), .customLong("use_sliding_window")], help: "Sliding-window inference.")
    var useSlidingWindow = false

    @Option(name: [.customLong("frame-ratio"), .customLong("frame_ratio")], help: "Fraction of frames to process, in (0, 1].")
    var frameRatio = 1.0

    @Option(help: "Random seed.")
    var seed: UInt64?

    @Option(name: [.customLong("max-pixels"), .customLong("max_pixels")], help: "Largest model resolution in pixels.")
    var maxPixels = 921_600

    @Flag(name: [.customLong("raw-output"), .customLong("raw_output")], help: "Return the model's own output.")
    var rawOutput = false

    @Option(help: "Compute type: bf16 or f32 (default: bf16 where the CPU runs it natively, AVX-512 BF16 or AMX; else f32).")
    var dtype = Ops.nativeBF16 ? "bf16" : "f32"

    func validate(engine: String) throws {
        guard numSteps >= 1 else { throw ValidationError("--num-steps must be at least 1 (got \(numSteps))") }
        guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1 (got \(chunkSize))") }
        guard chunkOverlap >= 0, chunkOverlap < chunkSize else {
            throw ValidationError("--chunk-overlap must be at least 0 and smaller than --chunk-size (got \(chunkOverlap) with chunk size \(chunkSize))")
        }
        guard loraRank > 0 else { throw ValidationError("--lora-rank must be positive (got \(loraRank))") }
        guard loraScale.isFinite else { throw ValidationError("--lora-scale must be a finite number") }
        guard cfgScale.isFinite, cfgScale > 0 else { throw ValidationError("--cfg-scale must be positive (got \(cfgScale))") }
        guard frameRatio > 0, frameRatio <= 1 else {
            throw ValidationError("--frame-ratio must be in (0, 1] (got \(frameRatio))")
        }
        guard maxPixels >= 256 * 256 else {
            throw ValidationError("--max-pixels must be at least 65536 (256x256) (got \(maxPixels))")
        }
        guard EngineDType(rawValue: dtype) != nil else {
            throw ValidationError("--dtype must be bf16 or f32 (got '\(dtype)')")
        }
        guard !modules.isEmpty else { throw ValidationError("--lora-target-modules must name at least one module") }
        guard engine == "wan" else { return }
        guard let base = modelBasePath else {
            throw ValidationError("--engine wan needs --model-base-path DIR (the Wan2.1-Fun 1.3B Control model directory)")
        }
        guard let lora = loraCheckpoint else {
            throw ValidationError("--engine wan needs --lora-checkpoint FILE (CLEAR's LoRA weights)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDir), isDir.boolValue else {
            throw ValidationError("--model-base-path \(base): no such directory")
        }
        guard FileManager.default.fileExists(atPath: lora, isDirectory: &isDir), !isDir.boolValue,
              FileManager.default.isReadableFile(atPath: lora) else {
            throw ValidationError("--lora-checkpoint \(lora): no such readable file")
        }
    }

    var modules: [String] {
        loraTargetModules.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var engineOptions: EngineOptions {
        var o = EngineOptions()
        o.modelBasePath = modelBasePath
        o.loraCheckpoint = loraCheckpoint
        o.loraRank = loraRank
        o.loraScale = loraScale
        o.loraTargetModules = modules
        o.numSteps = numSteps
        o.cfgScale = cfgScale
        o.prompt = prompt
        o.chunkSize = chunkSize
        o.chunkOverlap = chunkOverlap
        o.useSlidingWindow = useSlidingWindow
        o.frameRatio = frameRatio
        o.seed = seed
        o.maxPixels = maxPixels
        o.rawOutput = rawOutput
        o.dtype = EngineDType(rawValue: dtype) ?? (Ops.nativeBF16 ? .bf16 : .f32)
        return o
    }
}

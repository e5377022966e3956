// Loads everything the wan engine needs from a model folder, in the memory order of design §3:
// the prompt contexts first (from the on-disk cache, or tokenizer + UMT5, which is released before
// anything else is loaded), then the DiT with the CLEAR LoRA merged, then the VAE.
// Matches: CLEAR inference.py's model loading (spec §0.1) — the DiT safetensors, the UMT5 .pth, the VAE
// .pth and the google/umt5-xxl tokenizer; WanPrompter.encode_prompt for the contexts (§3); PEFT LoRA
// with lora_alpha = scale·rank on the target modules (§9), merged as W + scale·B·A.
import ClearTensor
import Foundation

/// How to load the models.
public struct WanLoadOptions: Sendable {
    public var dtype: DType = .bf16
    public var loraPath: String?
    public var loraScale: Float = 1
    /// The rank the checkpoint must have (`--lora-rank`); nil accepts any.
    public var loraRank: Int?
    public var loraTargetModules = ["q", "k", "v", "o", "ffn.0", "ffn.2"]
    public var prompt = WanModels.clearPrompt
    /// Also encode the (empty) negative prompt: needed when cfg ≠ 1.
    public var needsNegative = false
    /// Where contexts are cached (nil: never cached).
    public var cacheDirectory: String? = WanModels.defaultCacheDirectory
    public init() {}
}

public final class WanModels {
    /// The prompt of CLEAR's scripts/inference.sh (spec §3.5).
    public static let clearPrompt = "Remove the text overlays and subtitles from this video while preserving the original "
        + "background content and maintaining temporal consistency across frames."

    /// $CLEARSUB_CACHE_DIR, else $XDG_CACHE_HOME/clearsub, else ~/.cache/clearsub.
    public static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["CLEARSUB_CACHE_DIR"], !d.isEmpty { return d }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return (base as NSString).appendingPathComponent("clearsub")
    }

    public let folder: WanModelFolder
    public let dit: WanDiT
    public let vae: WanVAE
    /// [512, text_dim] contexts of the prompt and (when asked) of the empty negative prompt.
    public let context: Tensor
    public let negativeContext: Tensor?
    /// Whether the prompt context came from the cache (T5 was not loaded).
    public let contextWasCached: Bool

    public init(folder: WanModelFolder, options o: WanLoadOptions) throws {
        self.folder = folder
        if let lora = o.loraPath, !FileManager.default.isReadableFile(atPath: lora) {
            throw WanPipelineError.missingFiles(folder: folder.path, missing: [WanModelFile(what: "the CLEAR LoRA checkpoint", expected: lora)])
        }
        // 1. Contexts; the encoder lives only inside this block.
        let tokenizer = try SentencePieceTokenizer.open(folder: folder.tokenizer)
        var encoder: UMT5Encoder?
        func contextOf(_ prompt: String) throws -> (Tensor, Bool) {
            let (ids, mask) = tokenizer.wanTokens(prompt)
            let tokens = Array(ids.prefix(mask.reduce(0, +)))
            let open = { () throws -> UMT5Encoder in
                if let e = encoder { return e }
                let e = try UMT5Encoder(path: folder.t5, computeDType: o.dtype)
                encoder = e
                return e
            }
            guard let dir = o.cacheDirectory else { return (try open().context(tokens: tokens), false) }
            let r = try UMT5ContextCache(directory: dir).context(tokens: tokens, weightsPath: folder.t5, variant: o.dtype.rawValue, encoder: open)
            return (r.context, r.cached)
        }
        (context, contextWasCached) = try contextOf(o.prompt)
        negativeContext = o.needsNegative ? try contextOf("").0 : nil
        encoder = nil
        // 2. DiT (+ LoRA), 3. VAE.
        let lora = try o.loraPath.map {
            try WanLoRA(path: $0, scale: o.loraScale, targetModules: o.loraTargetModules, expectedRank: o.loraRank)
        }
        dit = try WanDiT(path: folder.dit, dtype: o.dtype, lora: lora)
        if let report = dit.loraReport, report.applied.isEmpty {
            throw WanDiTError.lora("\(report.source) matched no module of the DiT (targets \(o.loraTargetModules.joined(separator: ","))); "
                + "is it a CLEAR checkpoint for Wan2.1-Fun 1.3B?")
        }
        vae = try WanVAE(path: folder.vae, dtype: o.dtype)
    }
}

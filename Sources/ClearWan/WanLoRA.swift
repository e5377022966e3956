// The CLEAR LoRA (PEFT adapters on the DiT), merged into the base weights at load (spec §9).
// Matches: CLEAR's `inference.py` loading (PEFT `LoraConfig(r, lora_alpha = scale·r, target_modules)` +
// `inject_adapter_in_model` on `pipe.dit`, then `load_state_dict(strict=False)` of the checkpoint with the
// substrings `pipe.dit.`, `module.`, `_orig_mod.` removed) and, for the arithmetic, DiffSynth 1.1.9
// `GeneralLoRAFromPeft`/`pipe.load_lora` merging W' = W + scale·(B @ A). PEFT targets a module whose name equals a
// target or ends with "." + target; checkpoint pairs of other modules are ignored (strict=False) and reported,
// as are targeted modules without a pair (their LoRA stays off in the reference: lora_B keeps its zero init).
import ClearTensor
import ClearWeights

public struct WanLoRA: Sendable {
    public let source: String
    public let scale: Float
    public let targetModules: [String]
    /// The rank read from the tensor shapes.
    public let rank: Int
    /// Targeted adapters by module key (e.g. `blocks.0.self_attn.q`).
    public let adapters: [String: LoRAAdapter]
    /// Modules with a pair in the checkpoint that no target matches (ignored, as PEFT does).
    public let untargeted: [String]
    /// Checkpoint keys that are not LoRA pairs of adapter `default` (ignored).
    public let ignoredKeys: [String]

    /// Reads a CLEAR checkpoint (`.pt` zip with `model_state_dict` / `dit_state_dict` / a bare dict, or
    /// `.safetensors`). `expectedRank`, when given, must equal the rank of the file (PEFT would fail on it).
    public init(path: String, scale: Float = 1, targetModules: [String] = ["q", "k", "v", "o", "ffn.0", "ffn.2"],
                expectedRank: Int? = nil) throws {
        try self.init(store: WeightStore(path: path, keyMap: .clearLoRA), scale: scale, targetModules: targetModules, expectedRank: expectedRank)
    }

    public init(store: WeightStore, scale: Float = 1, targetModules: [String] = ["q", "k", "v", "o", "ffn.0", "ffn.2"],
                expectedRank: Int? = nil) throws {
        guard !targetModules.isEmpty else { throw WanDiTError.lora("no target modules given") }
        let all = try LoRAAdapters.find(in: store)
        guard !all.isEmpty else { throw WanDiTError.lora("\(store.source) holds no `…lora_A.default.weight` / `…lora_B.default.weight` pairs") }
        var adapters: [String: LoRAAdapter] = [:], untargeted: [String] = []
        for a in all {
            if Self.matches(module: a.module, targets: targetModules) { adapters[a.module] = a } else { untargeted.append(a.module) }
        }
        let ranks = Set(adapters.values.map(\.rank))
        guard ranks.count <= 1 else { throw WanDiTError.lora("\(store.source) mixes ranks \(ranks.sorted()); PEFT injects one rank") }
        let rank = ranks.first ?? all[0].rank
        if let expectedRank, expectedRank != rank {
            throw WanDiTError.lora("\(store.source) has rank \(rank), but rank \(expectedRank) was requested (--lora-rank); the reference fails on this shape mismatch")
        }
        self.source = store.source; self.scale = scale; self.targetModules = targetModules
        self.rank = rank; self.adapters = adapters; self.untargeted = untargeted.sorted()
        self.ignoredKeys = store.unusedKeys
    }

    /// PEFT's rule: the qualified name equals a target or ends with "." + target.
    public static func matches(module: String, targets: [String]) -> Bool {
        targets.contains { module == $0 || module.hasSuffix("." + $0) }
    }

    /// W + scale·(B @ A) for `base` [out, in] f32 (B @ A through the oneDNN matmul, in f32).
    public static func merge(base: Tensor, adapter: LoRAAdapter, scale: Float) throws -> Tensor {
        guard base.shape == [adapter.outFeatures, adapter.inFeatures] else {
            throw WanDiTError.lora("\(adapter.module): adapter is [\(adapter.outFeatures), \(adapter.inFeatures)] but the weight is \(base.shape)")
        }
        let a = try Tensor(shape: adapter.down.shape, values: adapter.down.toFloat32())
        let b = try Tensor(shape: adapter.up.shape, values: adapter.up.toFloat32())
        let delta = try Ops.matmul(b, a)
        let w = base.toF32().copy()
        let pw = w.f32, pd = UnsafePointer(delta.f32)
        parallelFor(w.count, minChunk: 1 << 16) { r in for i in r { pw[i] += scale * pd[i] } }
        delta.keepAlive()
        return w
    }
}

/// What the merge did, for the log (the reference reports unexpected and missing keys of `load_state_dict`).
public struct WanLoRAReport: Sendable, CustomStringConvertible {
    public let source: String
    public let rank: Int
    public let scale: Float
    /// Modules whose weight received W + scale·B·A.
    public let applied: [String]
    /// Targeted linears of the model without a pair in the checkpoint (LoRA off for them, as in the reference).
    public let missing: [String]
    /// Pairs for modules the model does not have, or that no target matches (ignored).
    public let unexpected: [String]
    /// Non-LoRA keys in the checkpoint (ignored).
    public let ignoredKeys: [String]

    public var description: String {
        var lines = ["LoRA \(source): rank \(rank), scale \(scale), merged into \(applied.count) linears"]
        func list(_ name: String, _ xs: [String]) {
            guard !xs.isEmpty else { return }
            lines.append("  \(xs.count) \(name): " + xs.prefix(8).joined(separator: ", ") + (xs.count > 8 ? ", …" : ""))
        }
        list("targeted modules without adapter (LoRA off there)", missing)
        list("adapters not applied (no such targeted module)", unexpected)
        list("ignored non-LoRA keys", ignoredKeys)
        return lines.joined(separator: "\n")
    }
}

/// Tracks which adapters the DiT loader consumed.
struct WanLoRAMergeTracker {
    let lora: WanLoRA
    var applied: [String] = []
    var missing: [String] = []

    init(lora: WanLoRA) { self.lora = lora }

    /// The merged weight for `module` if it is targeted and has an adapter; nil when untouched.
    mutating func merge(module: String, weight: Tensor) throws -> Tensor? {
        guard WanLoRA.matches(module: module, targets: lora.targetModules) else { return nil }
        guard let a = lora.adapters[module] else { missing.append(module); return nil }
        applied.append(module)
        return try WanLoRA.merge(base: weight, adapter: a, scale: lora.scale)
    }

    func report() -> WanLoRAReport {
        let used = Set(applied)
        let unexpected = lora.adapters.keys.filter { !used.contains($0) } + lora.untargeted
        return WanLoRAReport(source: lora.source, rank: lora.rank, scale: lora.scale, applied: applied, missing: missing,
                             unexpected: unexpected.sorted(), ignoredKeys: lora.ignoredKeys)
    }
}

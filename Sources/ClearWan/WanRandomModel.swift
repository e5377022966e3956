// Writes a Wan model folder with random weights under the real file names, key names, shapes and
// storage dtypes (spec §0.1, §3.2, §4.2, §5.2, §9.2), plus a CLEAR LoRA checkpoint, so the whole
// `--engine wan` path can be run and timed without the 20 GB download (`clearsub bench wan`).
// Values: seeded uniform, norm weights 1 ± 0.1, modulations ±1/√dim, linears ±0.02 (DiT, T5, LoRA),
// VAE convolutions ±1/√fan_in. The tokenizer is a small Unigram tokenizer.json over the words of CLEAR's prompt.
import ClearTensor
import ClearWeights
import Foundation

public struct WanRandomModel: Sendable {
    public var dit: WanDiTConfig
    public var t5: UMT5Config
    public var vaeDim: Int
    public var loraRank: Int

    /// The real sizes, with UMT5 cut to `t5Layers` layers (its embedding stays 256 384 × 4096).
    public static func real(t5Layers: Int = 2) -> WanRandomModel {
        var t5 = UMT5Config.xxl
        t5.layers = t5Layers
        return WanRandomModel(dit: .funControl1_3B, t5: t5, vaeDim: 96, loraRank: 64)
    }

    /// A tiny model of the same structure (for tests of the command path).
    public static let tiny = WanRandomModel(
        dit: try! WanDiTConfig(dim: 64, ffnDim: 128, numHeads: 2, numLayers: 2, inDim: 48, outDim: 16, textDim: 32, freqDim: 32,
                               hasImageInput: true, hasRefConv: true),
        t5: UMT5Config(vocab: 256, dim: 32, dimAttn: 32, dimFFN: 64, heads: 4, layers: 2, buckets: 32), vaeDim: 6, loraRank: 4)

    public init(dit: WanDiTConfig, t5: UMT5Config, vaeDim: Int, loraRank: Int) {
        self.dit = dit; self.t5 = t5; self.vaeDim = vaeDim; self.loraRank = loraRank
    }

    /// Writes the folder `dir` (DiT bf16 safetensors, T5 bf16 .pth, VAE f32 .pth, tokenizer) and the
    /// LoRA checkpoint `lora` (bf16 .pt). Returns the bytes written.
    @discardableResult
    public func write(folder dir: String, lora: String, seed: UInt64 = 1) throws -> Int {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/" + WanModelFolder.tokenizerFolder, withIntermediateDirectories: true)
        typealias Entry = SafetensorsStreamWriter.Entry
        var total = 0
        let d = Float(dit.dim)
        let ditEntries = dit.stateDictLayout.map { Entry(key: $0.key, dtype: .bf16, shape: $0.shape) }
        try SafetensorsStreamWriter.write(ditEntries, to: dir + "/diffusion_pytorch_model.safetensors") { e, buf in
            let isNorm = e.shape.count == 1 && e.key.hasSuffix(".weight") && (e.key.contains("norm") || e.key.hasPrefix("img_emb.proj.0")
                || e.key.hasPrefix("img_emb.proj.4"))
            let r: (Float, Float) = isNorm ? (0.9, 1.1) : e.key.hasSuffix("modulation") ? (-1 / d.squareRoot(), 1 / d.squareRoot()) : (-0.02, 0.02)
            Self.fill(buf, e, seed: seed, range: r)
        }
        total += ditEntries.reduce(0) { $0 + $1.byteCount }
        let t5Entries = t5.stateDictLayout.map { Entry(key: $0.key, dtype: .bf16, shape: $0.shape) }
        try TorchZipWriter.write(t5Entries, to: dir + "/" + WanModelFolder.t5FileName, name: "models_t5_umt5-xxl-enc-bf16") { e, buf in
            let r: (Float, Float) = e.key.contains("norm") ? (0.9, 1.1) : e.key.contains("embedding") ? (-1, 1) : (-0.02, 0.02)
            Self.fill(buf, e, seed: seed &+ 1, range: r)
        }
        total += t5Entries.reduce(0) { $0 + $1.byteCount }
        let vaeEntries = WanVAEConfig.stateDictLayout(dim: vaeDim).map { Entry(key: $0.key, dtype: .f32, shape: $0.shape) }
        try TorchZipWriter.write(vaeEntries, to: dir + "/" + WanModelFolder.vaeFileName, name: "Wan2.1_VAE") { e, buf in
            let fanIn = e.shape.count > 1 ? e.shape.dropFirst().reduce(1, *) : 1
            let a = 1 / Float(fanIn).squareRoot()
            Self.fill(buf, e, seed: seed &+ 2, range: e.key.hasSuffix("gamma") ? (0.9, 1.1) : e.key.hasSuffix("bias") ? (-0.02, 0.02) : (-a, a))
        }
        total += vaeEntries.reduce(0) { $0 + $1.byteCount }
        try Self.tokenizerJSON().write(toFile: dir + "/" + WanModelFolder.tokenizerFolder + "/tokenizer.json", atomically: true, encoding: .utf8)
        var loraEntries: [Entry] = []
        for i in 0..<dit.numLayers {
            var modules: [(String, Int, Int)] = []
            for a in ["self_attn", "cross_attn"] { for n in ["q", "k", "v", "o"] { modules.append(("\(a).\(n)", dit.dim, dit.dim)) } }
            modules += [("ffn.0", dit.dim, dit.ffnDim), ("ffn.2", dit.ffnDim, dit.dim)]
            for (m, inF, outF) in modules {
                loraEntries.append(Entry(key: "blocks.\(i).\(m).lora_A.default.weight", dtype: .bf16, shape: [loraRank, inF]))
                loraEntries.append(Entry(key: "blocks.\(i).\(m).lora_B.default.weight", dtype: .bf16, shape: [outF, loraRank]))
            }
        }
        try TorchZipWriter.write(loraEntries, to: lora, name: ((lora as NSString).lastPathComponent as NSString).deletingPathExtension) { e, buf in
            Self.fill(buf, e, seed: seed &+ 3, range: (-0.01, 0.01))
        }
        return total + loraEntries.reduce(0) { $0 + $1.byteCount }
    }

    /// Seeded uniform values in `range`, stored as the entry's dtype (f32 or bf16).
    static func fill(_ buf: UnsafeMutableRawBufferPointer, _ e: SafetensorsStreamWriter.Entry, seed: UInt64, range: (Float, Float)) {
        var s: UInt64 = seed &+ 0x9E37_79B9_7F4A_7C15
        for byte in e.key.utf8 { s = (s ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let n = e.shape.reduce(1, *)
        let (lo, span) = (range.0, range.1 - range.0)
        @inline(__always) func next() -> Float {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return lo + span * Float(z >> 40) * 0x1p-24
        }
        switch e.dtype {
        case .bf16:
            let p = buf.bindMemory(to: UInt16.self)
            for i in 0..<n { p[i] = BF16.fromFloat(next()) }
        default:
            let p = buf.bindMemory(to: Float.self)
            for i in 0..<n { p[i] = next() }
        }
    }

    /// A Unigram tokenizer.json (Metaspace "▁", eos </s> = 1, pad = 0, unk = 3) whose pieces are the
    /// words of CLEAR's prompt and single letters, enough to tokenise any ASCII prompt.
    static func tokenizerJSON() -> String {
        var vocab: [(String, Double)] = [("<pad>", 0), ("</s>", 0), ("<s>", 0), ("<unk>", 0)]
        var seen = Set(vocab.map(\.0))
        let words = WanModels.clearPrompt.lowercased().split { !$0.isLetter }.map { "▁" + $0 }
        for w in words where seen.insert(w).inserted { vocab.append((w, -5)) }
        let chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()"
        for c in ["▁"] + chars.map(String.init) where seen.insert(c).inserted { vocab.append((c, -10)) }
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let v = vocab.map { "[\(q($0.0)), \($0.1)]" }.joined(separator: ", ")
        let added = [(0, "<pad>"), (1, "</s>"), (3, "<unk>")].map {
            "{\"id\": \($0.0), \"content\": \(q($0.1)), \"special\": true, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false}"
        }.joined(separator: ", ")
        return """
        {"version": "1.0", "added_tokens": [\(added)], "normalizer": null,
         "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true},
         "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
          "pair": [], "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
         "model": {"type": "Unigram", "unk_id": 3, "vocab": [\(v)], "byte_fallback": false}}
        """
    }
}

// Configuration of a Wan DiT, inferred from tensor shapes (spec §5.1–§5.2).
// Matches: the `WanModel.__init__` arguments of DiffSynth 1.1.9 `diffsynth.models.wan_video_dit` that its
// model-detection table gives the 1.3B Fun-Control DiT (dim 1536, ffn 8960, 12 heads, 30 layers, in 48,
// out 16, text 4096, freq 256, patch (1,2,2), eps 1e-6, image input, ref_conv). Reading the shapes makes the
// real model and tiny random test models load through the same code.
import ClearWeights

public struct WanDiTConfig: Sendable, Equatable, CustomStringConvertible {
    public var dim: Int
    public var ffnDim: Int
    public var numHeads: Int
    public var numLayers: Int
    public var inDim: Int
    public var outDim: Int
    public var textDim: Int
    public var freqDim: Int
    public var patchSize: [Int]
    /// Image branch: `img_emb` MLP and `k_img`/`v_img` in every cross-attention (Fun-Control, I2V).
    public var hasImageInput: Bool
    /// CLIP feature width fed to `img_emb` (1280 in every Wan model).
    public var clipDim: Int
    /// `ref_conv` present (loaded for completeness; DiffSynth never runs it on CLEAR's path, spec §5.4).
    public var hasRefConv: Bool
    public var eps: Float

    public var headDim: Int { dim / numHeads }
    public var patchVolume: Int { patchSize.reduce(1, *) }

    public init(dim: Int, ffnDim: Int, numHeads: Int, numLayers: Int, inDim: Int, outDim: Int, textDim: Int, freqDim: Int,
                patchSize: [Int] = [1, 2, 2], hasImageInput: Bool, clipDim: Int = 1280, hasRefConv: Bool, eps: Float = 1e-6) throws {
        self.dim = dim; self.ffnDim = ffnDim; self.numHeads = numHeads; self.numLayers = numLayers
        self.inDim = inDim; self.outDim = outDim; self.textDim = textDim; self.freqDim = freqDim
        self.patchSize = patchSize; self.hasImageInput = hasImageInput; self.clipDim = clipDim
        self.hasRefConv = hasRefConv; self.eps = eps
        try validate()
    }

    /// The real Wan2.1-Fun-V1.1-1.3B-Control shapes (spec §5.1), for benchmarks with random weights.
    public static let funControl1_3B = try! WanDiTConfig(dim: 1536, ffnDim: 8960, numHeads: 12, numLayers: 30, inDim: 48, outDim: 16,
                                                         textDim: 4096, freqDim: 256, hasImageInput: true, hasRefConv: true)

    /// Head dims the Wan 3-D RoPE can cover: floor(d/3) and d − 2·floor(d/3) both even (spec §13).
    public static func ropeCovers(headDim d: Int) -> Bool {
        d >= 6 && d % 2 == 0 && (d / 3) % 2 == 0 && (d - 2 * (d / 3)) % 2 == 0
    }

    /// The head count when the checkpoint does not say: Wan uses head dim 128 (1.3B: 1536/128 = 12; 14B:
    /// 5120/128 = 40). Widths that 128 does not divide (tiny test models) take the largest RoPE-valid head dim
    /// of 64 or less that divides the width with at least two heads (dim 64 → 2 heads of 32).
    public static func defaultHeads(dim: Int) throws -> Int {
        if dim % 128 == 0 { return dim / 128 }
        for d in stride(from: min(64, dim / 2), through: 6, by: -1) where dim % d == 0 && ropeCovers(headDim: d) { return dim / d }
        throw WanDiTError.config("no head count for dim \(dim): pass numHeads explicitly")
    }

    public func validate() throws {
        guard dim > 0, numHeads > 0, dim % numHeads == 0 else {
            throw WanDiTError.config("dim \(dim) is not divisible by \(numHeads) heads")
        }
        guard Self.ropeCovers(headDim: headDim) else {
            throw WanDiTError.config("head dim \(headDim) (dim \(dim) / \(numHeads) heads) cannot be covered by Wan's 3-D RoPE; floor(d/3) and d − 2·floor(d/3) must be even (e.g. 24, 32, 48, 128)")
        }
        guard patchSize.count == 3, patchSize.allSatisfy({ $0 >= 1 }) else { throw WanDiTError.config("patch size \(patchSize) must be 3 positive sizes") }
        guard freqDim >= 2, freqDim % 2 == 0 else { throw WanDiTError.config("freq dim \(freqDim) must be even") }
        guard numLayers >= 1, ffnDim >= 1, inDim >= 1, outDim >= 1, textDim >= 1 else { throw WanDiTError.config("non-positive size in \(self)") }
    }

    /// Reads every size from the weight shapes (keys of spec §5.2, after the `.wanDiT` key map).
    public static func infer(from store: WeightStore, numHeads: Int? = nil) throws -> WanDiTConfig {
        func shape(_ key: String) throws -> [Int] { try store.tensor(key).shape }
        let patch = try shape("patch_embedding.weight")
        guard patch.count == 5 else { throw WanDiTError.config("patch_embedding.weight must be [dim, in, pf, ph, pw], got \(patch)") }
        let (dim, inDim) = (patch[0], patch[1])
        let pv = patch[2] * patch[3] * patch[4]
        let text = try shape("text_embedding.0.weight"), time = try shape("time_embedding.0.weight")
        let head = try shape("head.head.weight")
        guard head.count == 2, head[0] % pv == 0 else { throw WanDiTError.config("head.head.weight \(head) is not [out·\(pv), dim]") }
        var layers = 0
        while store.contains("blocks.\(layers).modulation") { layers += 1 }
        guard layers > 0 else { throw WanDiTError.config("\(store.source) has no blocks.0.modulation: not a Wan DiT") }
        let ffn = try shape("blocks.0.ffn.0.weight")
        // Any trace of the image branch counts, so a file missing one of its tensors fails with that key.
        let hasImage = !store.keys(withPrefix: "img_emb.").isEmpty || store.contains("blocks.0.cross_attn.k_img.weight")
        let clipDim = hasImage ? try shape("img_emb.proj.0.weight")[0] : 1280
        return try WanDiTConfig(dim: dim, ffnDim: ffn[0], numHeads: try numHeads ?? defaultHeads(dim: dim), numLayers: layers,
                                inDim: inDim, outDim: head[0] / pv, textDim: text[1], freqDim: time[1],
                                patchSize: Array(patch[2...4]), hasImageInput: hasImage, clipDim: clipDim,
                                hasRefConv: store.contains("ref_conv.weight"))
    }

    public var description: String {
        "WanDiT(dim \(dim), ffn \(ffnDim), \(numHeads) heads, \(numLayers) layers, in \(inDim), out \(outDim), text \(textDim), freq \(freqDim), patch \(patchSize)\(hasImageInput ? ", image branch" : "")\(hasRefConv ? ", ref_conv" : ""))"
    }

    /// Parameter count of the weights this config loads (ref_conv included when present).
    public var parameterCount: Int {
        let d = dim
        var n = d * inDim * patchVolume + d + (textDim * d + d) + (d * d + d) + (freqDim * d + d) + (d * d + d) + (d * 6 * d + 6 * d)
        n += 2 * d + (outDim * patchVolume) * (d + 1)
        if hasImageInput { n += 2 * clipDim + clipDim * clipDim + clipDim + clipDim * d + d + 2 * d }
        if hasRefConv { n += d * 16 * 4 + d }
        var block = 6 * d + 4 * (d * d + d) + 2 * d + 4 * (d * d + d) + 2 * d + 2 * d + ffnDim * d + ffnDim + d * ffnDim + d
        if hasImageInput { block += 2 * (d * d + d) + d }
        n += numLayers * block
        return n
    }
}

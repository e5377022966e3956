// The Wan DiT (Wan2.1-Fun-V1.1-1.3B-Control and tiny models of the same layout), spec §5.3–§5.4.
// Matches: DiffSynth 1.1.9 `diffsynth.pipelines.wan_video_new.model_fn_wan_video` (no sliding window, no
// reference latents, no VACE/TeaCache) over `diffsynth.models.wan_video_dit.WanModel`:
// `sinusoidal_embedding_1d` (float64, cosines first), `time_embedding`/`time_projection`, `text_embedding`
// (GELU tanh), `img_emb` (`MLP`: LayerNorm eps 1e-5, GELU erf), `patch_embedding` (Conv3d with stride = kernel,
// computed here as its equivalent patch matrix × weight), `precompute_freqs_cis_3d` + `rope_apply`
// (Rope3D), `DiTBlock.forward` (`SelfAttention`, `CrossAttention` with the image branch, `RMSNorm` over the
// full width, `modulate`, `GateModule`), `Head.forward` and `unpatchify` ('b (f h w) (x y z c) -> b c (f x) (h y) (w z)').
// Runs in f32 (the parity mode) or bf16 (weights and activations bf16, f32 accumulation inside oneDNN).
import ClearTensor
import ClearWeights
import Foundation

/// A linear layer y = x·Wᵀ + b.
struct WanLinear: Sendable {
    let weight: Tensor
    let bias: Tensor?
    func callAsFunction(_ x: Tensor) throws -> Tensor { try Ops.linear(x, weight: weight, bias: bias) }
}

struct WanDiTBlockWeights: Sendable {
    let modulation: [Float]          // [6·dim]: shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp
    let q, k, v, o: WanLinear
    let normQ, normK: Tensor
    let cq, ck, cv, co: WanLinear
    let cNormQ, cNormK: Tensor
    let kImg, vImg: WanLinear?
    let normKImg: Tensor?
    let norm3Weight, norm3Bias: Tensor
    let ffn0, ffn2: WanLinear
}

struct WanImageEmbedding: Sendable {
    let ln0Weight, ln0Bias: Tensor
    let lin1, lin3: WanLinear
    let ln4Weight, ln4Bias: Tensor
}

/// A key prefix over a weight source (the loader's view of `WeightScope`, also over random weights).
struct WanDiTWeightScope {
    let prefix: String
    let fetch: (String, [Int]) throws -> Tensor
    func fullKey(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
    func scoped(_ sub: String) -> WanDiTWeightScope { WanDiTWeightScope(prefix: fullKey(sub), fetch: fetch) }
    func tensor(_ key: String, _ shape: [Int]) throws -> Tensor { try fetch(fullKey(key), shape) }
}

/// Text and image conditioning after `text_embedding` and `img_emb`, reusable across steps and windows.
public struct WanDiTConditioning: Sendable {
    /// [L, dim] text tokens.
    public let text: Tensor
    /// [257, dim] image tokens (nil without an image branch).
    public let image: Tensor?
}

public final class WanDiT: @unchecked Sendable {
    public let config: WanDiTConfig
    public let dtype: DType
    /// The LoRA merge report when a LoRA was given.
    public let loraReport: WanLoRAReport?
    /// Keys of the weight store the model did not use (e.g. nothing for a complete Fun-Control file).
    public let unusedKeys: [String]

    let patchWeight: Tensor      // [dim, inDim·pf·ph·pw]
    let patchBias: Tensor
    let text0, text2, time0, time2, timeProj, head: WanLinear
    let headModulation: [Float]  // [2·dim]
    let imageEmbedding: WanImageEmbedding?
    let blocks: [WanDiTBlockWeights]

    /// Loads `diffusion_pytorch_model*.safetensors` from a file, an index or a directory of shards.
    public convenience init(path: String, dtype: DType = .f32, numHeads: Int? = nil, lora: WanLoRA? = nil) throws {
        try self.init(store: WanDiT.openStore(path: path), dtype: dtype, numHeads: numHeads, lora: lora)
    }

    /// Opens the DiT weights: a `.safetensors` file, a `.safetensors.index.json`, or a directory (its index,
    /// else its `diffusion_pytorch_model*.safetensors` shards). A leading `model.` is stripped from keys.
    public static func openStore(path: String) throws -> WeightStore {
        var isDir: ObjCBool = false
        let tensors: [WeightTensor]
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            tensors = try ShardedSafetensors.load(directory: path)
        } else if path.hasSuffix(".index.json") {
            tensors = try ShardedSafetensors.load(indexPath: path)
        } else {
            tensors = try SafetensorsFile(path: path).tensors
        }
        return try WeightStore(tensors: tensors, keyMap: .wanDiT, source: path)
    }

    /// Builds the model from `store` (keys of spec §5.2). The config is inferred from the shapes unless given.
    /// LoRA adapters are merged into the targeted linears at load: W + scale·B·A.
    public convenience init(store: WeightStore, config given: WanDiTConfig? = nil, dtype: DType = .f32, numHeads: Int? = nil, lora: WanLoRA? = nil) throws {
        let cfg = try given ?? WanDiTConfig.infer(from: store, numHeads: numHeads)
        try self.init(config: cfg, dtype: dtype, lora: lora, source: { key, shape in
            let w = try store.tensor(key, shape: shape)
            return try Tensor(shape: shape, values: w.toFloat32())
        }, unused: { store.unusedKeys })
    }

    /// A model of `config` with seeded random weights (uniform; linears ±0.03, norm weights 1 ± 0.1, modulation
    /// ±1/√dim), built directly in `dtype` — for benchmarks at the real shapes without a download.
    public static func random(config: WanDiTConfig, dtype: DType = .bf16, seed: UInt64 = 0) throws -> WanDiT {
        try WanDiT(config: config, dtype: dtype, lora: nil, source: { key, shape in
            var h: UInt64 = seed &+ 0x9E37_79B9_7F4A_7C15
            for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
            let isNorm = key.hasSuffix(".weight") && shape.count == 1
            let isMod = key.hasSuffix("modulation")
            let (lo, hi): (Float, Float) = isNorm ? (0.9, 1.1) : isMod ? (-1 / Float(config.dim).squareRoot(), 1 / Float(config.dim).squareRoot()) : (-0.03, 0.03)
            return Tensor.random(shape: shape, dtype: dtype, seed: h, lo: lo, hi: hi)
        }, unused: { [] })
    }

    /// `source(key, shape)` returns the tensor of that key and shape (f32, or already in `dtype`; LoRA merging needs f32).
    init(config cfg: WanDiTConfig, dtype: DType, lora: WanLoRA?, source: @escaping (String, [Int]) throws -> Tensor, unused: () -> [String]) throws {
        try cfg.validate()
        config = cfg
        self.dtype = dtype
        let d = cfg.dim
        var loraTracker = lora.map { WanLoRAMergeTracker(lora: $0) }
        let root = WanDiTWeightScope(prefix: "", fetch: source)

        func tensor(_ scope: WanDiTWeightScope, _ key: String, _ shape: [Int]) throws -> Tensor {
            try scope.tensor(key, shape).to(dtype)
        }
        func floats(_ scope: WanDiTWeightScope, _ key: String, _ shape: [Int]) throws -> [Float] {
            try scope.tensor(key, shape).floats()
        }
        func linear(_ scope: WanDiTWeightScope, _ name: String, out: Int, in inF: Int, bias: Bool = true) throws -> WanLinear {
            let module = scope.fullKey(name)
            var wt = try scope.tensor(name + ".weight", [out, inF])
            if let merged = try loraTracker?.merge(module: module, weight: wt) { wt = merged }
            let b = bias ? try tensor(scope, name + ".bias", [out]) : nil
            return WanLinear(weight: wt.to(dtype), bias: b)
        }

        let pv = cfg.patchVolume
        patchWeight = try root.tensor("patch_embedding.weight", [d, cfg.inDim] + cfg.patchSize).reshaped([d, cfg.inDim * pv]).to(dtype)
        patchBias = try tensor(root, "patch_embedding.bias", [d])
        text0 = try linear(root, "text_embedding.0", out: d, in: cfg.textDim)
        text2 = try linear(root, "text_embedding.2", out: d, in: d)
        time0 = try linear(root, "time_embedding.0", out: d, in: cfg.freqDim)
        time2 = try linear(root, "time_embedding.2", out: d, in: d)
        timeProj = try linear(root, "time_projection.1", out: 6 * d, in: d)
        headModulation = try floats(root, "head.modulation", [1, 2, d])
        head = try linear(root, "head.head", out: cfg.outDim * pv, in: d)
        if cfg.hasImageInput {
            let c = cfg.clipDim, s = root.scoped("img_emb.proj")
            imageEmbedding = WanImageEmbedding(
                ln0Weight: try tensor(s, "0.weight", [c]), ln0Bias: try tensor(s, "0.bias", [c]),
                lin1: try linear(s, "1", out: c, in: c), lin3: try linear(s, "3", out: d, in: c),
                ln4Weight: try tensor(s, "4.weight", [d]), ln4Bias: try tensor(s, "4.bias", [d]))
        } else {
            imageEmbedding = nil
        }
        if cfg.hasRefConv {  // present in Fun-Control files, never run on CLEAR's path (spec §5.4): shape-checked only
            _ = try root.tensor("ref_conv.weight", [d, 16, 2, 2])
            _ = try root.tensor("ref_conv.bias", [d])
        }
        var blocks: [WanDiTBlockWeights] = []
        for i in 0..<cfg.numLayers {
            let s = root.scoped("blocks.\(i)"), sa = s.scoped("self_attn"), ca = s.scoped("cross_attn")
            let img = cfg.hasImageInput
            blocks.append(WanDiTBlockWeights(
                modulation: try floats(s, "modulation", [1, 6, d]),
                q: try linear(sa, "q", out: d, in: d), k: try linear(sa, "k", out: d, in: d),
                v: try linear(sa, "v", out: d, in: d), o: try linear(sa, "o", out: d, in: d),
                normQ: try tensor(sa, "norm_q.weight", [d]), normK: try tensor(sa, "norm_k.weight", [d]),
                cq: try linear(ca, "q", out: d, in: d), ck: try linear(ca, "k", out: d, in: d),
                cv: try linear(ca, "v", out: d, in: d), co: try linear(ca, "o", out: d, in: d),
                cNormQ: try tensor(ca, "norm_q.weight", [d]), cNormK: try tensor(ca, "norm_k.weight", [d]),
                kImg: img ? try linear(ca, "k_img", out: d, in: d) : nil,
                vImg: img ? try linear(ca, "v_img", out: d, in: d) : nil,
                normKImg: img ? try tensor(ca, "norm_k_img.weight", [d]) : nil,
                norm3Weight: try tensor(s, "norm3.weight", [d]), norm3Bias: try tensor(s, "norm3.bias", [d]),
                ffn0: try linear(s, "ffn.0", out: cfg.ffnDim, in: d), ffn2: try linear(s, "ffn.2", out: d, in: cfg.ffnDim)))
        }
        self.blocks = blocks
        loraReport = loraTracker?.report()
        unusedKeys = unused()
    }

    // MARK: - Conditioning

    /// `text_embedding(context)` and `img_emb(clip_feature)`. `context` is [1, L, textDim] or [L, textDim];
    /// `clipFeature` is [1, 257, clipDim] or nil for the zero CLIP feature DiffSynth feeds Fun-Control (spec §6).
    public func conditioning(context: Tensor, clipFeature: Tensor? = nil) throws -> WanDiTConditioning {
        let c = config
        guard context.shape.last == c.textDim, context.rank == 2 || (context.rank == 3 && context.shape[0] == 1) else {
            throw WanDiTError.shapeMismatch("context \(context.shape) must be [1, L, \(c.textDim)]")
        }
        let ctx = try context.reshaped([-1, c.textDim]).to(dtype)
        let text = try text2(Ops.gelu(text0(ctx), approximateTanh: true))
        guard let ie = imageEmbedding else { return WanDiTConditioning(text: text, image: nil) }
        let clip: Tensor
        if let clipFeature {
            guard clipFeature.shape.last == c.clipDim, clipFeature.count % c.clipDim == 0 else {
                throw WanDiTError.shapeMismatch("clip feature \(clipFeature.shape) must be [1, 257, \(c.clipDim)]")
            }
            clip = try clipFeature.reshaped([-1, c.clipDim]).to(dtype)
        } else {
            clip = Tensor(shape: [257, c.clipDim], dtype: dtype)
        }
        var h = try Ops.layerNorm(clip, weight: ie.ln0Weight, bias: ie.ln0Bias, eps: 1e-5)
        h = try ie.lin3(Ops.gelu(ie.lin1(h), approximateTanh: false))
        h = try Ops.layerNorm(h, weight: ie.ln4Weight, bias: ie.ln4Bias, eps: 1e-5)
        return WanDiTConditioning(text: text, image: h)
    }

    // MARK: - Time embedding

    /// `sinusoidal_embedding_1d(freq_dim, t)`: [cos(t·ω_k)…, sin(t·ω_k)…], ω_k = 10000^(−k/half), in float64.
    public static func sinusoid(timestep t: Float, dim: Int) -> [Float] {
        let half = dim / 2
        var out = [Float](repeating: 0, count: 2 * half)
        for k in 0..<half {
            let a = Double(t) * pow(10000.0, -Double(k) / Double(half))
            out[k] = Float(cos(a)); out[half + k] = Float(sin(a))
        }
        return out
    }

    /// (t_emb [1, dim], t_mod [6·dim] as floats) for `timestep` (already rounded to bf16 by the caller in bf16 mode).
    public func timeEmbedding(timestep: Float) throws -> (tEmb: Tensor, tMod: [Float]) {
        let e = try Tensor(shape: [1, config.freqDim], values: Self.sinusoid(timestep: timestep, dim: config.freqDim), dtype: dtype)
        let tEmb = try time2(Ops.silu(time0(e)))
        let tMod = try timeProj(Ops.silu(tEmb)).floats()
        return (tEmb, tMod)
    }

    // MARK: - Forward

    /// One DiT call on x [1, inDim, F, H, W] (the concatenation [latents | y]); returns [1, outDim, F, H, W].
    /// `blockOutput`, when given, sees the [N, dim] hidden state after every block.
    public func forward(x: Tensor, timestep: Float, conditioning cond: WanDiTConditioning,
                        blockOutput: ((Int, Tensor) throws -> Void)? = nil) throws -> Tensor {
        let c = config, d = c.dim
        guard x.rank == 5, x.shape[0] == 1, x.shape[1] == c.inDim else {
            throw WanDiTError.shapeMismatch("DiT input \(x.shape) must be [1, \(c.inDim), F, H, W]")
        }
        let (pf, ph, pw) = (c.patchSize[0], c.patchSize[1], c.patchSize[2])
        guard x.shape[2] % pf == 0, x.shape[3] % ph == 0, x.shape[4] % pw == 0 else {
            throw WanDiTError.shapeMismatch("DiT input \(x.shape) is not a whole number of \(c.patchSize) patches")
        }
        guard cond.text.shape.last == d, (cond.image != nil) == c.hasImageInput else {
            throw WanDiTError.shapeMismatch("conditioning does not belong to this model (text \(cond.text.shape), image \(cond.image != nil))")
        }
        let grid = (f: x.shape[2] / pf, h: x.shape[3] / ph, w: x.shape[4] / pw)
        let (tEmb, tMod) = try timeEmbedding(timestep: timestep)
        var h = try patchify(x, grid: grid)
        let rope = try Rope3D(frames: grid.f, height: grid.h, width: grid.w, headDim: c.headDim)
        for (i, b) in blocks.enumerated() {
            h = try block(b, h, tMod: tMod, rope: rope, cond: cond)
            try blockOutput?(i, h)
        }
        let te = tEmb.floats()
        var shift = [Float](repeating: 0, count: d), scale = shift
        for j in 0..<d { shift[j] = headModulation[j] + te[j]; scale[j] = headModulation[d + j] + te[j] }
        if dtype == .bf16 { shift = shift.map(BF16.round); scale = scale.map(BF16.round) }
        let out = try head(WanDiTKernels.modulate(Ops.layerNorm(h, eps: c.eps), shift: shift, scale: scale))
        return try unpatchify(out, grid: grid)
    }

    /// `forward` with conditioning built from `context` (and the zero CLIP feature when `clipFeature` is nil).
    public func forward(x: Tensor, timestep: Float, context: Tensor, clipFeature: Tensor? = nil,
                        blockOutput: ((Int, Tensor) throws -> Void)? = nil) throws -> Tensor {
        try forward(x: x, timestep: timestep, conditioning: conditioning(context: context, clipFeature: clipFeature), blockOutput: blockOutput)
    }

    /// The pipeline's model function: x = [latents | y] along channels (spec §5.3), then `forward`.
    public func velocity(latents: Tensor, y: Tensor?, timestep: Float, conditioning: WanDiTConditioning) throws -> Tensor {
        let x = try y.map { try Ops.concat([latents.to(dtype), $0.to(dtype)], axis: 1) } ?? latents.to(dtype)
        return try forward(x: x, timestep: timestep, conditioning: conditioning)
    }

    func block(_ b: WanDiTBlockWeights, _ x: Tensor, tMod: [Float], rope: Rope3D, cond: WanDiTConditioning) throws -> Tensor {
        let c = config, d = c.dim, n = x.shape[0], heads = c.numHeads, hd = c.headDim
        var mod = [Float](repeating: 0, count: 6 * d)
        for j in 0..<(6 * d) { mod[j] = b.modulation[j] + tMod[j] }
        if dtype == .bf16 { mod = mod.map(BF16.round) }
        func row(_ r: Int) -> ArraySlice<Float> { mod[(r * d)..<((r + 1) * d)] }

        // Self-attention.
        let a = try WanDiTKernels.modulate(Ops.layerNorm(x, eps: c.eps), shift: Array(row(0)), scale: Array(row(1)))
        let q = try rope.apply(Ops.rmsNorm(b.q(a), weight: b.normQ, eps: c.eps).reshaped([1, n, heads, hd]))
        let k = try rope.apply(Ops.rmsNorm(b.k(a), weight: b.normK, eps: c.eps).reshaped([1, n, heads, hd]))
        let v = try b.v(a).reshaped([1, n, heads, hd])
        let sa = try b.o(Ops.attention(q: q, k: k, v: v).reshaped([n, d]))
        var h = try WanDiTKernels.gatedAdd(x, gate: Array(row(2)), sa)

        // Cross-attention (text, plus the image branch), no modulation.
        let u = try Ops.layerNorm(h, weight: b.norm3Weight, bias: b.norm3Bias, eps: c.eps)
        let cq = try Ops.rmsNorm(b.cq(u), weight: b.cNormQ, eps: c.eps).reshaped([1, n, heads, hd])
        let lt = cond.text.shape[0]
        let ck = try Ops.rmsNorm(b.ck(cond.text), weight: b.cNormK, eps: c.eps).reshaped([1, lt, heads, hd])
        let cv = try b.cv(cond.text).reshaped([1, lt, heads, hd])
        var ca = try Ops.attention(q: cq, k: ck, v: cv)
        if let img = cond.image, let kImg = b.kImg, let vImg = b.vImg {
            let li = img.shape[0]
            let ki = try Ops.rmsNorm(kImg(img), weight: b.normKImg, eps: c.eps).reshaped([1, li, heads, hd])
            let vi = try vImg(img).reshaped([1, li, heads, hd])
            ca = try Ops.add(ca, Ops.attention(q: cq, k: ki, v: vi))
        }
        h = try WanDiTKernels.gatedAdd(h, gate: nil, b.co(ca.reshaped([n, d])))

        // FFN.
        let m = try WanDiTKernels.modulate(Ops.layerNorm(h, eps: c.eps), shift: Array(row(3)), scale: Array(row(4)))
        let f = try b.ffn2(Ops.gelu(b.ffn0(m), approximateTanh: true))
        return try WanDiTKernels.gatedAdd(h, gate: Array(row(5)), f)
    }

    /// Conv3d(kernel = stride = patch) as patch rows [N, inDim·pf·ph·pw] (column order c, df, dy, dx) × weightᵀ.
    func patchify(_ x: Tensor, grid: (f: Int, h: Int, w: Int)) throws -> Tensor {
        let c = config, (pf, ph, pw) = (c.patchSize[0], c.patchSize[1], c.patchSize[2])
        let (T, H, W) = (x.shape[2], x.shape[3], x.shape[4])
        let xf = x.toF32()
        defer { xf.keepAlive() }
        let n = grid.f * grid.h * grid.w, cols = c.inDim * c.patchVolume
        let rows = Tensor(shape: [n, cols], dtype: .f32, zeroed: false)
        let src = UnsafePointer(xf.f32), dst = rows.f32
        parallelFor(n, minChunk: 16) { range in
            for t in range {
                let fi = t / (grid.h * grid.w), hi = (t / grid.w) % grid.h, wi = t % grid.w
                var col = 0
                for ch in 0..<c.inDim { for a in 0..<pf { for bb in 0..<ph {
                    let base = ((ch * T + fi * pf + a) * H + hi * ph + bb) * W + wi * pw
                    for e in 0..<pw { dst[t * cols + col] = src[base + e]; col += 1 }
                } } }
            }
        }
        return try Ops.linear(rows.to(dtype), weight: patchWeight, bias: patchBias)
    }

    /// [N, pf·ph·pw·outDim] (order df, dy, dx, c with c fastest) -> [1, outDim, F, H, W].
    func unpatchify(_ y: Tensor, grid: (f: Int, h: Int, w: Int)) throws -> Tensor {
        let c = config, (pf, ph, pw) = (c.patchSize[0], c.patchSize[1], c.patchSize[2])
        let (T, H, W) = (grid.f * pf, grid.h * ph, grid.w * pw)
        let yf = y.toF32()
        defer { yf.keepAlive() }
        let out = Tensor(shape: [1, c.outDim, T, H, W], dtype: .f32, zeroed: false)
        let src = UnsafePointer(yf.f32), dst = out.f32, cols = c.outDim * c.patchVolume
        parallelFor(grid.f * grid.h * grid.w, minChunk: 16) { range in
            for t in range {
                let fi = t / (grid.h * grid.w), hi = (t / grid.w) % grid.h, wi = t % grid.w
                var col = 0
                for a in 0..<pf { for bb in 0..<ph { for e in 0..<pw { for ch in 0..<c.outDim {
                    dst[((ch * T + fi * pf + a) * H + hi * ph + bb) * W + wi * pw + e] = src[t * cols + col]; col += 1
                } } } }
            }
        }
        return dtype == .f32 ? out : out.toBF16()
    }
}

// The UMT5-XXL text encoder of Wan (encoder only, per-layer relative position bias), float32 compute.
// Matches (DiffSynth 1.1.9, diffsynth/models/wan_video_text_encoder.py): WanTextEncoder.forward with
// shared_pos=False — T5SelfAttention (T5LayerNorm, T5Attention without 1/√d scaling, bias from
// T5RelativeEmbedding._relative_position_bucket, mask filled with finfo.min), T5FeedForward
// (fc1(x) · gelu_tanh(gate(x)), fc2) — and WanPrompter.encode_prompt's zeroing of rows ≥ length.
// Spec: shared/spec/wan-clear-reference.md §3.2–§3.3.
//
// Weights stay in their stored form (the 11.4 GB bf16 file is memory-mapped); each layer is widened
// to float32 only while it runs, so resident memory is one layer (~0.8 GB for XXL) plus activations.
import ClearTensor
import ClearWeights
import Foundation

/// Shapes of a UMT5 encoder, read from its state dict.
public struct UMT5Config: Sendable, Equatable, CustomStringConvertible {
    public var vocab: Int, dim: Int, dimAttn: Int, dimFFN: Int, heads: Int, layers: Int, buckets: Int
    /// Relative distance at which buckets stop growing (128; not stored in the file).
    public var maxDistance = 128
    public var eps: Float = 1e-6

    public var description: String {
        "UMT5(vocab \(vocab), dim \(dim), attn \(dimAttn)/\(heads) heads, ffn \(dimFFN), \(layers) layers, \(buckets) buckets)"
    }

    public static func infer(from store: WeightStore) throws -> UMT5Config {
        guard let emb = try store.optional("token_embedding.weight"), emb.shape.count == 2 else {
            throw UMT5Error.weights("\(store.source) has no token_embedding.weight [vocab, dim]: not a Wan UMT5 encoder state dict")
        }
        var layers = 0
        while store.contains("blocks.\(layers).norm1.weight") { layers += 1 }
        guard layers > 0 else { throw UMT5Error.weights("\(store.source) has no blocks.0.norm1.weight") }
        let q = try store.tensor("blocks.0.attn.q.weight", shape: [-1, emb.shape[1]])
        let fc1 = try store.tensor("blocks.0.ffn.fc1.weight", shape: [-1, emb.shape[1]])
        guard let pos = try store.optional("blocks.0.pos_embedding.embedding.weight", shape: [-1, -1]) else {
            throw UMT5Error.weights("blocks.0.pos_embedding.embedding.weight is missing (shared position bias is not supported)")
        }
        return UMT5Config(vocab: emb.shape[0], dim: emb.shape[1], dimAttn: q.shape[0], dimFFN: fc1.shape[0],
                          heads: pos.shape[1], layers: layers, buckets: pos.shape[0])
    }

    /// T5RelativeEmbedding._relative_position_bucket (bidirectional) for r = key − query.
    /// The float32 reference lands exact powers of two (n = 16, 32, 64) on the upper bucket; the
    /// double evaluation plus 1e-9 reproduces that (no other n is that close to an integer).
    public func bucket(_ r: Int) -> Int {
        let half = buckets / 2, exact = half / 2
        let base = r > 0 ? half : 0
        let n = abs(r)
        if n < exact { return base + n }
        let v = log(Double(n) / Double(exact)) / log(Double(maxDistance) / Double(exact)) * Double(half - exact)
        return base + min(half - 1, exact + Int(v + 1e-9))
    }
}

public enum UMT5Error: Error, CustomStringConvertible, Equatable {
    case weights(String)
    case input(String)
    public var description: String {
        switch self {
        case .weights(let s): return "UMT5 weights: \(s)"
        case .input(let s): return "UMT5 input: \(s)"
        }
    }
}

/// Wan's UMT5 encoder. `encode` gives the [maxLength, dim] text context of the DiT.
public final class UMT5Encoder: @unchecked Sendable {
    public let config: UMT5Config
    /// .f32: each layer's weights are widened to f32 while it runs. .bf16: linears read bf16
    /// weights in place from the mapped file (no copy when stored as bf16) with bf16 inputs and
    /// f32 accumulation/outputs, as the reference under torch_dtype=bfloat16; norms, softmax and
    /// the residual stream stay f32.
    public let computeDType: DType
    let store: WeightStore

    /// Opens `models_t5_umt5-xxl-enc-bf16.pth` (or any WanTextEncoder state dict).
    public convenience init(path: String, computeDType: DType = .f32) throws {
        try self.init(store: WeightStore(path: path), computeDType: computeDType)
    }

    public init(store: WeightStore, computeDType: DType = .f32) throws {
        self.store = store
        self.computeDType = computeDType
        config = try UMT5Config.infer(from: store)
        // Validate every shape up front so a damaged file fails before any compute.
        let c = config
        for i in 0..<c.layers {
            let b = store.scoped("blocks.\(i)")
            for n in ["norm1", "norm2"] { _ = try b.tensor("\(n).weight", shape: [c.dim]) }
            for n in ["q", "k", "v"] { _ = try b.tensor("attn.\(n).weight", shape: [c.dimAttn, c.dim]) }
            _ = try b.tensor("attn.o.weight", shape: [c.dim, c.dimAttn])
            _ = try b.tensor("ffn.gate.0.weight", shape: [c.dimFFN, c.dim])
            _ = try b.tensor("ffn.fc1.weight", shape: [c.dimFFN, c.dim])
            _ = try b.tensor("ffn.fc2.weight", shape: [c.dim, c.dimFFN])
            _ = try b.tensor("pos_embedding.embedding.weight", shape: [c.buckets, c.heads])
        }
        _ = try store.tensor("norm.weight", shape: [c.dim])
        let unused = store.unusedKeys
        guard unused.isEmpty else { throw UMT5Error.weights("unused tensors in \(store.source): \(unused.prefix(8))") }
    }

    private func f32(_ key: String) throws -> Tensor {
        let t = try store.tensor(key)
        return try Tensor(shape: t.shape, values: t.toFloat32())
    }

    /// x [n, in] · W[out, in]ᵀ in the compute dtype, f32 out.
    private func linear(_ x: Tensor, _ key: String) throws -> Tensor {
        guard computeDType == .bf16 else { return try Ops.linear(x, weight: f32(key)) }
        let t = try store.tensor(key)
        let w: Tensor
        #if _endian(little)
        if t.dtype == .bf16, let base = t.bytes.baseAddress, Int(bitPattern: base) % 2 == 0 {
            w = try Tensor(shape: t.shape, dtype: .bf16, external: base, byteCount: t.byteCount, owner: t.buffer)
        } else {
            w = try Tensor(shape: t.shape, bf16Bits: t.toBFloat16Bits())
        }
        #else
        w = try Tensor(shape: t.shape, bf16Bits: t.toBFloat16Bits())
        #endif
        return try Ops.matmul(x.toBF16(), w, transposeB: true, outDType: .f32)
    }

    /// Token embedding rows for `ids` (only those rows are read from the mapped table).
    func embed(_ ids: [Int]) throws -> Tensor {
        let table = try store.tensor("token_embedding.weight")
        let d = config.dim, rowBytes = d * table.dtype.size
        var values = [Float]()
        values.reserveCapacity(ids.count * d)
        for id in ids {
            guard id >= 0, id < config.vocab else { throw UMT5Error.input("token id \(id) outside the vocabulary of \(config.vocab)") }
            let start = table.byteRange.lowerBound + id * rowBytes
            let row = try WeightTensor(key: table.key, dtype: table.dtype, shape: [d], buffer: table.buffer, byteRange: start..<(start + rowBytes))
            values += row.toFloat32()
        }
        return try Tensor(shape: [ids.count, d], values: values)
    }

    /// T5LayerNorm: w · x·rsqrt(mean(x²) + eps).
    func norm(_ x: Tensor, _ key: String) throws -> Tensor {
        try Ops.rmsNorm(x, weight: f32(key), eps: config.eps)
    }

    /// The encoder on `ids` (one sequence) with key mask `mask` (1 = real token). Every row is
    /// computed, as in the reference; rows whose mask is 0 are what the reference computes, not zero.
    public func forward(ids: [Int], mask: [Int]) throws -> Tensor {
        guard ids.count == mask.count, !ids.isEmpty else { throw UMT5Error.input("ids (\(ids.count)) and mask (\(mask.count)) must have the same non-zero length") }
        let c = config, n = ids.count, h = c.heads, dh = c.dimAttn / c.heads
        var x = try embed(ids)
        // bucket index per relative offset r = j − i, r ∈ [−(n−1), n−1]
        let bucketOf = (0..<(2 * n - 1)).map { c.bucket($0 - (n - 1)) }
        let negMin = -Float.greatestFiniteMagnitude
        for l in 0..<c.layers {
            let p = "blocks.\(l)"
            // attention
            let xn = try norm(x, "\(p).norm1.weight")
            func heads(_ w: String) throws -> Tensor {
                try Ops.permute(linear(xn, "\(p).attn.\(w).weight").reshaped([n, h, dh]), [1, 0, 2])
            }
            let q = try heads("q"), k = try heads("k"), v = try heads("v")
            let scores = try Ops.matmul(q, k, transposeB: true)  // [h, n, n], no 1/√d
            let table = try store.tensor("\(p).pos_embedding.embedding.weight").toFloat32()  // [buckets, heads]
            let s = scores.f32
            parallelFor(h * n, minChunk: 8) { rows in
                for r in rows {
                    let head = r / n, i = r % n
                    let row = s + r * n
                    var m = -Float.infinity
                    for j in 0..<n {
                        let val = mask[j] == 0 ? row[j] + negMin : row[j] + table[bucketOf[j - i + n - 1] * h + head]
                        row[j] = val
                        m = max(m, val)
                    }
                    var sum: Float = 0
                    for j in 0..<n { let e = expf(row[j] - m); row[j] = e; sum += e }
                    let inv = 1 / sum
                    for j in 0..<n { row[j] *= inv }
                }
            }
            let o = try Ops.permute(Ops.matmul(scores, v), [1, 0, 2]).reshaped([n, c.dimAttn])
            x = try Ops.add(x, linear(o, "\(p).attn.o.weight"))
            // gated-GELU feed-forward
            let xf = try norm(x, "\(p).norm2.weight")
            let gate = try Ops.gelu(linear(xf, "\(p).ffn.gate.0.weight"), approximateTanh: true)
            let hidden = try Ops.mul(linear(xf, "\(p).ffn.fc1.weight"), gate)
            x = try Ops.add(x, linear(hidden, "\(p).ffn.fc2.weight"))
        }
        return try norm(x, "norm.weight")
    }

    /// The DiT text context: [maxLength, dim] with rows ≥ the token count set to 0
    /// (WanPrompter.encode_prompt). `tokens` are the real ids including eos (at most maxLength).
    /// Only the real rows are computed: padded keys are masked, so they cannot change real rows.
    public func context(tokens: [Int], maxLength: Int = 512) throws -> Tensor {
        guard !tokens.isEmpty, tokens.count <= maxLength else {
            throw UMT5Error.input("\(tokens.count) tokens; need 1…\(maxLength)")
        }
        let real = try forward(ids: tokens, mask: [Int](repeating: 1, count: tokens.count))
        let out = Tensor(shape: [maxLength, config.dim])
        out.f32.update(from: UnsafePointer(real.f32), count: real.count)
        return out
    }
}

extension UMT5Config {
    /// UMT5-XXL as in models_t5_umt5-xxl-enc-bf16.pth (spec §3.2).
    public static let xxl = UMT5Config(vocab: 256_384, dim: 4096, dimAttn: 4096, dimFFN: 10_240, heads: 64, layers: 24, buckets: 32)

    /// The state-dict keys and shapes of WanTextEncoder with this configuration (flat, no prefix),
    /// for writing random-weight model folders with the real names and shapes.
    public var stateDictLayout: [(key: String, shape: [Int])] {
        var out: [(String, [Int])] = [("token_embedding.weight", [vocab, dim])]
        for i in 0..<layers {
            let p = "blocks.\(i)"
            out += [("\(p).norm1.weight", [dim]), ("\(p).attn.q.weight", [dimAttn, dim]), ("\(p).attn.k.weight", [dimAttn, dim]),
                    ("\(p).attn.v.weight", [dimAttn, dim]), ("\(p).attn.o.weight", [dim, dimAttn]), ("\(p).norm2.weight", [dim]),
                    ("\(p).ffn.gate.0.weight", [dimFFN, dim]), ("\(p).ffn.fc1.weight", [dimFFN, dim]),
                    ("\(p).ffn.fc2.weight", [dim, dimFFN]), ("\(p).pos_embedding.embedding.weight", [buckets, heads])]
        }
        out.append(("norm.weight", [dim]))
        return out
    }
}

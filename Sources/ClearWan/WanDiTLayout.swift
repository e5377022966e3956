// The state-dict layout (keys and shapes) of a Wan DiT with a given configuration, as DiffSynth 1.1.9
// `WanModel` names it (spec §5.2: 985 tensors, 1 564 602 176 parameters for the 1.3B Fun-Control model).
// Used to write random-weight model folders with the real names and shapes (`clearsub bench wan`).
extension WanDiTConfig {
    public var stateDictLayout: [(key: String, shape: [Int])] {
        let d = dim
        var out: [(String, [Int])] = []
        func linear(_ p: String, _ o: Int, _ i: Int) { out += [("\(p).weight", [o, i]), ("\(p).bias", [o])] }
        out += [("patch_embedding.weight", [d, inDim] + patchSize), ("patch_embedding.bias", [d])]
        linear("text_embedding.0", d, textDim)
        linear("text_embedding.2", d, d)
        linear("time_embedding.0", d, freqDim)
        linear("time_embedding.2", d, d)
        linear("time_projection.1", 6 * d, d)
        out.append(("head.modulation", [1, 2, d]))
        linear("head.head", outDim * patchVolume, d)
        if hasImageInput {
            out += [("img_emb.proj.0.weight", [clipDim]), ("img_emb.proj.0.bias", [clipDim])]
            linear("img_emb.proj.1", clipDim, clipDim)
            linear("img_emb.proj.3", d, clipDim)
            out += [("img_emb.proj.4.weight", [d]), ("img_emb.proj.4.bias", [d])]
        }
        if hasRefConv { out += [("ref_conv.weight", [d, 16, patchSize[1], patchSize[2]]), ("ref_conv.bias", [d])] }
        for i in 0..<numLayers {
            let b = "blocks.\(i)"
            out.append(("\(b).modulation", [1, 6, d]))
            for attn in ["self_attn", "cross_attn"] {
                for n in ["q", "k", "v", "o"] { linear("\(b).\(attn).\(n)", d, d) }
                out += [("\(b).\(attn).norm_q.weight", [d]), ("\(b).\(attn).norm_k.weight", [d])]
            }
            if hasImageInput {
                linear("\(b).cross_attn.k_img", d, d)
                linear("\(b).cross_attn.v_img", d, d)
                out.append(("\(b).cross_attn.norm_k_img.weight", [d]))
            }
            out += [("\(b).norm3.weight", [d]), ("\(b).norm3.bias", [d])]
            linear("\(b).ffn.0", ffnDim, d)
            linear("\(b).ffn.2", d, ffnDim)
        }
        return out
    }
}

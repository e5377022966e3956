// The state-dict layout (keys and shapes) of a Wan VAE built with given hyper-parameters, as
// DiffSynth 1.1.9 VideoVAE_(dim, z_dim, dim_mult, num_res_blocks, attn_scales=[],
// temperal_downsample) names it without the `model.` prefix (spec §4.2). Used to write
// random-weight model folders with the real shapes (`clearsub bench wan`) and checked against the
// fixture's file and the spec's totals for Wan2.1_VAE.pth (194 tensors, 126 892 531 parameters).
extension WanVAEConfig {
    public static func stateDictLayout(dim: Int = 96, zDim: Int = 16, dimMult: [Int] = [1, 2, 4, 4], numResBlocks: Int = 2,
                                       temporalDownsample: [Bool] = [false, true, true]) -> [(key: String, shape: [Int])] {
        var out: [(String, [Int])] = []
        func conv(_ p: String, _ o: Int, _ i: Int, _ k: [Int]) { out.append(("\(p).weight", [o, i] + k)); out.append(("\(p).bias", [o])) }
        func res(_ p: String, _ i: Int, _ o: Int) {
            out.append(("\(p).residual.0.gamma", [i, 1, 1, 1]))
            conv("\(p).residual.2", o, i, [3, 3, 3])
            out.append(("\(p).residual.3.gamma", [o, 1, 1, 1]))
            conv("\(p).residual.6", o, o, [3, 3, 3])
            if i != o { conv("\(p).shortcut", o, i, [1, 1, 1]) }
        }
        func middle(_ p: String, _ c: Int) {
            res("\(p).middle.0", c, c)
            out.append(("\(p).middle.1.norm.gamma", [c, 1, 1]))
            conv("\(p).middle.1.to_qkv", 3 * c, c, [1, 1])
            conv("\(p).middle.1.proj", c, c, [1, 1])
            res("\(p).middle.2", c, c)
        }
        // encoder
        let dims = ([1] + dimMult).map { dim * $0 }
        conv("encoder.conv1", dims[0], 3, [3, 3, 3])
        var n = 0
        for i in 0..<(dims.count - 1) {
            var cin = dims[i]
            for _ in 0..<numResBlocks { res("encoder.downsamples.\(n)", cin, dims[i + 1]); cin = dims[i + 1]; n += 1 }
            if i != dimMult.count - 1 {
                conv("encoder.downsamples.\(n).resample.1", dims[i + 1], dims[i + 1], [3, 3])
                if temporalDownsample[i] { conv("encoder.downsamples.\(n).time_conv", dims[i + 1], dims[i + 1], [3, 1, 1]) }
                n += 1
            }
        }
        middle("encoder", dims.last!)
        out.append(("encoder.head.0.gamma", [dims.last!, 1, 1, 1]))
        conv("encoder.head.2", 2 * zDim, dims.last!, [3, 3, 3])
        conv("conv1", 2 * zDim, 2 * zDim, [1, 1, 1])
        conv("conv2", zDim, zDim, [1, 1, 1])
        // decoder
        let ddims = ([dimMult.last!] + dimMult.reversed()).map { dim * $0 }
        let up = Array(temporalDownsample.reversed())
        conv("decoder.conv1", ddims[0], zDim, [3, 3, 3])
        middle("decoder", ddims[0])
        n = 0
        for i in 0..<(ddims.count - 1) {
            var cin = (i == 1 || i == 2 || i == 3) ? ddims[i] / 2 : ddims[i]
            for _ in 0...numResBlocks { res("decoder.upsamples.\(n)", cin, ddims[i + 1]); cin = ddims[i + 1]; n += 1 }
            if i != dimMult.count - 1 {
                let c = ddims[i + 1]
                conv("decoder.upsamples.\(n).resample.1", c / 2, c, [3, 3])
                if up[i] { conv("decoder.upsamples.\(n).time_conv", 2 * c, c, [3, 1, 1]) }
                n += 1
            }
        }
        out.append(("decoder.head.0.gamma", [ddims.last!, 1, 1, 1]))
        conv("decoder.head.2", 3, ddims.last!, [3, 3, 3])
        return out
    }
}

// The lite network's layer table (design §4; CLEAR §3.2 dual encoders, §3.3 occlusion-guided
// restoration, scaled down for a CPU). Every layer is a 2-D convolution [out, in, k, k] + bias.
//  occ.*    occlusion head at ½ resolution: input = centre frame + mean |neighbour − centre| (6 ch)
//  res.*    restoration U-Net at full resolution: 5 frames (15 ch) + α (1 ch) + push-pull fill of
//           the centre frame's detected region (3 ch) → correction of that fill
//  hole.*   optional: the same U-Net with one output, which pixels of the detected region the
//           subtitle changed (the fill's hole is cut down to those)
//  prior.*  Stage I dual encoders (occlusion / content), training only (CLEAR §3.2)

public struct LiteLayer: Sendable, Equatable {
    public let name: String
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int

    public init(_ name: String, _ inChannels: Int, _ outChannels: Int, k: Int = 3, stride: Int = 1) {
        self.name = name; self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = k; self.stride = stride
    }

    public var weightShape: [Int] { [outChannels, inChannels, kernel, kernel] }
    public var padding: Int { kernel / 2 }
    public var parameterCount: Int { outChannels * inChannels * kernel * kernel + outChannels }
}

public enum LiteArchitecture {
    /// Frames in the temporal window (t−2 … t+2).
    public static let window = 5
    public static let radius = 2
    /// Channels of the occlusion input: centre RGB + temporal difference RGB.
    public static let occlusionInputChannels = 6
    /// Channels of the restoration input: window frames, α, push-pull fill of the centre frame.
    public static let restorationInputChannels = 3 * window + 1 + 3
    /// Spatial granularity the network needs (two ½ strides below the half-resolution input).
    public static let alignment = 8

    /// A small U-Net at ½ resolution (¼ and ⅛ of the frame inside), receptive field ≈ 90 frame
    /// pixels, so a stroke is judged with its neighbours (a lamp post is not a glyph).
    public static let occlusion: [LiteLayer] = [
        LiteLayer("occ.c1", 6, 12),
        LiteLayer("occ.c2", 12, 24, stride: 2),
        LiteLayer("occ.c3", 24, 24),
        LiteLayer("occ.c4", 24, 32, stride: 2),
        LiteLayer("occ.c5", 32, 32),
        LiteLayer("occ.c6", 56, 12),
        LiteLayer("occ.c7", 24, 12, k: 1),
        LiteLayer("occ.c8", 12, 1),
    ]

    public static let restoration: [LiteLayer] = [
        LiteLayer("res.e1", restorationInputChannels, 16),
        LiteLayer("res.e2", 16, 32, stride: 2),
        LiteLayer("res.e3", 32, 32),
        LiteLayer("res.e4", 32, 64, stride: 2),
        LiteLayer("res.e5", 64, 64),
        LiteLayer("res.e6", 64, 64),
        LiteLayer("res.d2", 96, 32),
        LiteLayer("res.d1", 48, 16, k: 1),
        LiteLayer("res.out", 16, 3),
    ]

    /// The hole network (thirty-second session; MODEL_CARD.md "The hole network"): the restoration
    /// U-Net's layout with one output, a logit per pixel that the subtitle changed it (opacity > 0).
    /// Inside the occlusion head's blob it tells the text (glyphs, outlines, shadows, boxes) from
    /// the scenery between the strokes, so the fill's hole shrinks to the text. Its input is the
    /// restoration input (the 5-frame window, α and the blob's fill): over moving scenery the text
    /// holds still across the window while the scenery between the strokes changes. Optional: a
    /// weights file holds it or not (`LiteWeights.engine(path:)`).
    public static let hole: [LiteLayer] = restoration.map {
        LiteLayer("hole" + $0.name.dropFirst(3), $0.inChannels, $0.name == "res.out" ? 1 : $0.outChannels, k: $0.kernel, stride: $0.stride)
    }

    /// Stage I prior: occlusion encoder + head, content encoder + head.
    public static let prior: [LiteLayer] = [
        LiteLayer("prior.occ.c1", 6, 16),
        LiteLayer("prior.occ.c2", 16, 16),
        LiteLayer("prior.occ.head", 16, 1),
        LiteLayer("prior.con.c1", 6, 16),
        LiteLayer("prior.con.c2", 16, 16),
        LiteLayer("prior.con.head", 16, 3),
    ]

    /// What inference loads (and `lite.safetensors` holds).
    public static var engineLayers: [LiteLayer] { occlusion + restoration }

    public static func layer(_ name: String) -> LiteLayer {
        guard let l = (engineLayers + hole + prior).first(where: { $0.name == name }) else {
            preconditionFailure("LiteArchitecture: no layer \(name)")
        }
        return l
    }
}

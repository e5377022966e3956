// The lite removal engine (design §4; CLEAR's mask-free occlusion-guided restoration at CPU scale):
// per frame t, a window t−2…t+2 (clamped to the chunk); the occlusion head on the half-resolution
// frame (a coarser one above 1080 rows, `headFactor`) gives α, raised where a cue starts or ends
// to the α of frames up to two away at pixels that did not change (`TemporalAlpha`); restoration runs at full resolution only on regions
// around tiles with α > 0, starting from a fill of the pixels with α > 0 (`HoleFill`: directional
// along rows and columns where their ends agree, push-pull elsewhere, smoothed once) to which the restoration
// network adds its residual (not with the bundled weights, whose network is inert:
// `bundledRestorationIsInert`); on frames up to 720 rows the hole network (`LiteArchitecture.hole`,
// `learnedHole`) first cuts that fill's hole down to the pixels the subtitle changed, so the
// scenery between the strokes keeps its own values and gives the fill its ends; the output
// blends α·restored + (1−α)·input, leaving α = 0 pixels bit-identical.
// With the pipeline's long-range cue (`StaticSceneMap`), α is also 0 in blocks that stayed unchanged
// for seconds around the frame: whatever the head sees there is scenery, not a subtitle; and the
// line cue (`TextLineFilter`) sets it to 0 on lone blobs that are not part of a line of text.
// A dark semi-transparent box around the text (`SubtitleBoxFinder`) is subtitle as a whole (α = 1);
// restoration starts there from the frame with the box divided out, and fills only the glyphs. On
// frames taller than 720 rows where α shows the finder no box, it looks again around the glyphs
// the head finds one scale coarser (`boxHeadFactor`); that look changes α only through the boxes,
// and only those holding some of the engine's own glyphs (`holdsOwnGlyphs`), so it is skipped
// where α has no glyph and no box is remembered (`coarseLookCanMatter`). Where the finder finds no
// box in a frame of a cue, or only pieces of the boxes of its earlier frames, those boxes stand in
// while they still fit the frame (`keepBoxes`, `keptBoxesExplainMore`, `SubtitleBoxFinder.stillFits`).
// For still shots, the background memory (`BackgroundPlate`) puts back what earlier frames showed
// behind the subtitle where the scenery around it still matches, and has not changed since the
// plate last saw what lies under the text (the freshness rule), nor right beside it (the seam
// test's fill cross-check).
import ClearMedia
import ClearPipeline
import ClearTensor
import ClearWeights
import Foundation

public final class LiteEngine: WindowedEngine {
    public let name = "lite"
    public let chunkSize: Int
    public let chunkOverlap: Int
    /// Frames on either side of a frame's window (`LiteArchitecture.radius`): the pipeline streams
    /// the engine as a sliding window (`WindowedEngine`), so no frame is cleaned twice.
    public var contextRadius: Int { LiteArchitecture.radius + (temporalAlpha?.span ?? 0) }
    public let network: LiteNetwork
    /// α below this is exactly 0 (chosen on training footage by tools/tune_lite_alpha.sh, see MODEL_CARD.md).
    public var alphaThreshold: Float = LiteEngine.defaultAlphaThreshold
    /// α at or above this counts as fully opaque (see `AlphaMap`).
    public var alphaFull: Float = LiteEngine.defaultAlphaFull
    /// The shipped α pair (also what restoration-only training restores under).
    public static let defaultAlphaThreshold: Float = 0.7
    public static let defaultAlphaFull: Float = 0.95
    public var tile = 32
    public var margin = 16
    /// Arithmetic of the occlusion head and of the restoration network (`CLEARSUB_LITE_PRECISION`
    /// sets both: f32 or bf16; default bf16 on CPUs with native bf16, see MODEL_CARD.md).
    public var occlusionPrecision: LitePrecision = .preferred
    public var restorationPrecision: LitePrecision = .preferred
    /// The long-range cue the pipeline computes for this engine (nil: off; `CLEARSUB_LITE_STATIC_SCENE=0`).
    public var staticSceneSettings: StaticSceneSettings? = StaticSceneSettings()
    /// The line cue on α (`TextLineFilter`; nil: off, `CLEARSUB_LITE_LINE_FILTER=0`).
    public var textLineFilter: TextLineFilter? = TextLineFilter()
    /// Dark semi-transparent boxes around the text α found, divided out of the frame
    /// (`SubtitleBoxFinder`; nil: off, `CLEARSUB_LITE_BOXES=0`).
    public var subtitleBoxes: SubtitleBoxSettings? = SubtitleBoxSettings()
    /// The background memory for still shots (`BackgroundPlate`; nil: off,
    /// `CLEARSUB_LITE_BACKGROUND_MEMORY=0`; other numbers: `CLEARSUB_LITE_BACKGROUND_MEMORY=
    /// "share=0.8,reach=12,…"`, see `BackgroundMemorySettings(parsing:)`). The plate holds what
    /// earlier frames of the video showed away from the subtitles; `beginVideo()` empties it.
    public var backgroundMemory: BackgroundMemorySettings? = BackgroundMemorySettings()
    private var plate: BackgroundPlate?
    /// false: the restored region is the fill alone, without the network's residual, and the
    /// network does not run (`CLEARSUB_LITE_RESTORATION=fill`). The default with the bundled
    /// weights, whose network is inert (`bundledRestorationIsInert`); true with any other weights
    /// (`init(weights:)`, `CLEARSUB_LITE_WEIGHTS`) or with `CLEARSUB_LITE_RESTORATION=network`.
    public var restorationNetwork = true
    /// The bundled restoration network adds its output bias to the fill and nothing else (its
    /// last ReLU layer died in training, MODEL_CARD.md "The restoration network"): under 0.002
    /// levels, and a third of the engine's time on moving footage (BENCHMARKS.md, twenty-fifth
    /// session). So with the bundled weights the engine composites the fill alone.
    /// `LiteEngineTests.testBundledRestorationNetworkIsInert` measures the residual on the bundled
    /// sample and fails if new bundled weights bring a network that restores something.
    public static let bundledRestorationIsInert = true
    /// The fill behind the subtitle: directional, with push-pull where a pixel has no two ends
    /// within reach (`HoleFill.directional`; since the fifteenth session, MODEL_CARD.md "The
    /// directional fill"), or push-pull alone (false; `CLEARSUB_LITE_FILL=pushpull`). The
    /// network was trained on push-pull fills; its residual is its bias either way.
    public var directionalFill = true
    /// The fill's hole cut down to the text's own pixels inside the head's blob (`GlyphHole`; nil,
    /// the default: the blob; `CLEARSUB_LITE_GLYPH_HOLE=1` turns it on,
    /// `…="strong=48,palette=40,share=0.2,minimum=20,grow=1,release=0.2,brightness=0.55"` sets it).
    /// Only the fill's hole changes (α and the composite do not): where it is released, the
    /// restored value is the frame's own. Not with the restoration network (its input is the blob's
    /// fill). Off by default: it gains on a moving film clip but failed its rules on boxed 1080p
    /// clips or on moving test clips (MODEL_CARD.md "The glyph hole, and weighing a dark box's division").
    public var glyphHole: GlyphHoleSettings? = nil
    /// The fill's hole cut down by the hole network (`LiteArchitecture.hole`) to the pixels it finds
    /// the subtitle changed, grown by one pixel (`learnedHole`). On when the weights hold that
    /// network; `CLEARSUB_LITE_HOLE_NETWORK=0` turns it off. Only without the restoration network
    /// (the shipped path); the glyph hole (`glyphHole`), when on, is used instead.
    public var holeNetwork = false
    /// The hole network runs on frames up to this many rows: it was trained on subtitles drawn on
    /// canvases up to 1280×720. On taller frames the text is larger than it saw, and on a boxed
    /// 1080p clip whose box the finder misses it released the box's darkened scenery
    /// (MODEL_CARD.md "The hole network").
    public static let holeNetworkRows = 720
    /// Passes of `HoleFill.smooth` over the fill's hole (0: none; `CLEARSUB_LITE_FILL_SMOOTH=N`).
    /// Only without the restoration network (the shipped path). 1 since the thirtieth session: it
    /// softens the streaks and blocks the directional fill leaves over moving scenery, at the cost
    /// of some sharpness where an edge crosses the text (MODEL_CARD.md "Smoothing the fill").
    public var fillSmoothing = 1
    /// The occlusion head's scale (nil: `LiteEngine.headFactor(width:height:)`; an experiment,
    /// `CLEARSUB_LITE_HEAD_FACTOR`).
    public var headFactorOverride: Int?
    /// The box finder's own look at the frame on frames taller than 720 rows: the occlusion head
    /// once more, one step coarser (`boxHeadFactor(width:height:)`), whose glyphs only tell the
    /// finder where to look for boxes (a box then passes the finder's own tests on the frame; α
    /// outside the boxes found stays the engine's). nil: the engine's head scale decides
    /// (`boxHeadFactor`); 0: off (`CLEARSUB_LITE_BOX_HEAD_FACTOR`).
    public var boxHeadFactorOverride: Int?
    /// A frame where the box finder finds no box, or only pieces of the boxes of the cue's earlier
    /// frames (`keptBoxesExplainMore`), uses those boxes where they still fit it
    /// (`SubtitleBoxFinder.stillFits`; false: `CLEARSUB_LITE_BOXES=nokeep`).
    public var keepBoxes = true
    /// The background memory's scale (nil: `LiteEngine.memoryScale(width:height:)`; an experiment,
    /// `CLEARSUB_LITE_MEMORY_SCALE`).
    public var memoryScaleOverride: Double?
    /// α borrowed from neighbouring frames where pixels did not change, and the memory's guard
    /// ring released where a cue is a frame or two away (`TemporalAlpha`; nil: off,
    /// `CLEARSUB_LITE_TEMPORAL_ALPHA=0`; `…="reach=2,tolerance=5,core=0.8,change=0,fade=40,release=1,rreach=2"`).
    public var temporalAlpha: TemporalAlphaSettings? = TemporalAlphaSettings()
    /// Head α of the last frames of the previous call, by video frame index (a neighbour's α is
    /// computed once, not again when the window slides), and the index of the next output frame.
    private var headCache: [Int: AlphaMap] = [:]
    private var nextFrame = 0
    /// The box layers last found (or kept), which stand in for what the finder finds in a later
    /// frame of the cue when that is less (`keepBoxes`).
    private var lastLayers: [SubtitleBoxLayer] = []
    /// Their boxes, remembered over a few frames that miss them (`SubtitleBoxFinder.find`'s `previous`).
    private var lastBoxes: [SubtitleBoxRect] { lastLayers.flatMap(\.boxes) }
    private var boxesMissed = 0

    public static let descriptor = EngineDescriptor(
        name: "lite", summary: "compact mask-free CPU network (default; bundled weights)",
        make: { _ in try LiteEngine.configured() })

    /// The engine `clearsub remove` runs: bundled weights and thresholds, unless the environment
    /// overrides them for experiments (`CLEARSUB_LITE_WEIGHTS`, `CLEARSUB_LITE_ALPHA_THRESHOLD`,
    /// `CLEARSUB_LITE_ALPHA_FULL`, `CLEARSUB_LITE_PRECISION`, `CLEARSUB_LITE_OCCLUSION_PRECISION`,
    /// `CLEARSUB_LITE_STATIC_SCENE=0|carry`, `CLEARSUB_LITE_LINE_FILTER=0`, `CLEARSUB_LITE_BOXES=0|nokeep`, `CLEARSUB_LITE_BACKGROUND_MEMORY=0`,
    /// `CLEARSUB_LITE_RESTORATION=fill|network`, `CLEARSUB_LITE_FILL=pushpull`, `CLEARSUB_LITE_FILL_SMOOTH=N`,
    /// `CLEARSUB_LITE_GLYPH_HOLE`, `CLEARSUB_LITE_HEAD_FACTOR`,
    /// `CLEARSUB_LITE_BOX_HEAD_FACTOR`,
    /// `CLEARSUB_LITE_MEMORY_SCALE`, `CLEARSUB_POOL_BYTES`;
    /// documented in MODEL_CARD.md).
    public static func configured(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LiteEngine {
        StoragePool.limitBytes = environment["CLEARSUB_POOL_BYTES"].flatMap(Int.init) ?? min(StoragePool.limitBytes, storagePoolLimit)
        let weights = environment["CLEARSUB_LITE_WEIGHTS"].flatMap { $0.isEmpty ? nil : $0 }
        let engine = try LiteEngine(weightsPath: weights)
        if let v = environment["CLEARSUB_LITE_ALPHA_THRESHOLD"].flatMap(Float.init), v > 0, v < 1 { engine.alphaThreshold = v }
        if let v = environment["CLEARSUB_LITE_ALPHA_FULL"].flatMap(Float.init), v > 0, v <= 1 { engine.alphaFull = v }
        if environment["CLEARSUB_LITE_STATIC_SCENE"] == "0" { engine.staticSceneSettings = nil }
        if environment["CLEARSUB_LITE_STATIC_SCENE"] == "carry" { engine.staticSceneSettings?.carry = true }
        if environment["CLEARSUB_LITE_LINE_FILTER"] == "0" { engine.textLineFilter = nil }
        switch environment["CLEARSUB_LITE_BOXES"] {
        case nil, "", "1": break
        case "0": engine.subtitleBoxes = nil
        case "nokeep": engine.keepBoxes = false
        case let v? where v.hasPrefix("noise="):
            guard let k = Float(v.dropFirst(6)), k >= 0, k <= 1 else { throw LiteError.invalidSetting("CLEARSUB_LITE_BOXES=\(v): use noise=K with K from 0 to 1") }
            engine.subtitleBoxes?.divisionNoise = k
        case let v?: throw LiteError.invalidSetting("CLEARSUB_LITE_BOXES=\(v): use 0 (no box finder), nokeep (no boxes kept from a cue's earlier frames) or noise=K (weigh the division against a fill, K from 0 to 1)")
        }
        if let v = environment["CLEARSUB_LITE_HEAD_FACTOR"] {
            guard let f = Int(v), (1...16).contains(f) else { throw LiteError.invalidSetting("CLEARSUB_LITE_HEAD_FACTOR=\(v): use a whole number from 1 to 16") }
            engine.headFactorOverride = f
        }
        if let v = environment["CLEARSUB_LITE_BOX_HEAD_FACTOR"] {
            guard let f = Int(v), (0...16).contains(f) else { throw LiteError.invalidSetting("CLEARSUB_LITE_BOX_HEAD_FACTOR=\(v): use 0 (off) or a whole number from 1 to 16") }
            engine.boxHeadFactorOverride = f
        }
        if let v = environment["CLEARSUB_LITE_MEMORY_SCALE"] {
            guard let k = Double(v), k >= 0.25, k <= 16 else { throw LiteError.invalidSetting("CLEARSUB_LITE_MEMORY_SCALE=\(v): use a number from 0.25 to 16") }
            engine.memoryScaleOverride = k
        }
        switch environment["CLEARSUB_LITE_FILL"] {
        case nil, "", "directional": break
        case "pushpull": engine.directionalFill = false
        case let v?: throw LiteError.invalidSetting("CLEARSUB_LITE_FILL=\(v): use pushpull or directional")
        }
        if let v = environment["CLEARSUB_LITE_FILL_SMOOTH"] {
            guard let n = Int(v), n >= 0, n <= 8 else { throw LiteError.invalidSetting("CLEARSUB_LITE_FILL_SMOOTH=\(v): use a number of passes from 0 to 8") }
            engine.fillSmoothing = n
        }
        switch environment["CLEARSUB_LITE_GLYPH_HOLE"] {
        case nil: break
        case "0": engine.glyphHole = nil
        case "1": engine.glyphHole = GlyphHoleSettings()
        case let v?:
            guard let g = GlyphHoleSettings(parsing: v) else {
                throw LiteError.invalidSetting("CLEARSUB_LITE_GLYPH_HOLE=\(v): use 0, 1 or key=value pairs (strong, palette, share, minimum, grow, release, brightness)")
            }
            engine.glyphHole = g
        }
        switch environment["CLEARSUB_LITE_HOLE_NETWORK"] {
        case nil, "": break
        case "0": engine.holeNetwork = false
        case "1":
            guard engine.network.weights.hasHoleNetwork else {
                throw LiteError.invalidSetting("CLEARSUB_LITE_HOLE_NETWORK=1: these weights hold no hole network (hole.*); train one with clearsub train stage2 --hole")
            }
            engine.holeNetwork = true
        case let v?: throw LiteError.invalidSetting("CLEARSUB_LITE_HOLE_NETWORK=\(v): use 0 or 1")
        }
        switch environment["CLEARSUB_LITE_RESTORATION"] {
        case nil, "": break
        case "network": engine.restorationNetwork = true
        case "fill": engine.restorationNetwork = false
        case let v?: throw LiteError.invalidSetting("CLEARSUB_LITE_RESTORATION=\(v): use network or fill (default: fill with the bundled weights, whose network is inert; network with CLEARSUB_LITE_WEIGHTS)")
        }
        if let v = environment["CLEARSUB_LITE_BACKGROUND_MEMORY"], v != "1" {
            if v == "0" {
                engine.backgroundMemory = nil
            } else if let settings = BackgroundMemorySettings(parsing: v) {
                engine.backgroundMemory = settings
            } else {
                throw LiteError.invalidSetting("CLEARSUB_LITE_BACKGROUND_MEMORY=\(v): use 0, 1 or key=value pairs (\(BackgroundMemorySettings.keys.joined(separator: ", ")))")
            }
        }
        if let v = environment["CLEARSUB_LITE_TEMPORAL_ALPHA"], v != "1" {
            if v == "0" {
                engine.temporalAlpha = nil
            } else if let settings = TemporalAlphaSettings(parsing: v) {
                engine.temporalAlpha = settings.reach > 0 ? settings : nil
            } else {
                throw LiteError.invalidSetting("CLEARSUB_LITE_TEMPORAL_ALPHA=\(v): use 0, 1 or key=value pairs (reach, tolerance, core, change, fade, release, rreach, bkeep, bdiff, lead, lshare, lfade)")
            }
        } else if environment["CLEARSUB_LITE_TEMPORAL_ALPHA"] == "1" { engine.temporalAlpha = TemporalAlphaSettings() }
        if let p = environment["CLEARSUB_LITE_PRECISION"].flatMap(LitePrecision.init(rawValue:)) {
            engine.occlusionPrecision = p; engine.restorationPrecision = p
        }
        if let p = environment["CLEARSUB_LITE_OCCLUSION_PRECISION"].flatMap(LitePrecision.init(rawValue:)) { engine.occlusionPrecision = p }
        return engine
    }

    /// Freed tensor blocks the process keeps for reuse while this engine runs (`StoragePool`; set by
    /// `configured()`, `CLEARSUB_POOL_BYTES` overrides it). The pool's default, an eighth of the
    /// machine's memory sized for Wan's activations, filled up with blocks of every restoration-region
    /// shape a long video produces, each freed once and rarely asked for again: 1.7 GB resident on a
    /// 16-second 1280×720 clip against 1.0 GB with this cap, at the same speed (BENCHMARKS.md).
    public static let storagePoolLimit = 256 << 20

    /// The bundled weights file.
    public static var bundledWeightsPath: String {
        Bundle.module.resourceURL.map { $0.appendingPathComponent("Weights/lite.safetensors").path } ?? "Weights/lite.safetensors"
    }

    public init(weights: LiteWeights, chunkSize: Int = 16, chunkOverlap: Int = 2 * LiteArchitecture.radius) {
        network = LiteNetwork(weights: weights, trainable: false)
        holeNetwork = weights.hasHoleNetwork
        self.chunkSize = chunkSize; self.chunkOverlap = chunkOverlap
    }

    /// Loads `weightsPath` (default: the bundled weights, whose inert restoration network then does
    /// not run: `bundledRestorationIsInert`); missing or mis-shaped tensors fail with their key.
    public convenience init(weightsPath: String? = nil) throws {
        try self.init(weights: LiteWeights.engine(path: weightsPath ?? LiteEngine.bundledWeightsPath))
        if weightsPath == nil { restorationNetwork = !LiteEngine.bundledRestorationIsInert }
    }

    /// Cleans `chunk` as a whole video (the background memory starts empty).
    public func clean(_ chunk: [RGBFrame]) throws -> [RGBFrame] {
        try clean(chunk, staticScene: [StaticSceneMap?](repeating: nil, count: chunk.count))
    }

    /// Cleans `chunk` as a whole video (the background memory starts empty).
    public func clean(_ chunk: [RGBFrame], staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
        beginVideo()
        return try clean(chunk, outputs: 0..<chunk.count, staticScene: staticScene)
    }

    /// Forgets the background memory: the next frame cleaned is the first of a video.
    public func beginVideo() { plate = nil; headCache = [:]; nextFrame = 0; lastLayers = [] }

    /// Cleans `chunk[outputs]`; the other frames of `chunk` only serve as the windows' context.
    /// Successive calls continue the video (the background memory carries over; the outputs must
    /// follow each other in video order) until `beginVideo()`.
    public func clean(_ chunk: [RGBFrame], outputs: Range<Int>, staticScene: [StaticSceneMap?]) throws -> [RGBFrame] {
        guard let first = chunk.first else { throw LiteError.emptyChunk }
        guard chunk.count <= chunkSize else { throw LiteError.chunkTooLong(chunk.count, max: chunkSize) }
        guard outputs.lowerBound >= 0, outputs.upperBound <= chunk.count else {
            throw LiteError.outputsOutOfChunk(outputs, chunk: chunk.count)
        }
        let (w, h) = (first.width, first.height)
        guard w >= 16, h >= 16 else { throw LiteError.frameTooSmall(width: w, height: h) }
        for f in chunk where f.width != w || f.height != h {
            throw LiteError.frameSizeMismatch(expected: "\(w)x\(h)", got: "\(f.width)x\(f.height)")
        }
        let (f, pw, ph) = headGeometry(width: w, height: h)
        let r = LiteArchitecture.radius, reach = temporalAlpha?.reach ?? 0, span = temporalAlpha?.span ?? 0
        // the chunk indices of chunk[j]'s window t−r…t+r, clamped to the chunk
        func window(_ j: Int) -> [Int] { (-r...r).map { min(max(j + $0, 0), chunk.count - 1) } }
        // chunk[i] as a head reads it at 1/factor, made when a window first needs it (one cache per scale)
        func reducedFrame(_ i: Int, cache: inout [Tensor?], factor: Int, paddedWidth: Int, paddedHeight: Int) -> Tensor {
            if let t = cache[i] { return t }
            let t = LiteFeatures.reducedInterleaved(chunk[i], factor: factor, paddedWidth: paddedWidth, paddedHeight: paddedHeight)
            cache[i] = t
            return t
        }
        var reduced = [Tensor?](repeating: nil, count: chunk.count)
        // the occlusion head's α of chunk[j], computed once per video frame: a frame's window lies
        // inside the chunk whenever the frame is within `span` of an output (contextRadius), so a
        // cached α from the previous call is the same as a new one
        let base = nextFrame - outputs.lowerBound   // video index of chunk[0]
        if headCache.values.contains(where: { $0.width != w || $0.height != h }) { headCache = [:] }
        func head(_ j: Int) throws -> AlphaMap {
            if let a = headCache[base + j] { return a }
            let frames = window(j).map { reducedFrame($0, cache: &reduced, factor: f, paddedWidth: pw, paddedHeight: ph) }
            let a = try occlusion(reduced: frames, factor: f, width: w, height: h)
            if span > 0 { headCache[base + j] = a }
            return a
        }
        defer {
            nextFrame += outputs.count
            headCache = headCache.filter { $0.key >= nextFrame - span }
        }
        // the box finder's coarser look (frames taller than 720 rows): the head on the window at
        // 1/`bf`, for the frame being cleaned only
        let boxFactor = subtitleBoxes == nil ? nil : boxHeadFactor(width: w, height: h)
        var coarse = [Tensor?](repeating: nil, count: chunk.count)
        func boxHead(_ j: Int, factor bf: Int) throws -> AlphaMap {
            let (_, cw, ch) = headGeometry(width: w, height: h, factor: bf)
            let frames = window(j).map { reducedFrame($0, cache: &coarse, factor: bf, paddedWidth: cw, paddedHeight: ch) }
            return try occlusion(reduced: frames, factor: bf, width: w, height: h)
        }
        // the frames within n before and after chunk[t]
        func around(_ t: Int, _ n: Int) -> (before: [Int], after: [Int]) {
            (Array(max(0, t - n)..<t), Array((t + 1)..<min(chunk.count, t + n + 1)))
        }
        var out: [RGBFrame] = []
        out.reserveCapacity(outputs.count)
        for t in outputs {
            let idx = window(t)
            var alpha = try head(t)
            var raised: [Int] = []   // pixels where the frame's own head α is 0 and a neighbour's was borrowed
            // the frames within `reach` before and after t, whose head α the borrowing reads
            let (before, after) = around(t, reach)
            if let temporal = temporalAlpha, temporal.reach > 0 {
                raised = TemporalAlpha.borrow(&alpha, frame: chunk[t], from: try (before + after).map { (try head($0), chunk[$0], $0 > t) },
                                              past: before.map { chunk[$0] }, future: after.map { chunk[$0] }, settings: temporal)
            }
            let scene = t < staticScene.count ? staticScene[t] : nil
            if let scene, scene.width != w || scene.height != h {
                throw LiteError.frameSizeMismatch(expected: "\(w)x\(h)", got: "static-scene map \(scene.width)x\(scene.height)")
            }
            applySceneAndLineCues(&alpha, scene: scene)
            // A subtitle box around the text (`SubtitleBoxFinder`): the whole box is subtitle (α = 1,
            // so the memory gives back what it saw there), and restoration starts from the frame
            // with the box divided out (`centre`), filling only the glyphs inside it (`glyphs`).
            var centre = chunk[t]
            var glyphs: AlphaMap?
            var boxed: [Int] = []
            // inside boxes, the weight of the division's restoration against the undivided frame's
            // fill (`SubtitleBoxSettings.divisionNoise`; frame-sized, empty when there is no box)
            var divisionWeight: [Float] = []
            // where the finder looks: α; on large frames where α shows it no box, also the glyphs of
            // the coarser look (with the same cues applied). Only the boxes it finds change the
            // engine's α.
            var boxAlpha = alpha
            var layers: [SubtitleBoxLayer] = []
            if let settings = subtitleBoxes {
                if !alpha.isEmpty { layers = SubtitleBoxFinder.find(frame: centre, alpha: alpha, settings: settings, previous: lastBoxes) }
                if layers.isEmpty, let bf = boxFactor, Self.coarseLookCanMatter(own: alpha, glyph: settings.glyph, remembered: lastBoxes) {
                    var seen = try boxHead(t, factor: bf)
                    applySceneAndLineCues(&seen, scene: scene)
                    if !seen.isEmpty {
                        for i in boxAlpha.values.indices where seen.values[i] > boxAlpha.values[i] { boxAlpha.values[i] = seen.values[i] }
                        // a layer found only through the coarser look needs some of the engine's
                        // own glyphs inside its boxes: scenery the coarse halo lit up has none
                        layers = SubtitleBoxFinder.find(frame: centre, alpha: boxAlpha, settings: settings, previous: lastBoxes)
                            .filter { Self.holdsOwnGlyphs($0, own: alpha, read: boxAlpha, glyph: settings.glyph) }
                    }
                }
            }
            if subtitleBoxes == nil || boxAlpha.isEmpty { lastLayers = [] }
            if let settings = subtitleBoxes, !boxAlpha.isEmpty {
                // the boxes of the cue's earlier frames, where they still fit this one, stand in for
                // what the finder found this frame when that is nothing, or less: pieces of them only
                // (a box split by a stroke, one of a box and its shadow missed)
                if keepBoxes, !lastLayers.isEmpty {
                    let kept = lastLayers.filter { SubtitleBoxFinder.stillFits($0, frame: centre, alpha: boxAlpha, settings: settings) }
                    if !kept.isEmpty, Self.keptBoxesExplainMore(kept: kept.flatMap(\.boxes), found: layers.flatMap(\.boxes)) { layers = kept }
                }
                // a lone layer's division, kept from the test below (the same call it would be again)
                var divisionOfLone: (frame: RGBFrame, alpha: AlphaMap, pixels: [Int])?
                if let plate, !layers.isEmpty {
                    // a dark rectangle the plate saw before the text came (a window behind a top cue)
                    // is scenery: there the plate matches the frame as it is, not divided
                    let found = layers.count
                    layers = layers.filter { l in
                        var divided = centre, inside = boxAlpha
                        let pixels = SubtitleBoxFinder.unblend(&divided, alpha: &inside, layers: [l], settings: settings)
                        if found == 1 { divisionOfLone = (divided, inside, pixels) }
                        // around the boxes the freshness rule asks whether the scenery changed since
                        // the plate saw under them
                        return !plate.showed(centre, ratherThan: divided, at: pixels.filter { inside.values[$0] == 0 },
                                             around: l.surroundings(alpha: boxAlpha))
                    }
                }
                // the boxes last found are remembered over a few frames that miss them
                if !layers.isEmpty { lastLayers = layers; boxesMissed = 0 } else {
                    boxesMissed += 1
                    if boxesMissed > settings.memoryFrames { lastLayers = [] }
                }
                if !layers.isEmpty {
                    if layers.count == 1, let kept = divisionOfLone {
                        (centre, glyphs, boxed) = (kept.frame, kept.alpha, kept.pixels)
                    } else {
                        var inside = boxAlpha
                        boxed = SubtitleBoxFinder.unblend(&centre, alpha: &inside, layers: layers, settings: settings)
                        glyphs = inside
                    }
                    for i in boxed { alpha.values[i] = 1 }
                    if let k = settings.divisionNoise {
                        divisionWeight = [Float](repeating: 1, count: w * h)
                        let ts = SubtitleBoxFinder.divisionTransmissions(boxed, layers: layers, width: w, settings: settings)
                        for (i, t) in zip(boxed, ts) { divisionWeight[i] = t * t / (t * t + k) }
                    }
                }
            }
            var frame = chunk[t]
            // of those, the ones the cues kept (what the memory's completion adds is kept for record)
            let borrowedOnly = raised.filter { alpha.values[$0] > 0 }
            let (near, matches, doubted, still) = consultMemory(&alpha, frame: chunk[t])
            // the fill's hole: α (with what the memory's completion added), but inside boxes the glyphs only
            var hole = alpha
            if let glyphs { for i in boxed { hole.values[i] = glyphs.values[i] } }
            if !alpha.isEmpty {
                // Regions snap to a 32-pixel grid so their shapes repeat and oneDNN's cached
                // convolution primitives are reused (a new shape costs a primitive creation).
                var grid = alpha.activeTiles(tile: tile)
                // inside boxes, the plate only where it agrees with the box divided out
                let plateAlpha = glyphs == nil || plate == nil ? alpha
                    : plate!.agreeing(alpha, pixels: boxed, frame: centre, exclude: hole, tolerance: subtitleBoxes!.plateTolerance)
                if let plate {
                    // tiles the plate gives back whole need no network restoration (tiles with a box go
                    // through restoration: the division is what they start from)
                    var shortcut = grid
                    for i in boxed { shortcut[(i / w) / tile][(i % w) / tile] = false }
                    // blocks the seam test doubts mix the plate with the restoration: not given back whole
                    let whole = doubted.isEmpty ? matches : zip(matches, doubted).map { $0 && !$1 }
                    for r in plate.coveredTiles(grid: shortcut, tile: tile, alpha: alpha, matches: whole) {
                        let restored = Tensor(shape: [1, 3, r.height, r.width], dtype: .f32, zeroed: true)
                        plate.apply(to: restored, region: r, alpha: alpha, matches: matches)
                        AlphaCompositor.blend(restored, region: r, alpha: alpha, into: &frame)
                        grid[r.y / tile][r.x / tile] = false
                    }
                }
                let regions = TileRegions.regions(grid: grid, tile: tile, margin: margin,
                                                  align: 32, paddedWidth: pw, paddedHeight: ph)
                let frames = idx.map { $0 == t ? centre : chunk[$0] }
                for r in regions {
                    var restored = try restore(frames: frames, alpha: hole, region: r, fixed: boxed)
                    if !divisionWeight.isEmpty {
                        restored = weighUndividedFill(restored, region: r, frames: idx.map { chunk[$0] }, alpha: alpha, weight: divisionWeight)
                    }
                    if let plate {
                        restored = restored.toF32()
                        plate.apply(to: restored, region: r, alpha: plateAlpha, matches: matches, doubted: doubted)
                    }
                    AlphaCompositor.blend(restored, region: r, alpha: alpha, into: &frame)
                }
            }
            if plate != nil {
                // Borrowed α reaches into the frames just before a cue (the halo of the text to
                // come, where pixels have not changed yet); the plate still records those frames
                // as it would without borrowing: its guard ring comes from the frame's own α and
                // what the completion added. With `TemporalAlphaSettings.keepAppearingText` (on by
                // default) the borrowed pixels that are the text of a cue appearing or leaving (its first or
                // last frames, where the head's window still sees clean frames) stay out of this
                // frame's record, without a guard ring of their own.
                var own = alpha
                for i in borrowedOnly { own.values[i] = 0 }
                var appearing: [Int] = []
                if let temporal = temporalAlpha, temporal.keepAppearingText == 1, !borrowedOnly.isEmpty {
                    let (b, a) = around(t, temporal.reach)
                    var heads: [Int: AlphaMap] = [:]
                    for j in b + a { heads[j] = try head(j) }
                    appearing = TemporalAlpha.appearingText(borrowedOnly, t: t, frames: chunk, heads: heads, reach: temporal.reach, settings: temporal)
                }
                var released: [Int] = [], leads = false
                if let temporal = temporalAlpha, temporal.release > 0, !alpha.isEmpty {
                    // the head's window saw a cue a frame or two away; this frame shows what is behind it
                    let compared = around(t, temporal.releaseReach)
                    var heads: [Int: AlphaMap] = [:]
                    for j in compared.before + compared.after { heads[j] = try head(j) }
                    let evidence = TemporalAlpha.evidence(own, t: t, frames: chunk, heads: heads, settings: temporal)
                    released = TemporalAlpha.released(evidence)
                    leads = temporal.lead > 0 && TemporalAlpha.leads(evidence, t: t, frames: chunk, settings: temporal)
                    for i in released { own.values[i] = 0 }
                }
                for i in boxed { own.values[i] = 1 }
                var recordNear = borrowedOnly.isEmpty && released.isEmpty ? near : plate!.nearSubtitle(own)
                for i in appearing { recordNear[i] = 1 }
                plate!.record(chunk[t], near: recordNear, still: still)
                // a clean frame beside a cue: what lies under its α and guard ring is scenery
                if leads { plate!.recordClean(chunk[t], at: recordNear) }
            }
            out.append(frame)
        }
        return out
    }

    /// The background memory's part before restoration (nothing when it is off): a plate for this
    /// frame size and these settings, α completed in still frames, the guard ring (`near`) and
    /// the blocks whose scenery matches the plate and those of them the seam test doubts
    /// (empty when none), for `BackgroundPlate.apply`, and whether the frame is still enough for
    /// `record` to hold the plate against strong changes.
    private func consultMemory(_ alpha: inout AlphaMap, frame: RGBFrame) -> (near: [UInt8], matches: [Bool], doubted: [Bool], still: Bool) {
        guard let base = backgroundMemory else { plate = nil; return ([], [], [], false) }
        let settings = base.scaled(by: memoryScale(width: frame.width, height: frame.height))
        if plate?.width != frame.width || plate?.height != frame.height || plate?.settings != settings {
            plate = BackgroundPlate(width: frame.width, height: frame.height, settings: settings)
        }
        var near = plate!.nearSubtitle(alpha)
        plate!.follow(frame: frame, near: near)   // a camera pan moves the plate with the scenery
        let stillness = plate!.stillFraction(frame: frame, near: near)
        let still = settings.holdFrames > 0 && stillness >= settings.holdStillFraction
        guard !alpha.isEmpty else { return (near, [], [], still) }
        var matches: [Bool]
        if settings.completionDifference != nil, stillness >= settings.completionStillFraction {
            var candidates = plate!.completionCandidates(alpha)
            matches = []
            for round in 0..<max(1, settings.completionRounds) {
                // the blocks apply uses (contextShare) for this round's α, and the completion's stricter ones
                let both = plate!.matchingBlocks(frame: frame, near: near, testing: candidates,
                                                 shares: [settings.contextShare, settings.completionShare])
                matches = both[0]
                guard round < settings.completionRounds else { break }
                guard plate!.complete(&alpha, near: near, candidates: candidates, matches: both[1], frame: frame) > 0 else { break }
                (near, candidates) = plate!.nearAndCandidates(alpha)
            }
        } else {
            // no completion in this frame: only the blocks apply reads (those of α > 0) are needed
            matches = plate!.matchingBlocks(frame: frame, near: near)
        }
        var doubted: [Bool] = []
        plate!.checkSeams(&matches, doubted: &doubted, alpha: alpha, near: near, frame: frame, still: still,
                          ringFill: ringFill(frame: frame, near: near))
        return (near, matches, doubted, still)
    }

    /// The fill cross-check's leave-out fill of `frame` (`BackgroundPlate.leaveOutFill` with the
    /// engine's directional fill), for `checkSeams` to call where it needs it.
    private func ringFill(frame: RGBFrame, near: [UInt8]) -> () -> RegionImage? {
        let directional = directionalSettings(width: frame.width, height: frame.height)
        return { BackgroundPlate.leaveOutFill(frame, near: near, directional: directional) }
    }

    /// The occlusion head's α for frame `t` of `chunk`, before the cues, the borrowing from
    /// neighbouring frames and the memory (for tests and diagnostics).
    public func alphaMap(_ chunk: [RGBFrame], at t: Int) throws -> AlphaMap {
        let (w, h) = (chunk[0].width, chunk[0].height)
        let (f, pw, ph) = headGeometry(width: w, height: h)
        let idx = (-LiteArchitecture.radius...LiteArchitecture.radius).map { min(max(t + $0, 0), chunk.count - 1) }
        return try occlusion(reduced: idx.map { LiteFeatures.reducedInterleaved(chunk[$0], factor: f, paddedWidth: pw, paddedHeight: ph) },
                             factor: f, width: w, height: h)
    }

    /// The head's factor for a `width`×`height` frame and the padded size both networks see: a
    /// multiple of 4·factor, so that the reduced frame passes the head's two stride-2 layers.
    private func headGeometry(width w: Int, height h: Int, factor: Int? = nil) -> (factor: Int, paddedWidth: Int, paddedHeight: Int) {
        let f = factor ?? headFactor(width: w, height: h), a = LiteArchitecture.alignment / 2 * f
        return (f, (w + a - 1) / a * a, (h + a - 1) / a * a)
    }

    /// α for one frame from the reduced frames of its window ([1, h, w, 3] each, at 1/`factor` of
    /// the frame's resolution: `reducedInterleaved`).
    public func occlusion(reduced: [Tensor], factor: Int = 2, width: Int, height: Int) throws -> AlphaMap {
        let logits = try network.occlusionLogitsChannelsLast(LiteFeatures.occlusionInputChannelsLast(halves: reduced),
                                                             precision: occlusionPrecision)
        let p = try Ops.activation(logits, .sigmoid).reshaped([1, 1, logits.shape[1], logits.shape[2]])
        return try AlphaMap(headProbabilities: p, factor: factor, width: width, height: height, threshold: alphaThreshold, full: alphaFull)
    }

    /// The scale the occlusion head runs at: 1/`headFactor` of the frame's resolution. The head
    /// was trained at half resolution on subtitles drawn on canvases up to 1280×720, so it knows
    /// glyphs of those sizes; libass scales a subtitle with the frame, and on a 4K frame at half
    /// resolution the head saw glyphs twice the size it knows and missed them all (MODEL_CARD.md,
    /// "Large frames"). libass sizes text by the frame's height, so the rule does too: the height
    /// over 450, rounded, at least 2 — 2 up to 1920×1080, 3 for 2560×1440, 5 for 3840×2160 (chosen
    /// on frames of those sizes), 3 for a 720×1280 and 4 for a 1080×1920 portrait frame.
    /// `headFactorOverride` sets it (`CLEARSUB_LITE_HEAD_FACTOR`).
    public func headFactor(width: Int, height: Int) -> Int {
        if let f = headFactorOverride { return f }
        return LiteEngine.headFactor(width: width, height: height)
    }

    /// How much taller than 720 rows the frame is, at least 1 (1.5 at 1920×1080, 3 at 3840×2160,
    /// 2.67 for a 1080×1920 portrait frame; subtitles scale with the height). The background
    /// memory's numbers were chosen on footage up to 1280×720; its pixel distances and block size scale by this (`BackgroundMemorySettings.scaled`),
    /// so that a subtitle box on a large frame still has context around its inner blocks
    /// (MODEL_CARD.md "Large frames"). `memoryScaleOverride` sets it (`CLEARSUB_LITE_MEMORY_SCALE`).
    public func memoryScale(width: Int, height: Int) -> Double {
        memoryScaleOverride ?? LiteEngine.memoryScale(width: width, height: height)
    }

    public static func memoryScale(width: Int, height: Int) -> Double {
        max(1, Double(height) / 720)
    }

    public static func headFactor(width: Int, height: Int) -> Int {
        max(2, Int((Double(height) / 450).rounded()))
    }

    /// A layer the finder found only through the coarser look is kept when the engine's own glyph
    /// pixels (α ≥ `glyph`) inside its boxes are at least this share of those of the α it read
    /// (MODEL_CARD.md "Subtitle boxes, fifth look"; without it, the coarse halo on scenery near the
    /// top of 1440p frames passed as boxes: "fourth look", rule 10).
    public static let coarseLookOwnGlyphShare: Float = 0.1

    /// Whether `layer`, found on α `read` (the engine's α `own` raised by the coarser look), holds
    /// enough of the engine's own glyphs: `coarseLookOwnGlyphShare` of `read`'s inside its boxes.
    public static func holdsOwnGlyphs(_ layer: SubtitleBoxLayer, own: AlphaMap, read: AlphaMap, glyph: Float) -> Bool {
        Float(layer.glyphPixels(own, at: glyph)) >= coarseLookOwnGlyphShare * Float(layer.glyphPixels(read, at: glyph))
    }

    /// Whether the boxes kept from earlier frames of a cue explain more than those `found` in this
    /// frame: every box found lies inside a kept one (within a row and two columns), and the boxes
    /// found are not the kept ones again, one for one (`SubtitleBoxRect.sameRows`): some kept box is
    /// missing, or a box is found beyond them.
    public static func keptBoxesExplainMore(kept: [SubtitleBoxRect], found: [SubtitleBoxRect]) -> Bool {
        let inside = found.allSatisfy { b in
            kept.contains { $0.top <= b.top + 1 && $0.bottom >= b.bottom - 1 && $0.x0 <= b.x0 + 2 && $0.x1 >= b.x1 - 2 }
        }
        guard inside else { return false }
        // each kept box matched by a box found of its own (a box and its drop shadow, a few rows
        // apart, are both within `sameRows`' slack of one box found)
        var unused = found
        for k in kept {
            guard let i = unused.firstIndex(where: { $0.sameRows(k) }) else { return true }
            unused.remove(at: i)
        }
        // …and no box found beyond them (inside a kept box, a band between two thin strokes)
        return !unused.isEmpty
    }

    /// Whether the coarser look can change this frame or the box memory. Where the engine's own α
    /// has no glyph pixel (α ≥ `glyph`), the guard drops every layer the look finds (a layer's
    /// boxes hold at least one glyph pixel of the α the finder read, `SubtitleBoxFinder.layer`,
    /// against none of the engine's), so the look can only count a missed frame for the boxes
    /// remembered; with none remembered that count is never read (it restarts at 0 when boxes are
    /// next found), so the look changes nothing and is skipped (the same output, without the
    /// extra head pass on frames with no subtitle).
    public static func coarseLookCanMatter(own: AlphaMap, glyph: Float, remembered: [SubtitleBoxRect]) -> Bool {
        !remembered.isEmpty || own.values.contains { $0 >= glyph }
    }

    /// The scale of the box finder's own look at the frame (nil: none): one step coarser than the
    /// head's on frames taller than 720 rows. There a box's glyphs are larger than the head
    /// learned, and the head often finds too few of them for the finder to look around (1920×1080
    /// boxed cues: MODEL_CARD.md "Subtitle boxes, fourth look"); the coarser head finds more, with
    /// a halo over scenery the engine's α must not have (MODEL_CARD.md "Large frames, second
    /// look"), so only the finder reads it. `boxHeadFactorOverride` sets it (0: off).
    public func boxHeadFactor(width: Int, height: Int) -> Int? {
        if let f = boxHeadFactorOverride { return f > 0 ? f : nil }
        return height > 720 ? headFactor(width: width, height: height) + 1 : nil
    }

    /// The static-scene and line cues on `alpha`, in the engine's order: α 0 in the blocks `scene`
    /// marks static, the line cue, then α 0 in the blocks it only carries
    /// (`StaticSceneSettings.carry`), so that the line cue reads α as without carry.
    func applySceneAndLineCues(_ alpha: inout AlphaMap, scene: StaticSceneMap?) {
        if let scene { alpha.suppress(scene) }
        if let filter = textLineFilter { alpha.keepTextLines(filter) }
        if let carried = scene?.carriedMap { alpha.suppress(carried) }
    }

    /// What restoration sees in region `r` of the centre frame of `frames` (the 5-frame window):
    /// α cut to the region (row-major, 0 beyond the frame), the network's channels-last input and
    /// the fill [1, h, w, 3] it starts from (directional or push-pull, `directionalFill`).
    public func restorationInputs(frames: [RGBFrame], alpha: AlphaMap, region r: TileRegion) -> (alpha: [Float], input: Tensor, fill: Tensor) {
        let a = regionAlpha(alpha, r)
        let (input, fill) = LiteFeatures.restorationInputChannelsLast(frames, x0: r.x, y0: r.y, w: r.width, h: r.height, alpha: a,
                                                                      directional: directionalSettings(width: frames[0].width, height: frames[0].height))
        return (a, input, fill)
    }

    /// α of `alpha` cut to region `r` (row-major, 0 beyond the frame).
    func regionAlpha(_ alpha: AlphaMap, _ r: TileRegion) -> [Float] {
        var a = [Float](repeating: 0, count: r.width * r.height)
        for y in 0..<r.height where r.y + y < alpha.height {
            for x in 0..<r.width where r.x + x < alpha.width { a[y * r.width + x] = alpha.values[(r.y + y) * alpha.width + r.x + x] }
        }
        return a
    }

    /// The directional fill's reach and sigma on frames of this size (nil: push-pull alone,
    /// `directionalFill` false): reach 48 px at 720p, growing with the frame as subtitles do;
    /// ends within 20 levels agree.
    func directionalSettings(width: Int, height: Int) -> (reach: Int, sigma: Float)? {
        guard directionalFill else { return nil }
        return LiteEngine.directionalSettings(scale: memoryScale(width: width, height: height))
    }

    /// The directional fill's reach and sigma at the background memory's `scale` (1 up to 720 rows).
    static func directionalSettings(scale: Double) -> (reach: Int, sigma: Float) {
        (reach: Int((48 * scale).rounded()), sigma: Float(20) / 255)
    }

    /// `restored` (the region's restoration from the frame with its boxes divided out) where
    /// `weight` (frame-sized) is 1, and elsewhere weighed against the fill of the undivided
    /// `frames`' centre with `alpha` (the whole box) as the hole: weight · restored + (1 − weight) ·
    /// fill (`SubtitleBoxSettings.divisionNoise`). f32.
    func weighUndividedFill(_ restored: Tensor, region r: TileRegion, frames: [RGBFrame], alpha: AlphaMap, weight: [Float]) -> Tensor {
        let (fw, fh) = (alpha.width, alpha.height)
        var any = false
        for y in max(0, r.y)..<min(fh, r.y + r.height) where !any {
            for x in max(0, r.x)..<min(fw, r.x + r.width) where weight[y * fw + x] < 1 { any = true; break }
        }
        guard any else { return restored }
        let fill = LiteFeatures.centreFillPlanar(frames, x0: r.x, y0: r.y, w: r.width, h: r.height, alpha: regionAlpha(alpha, r),
                                                 directional: directionalSettings(width: fw, height: fh))
        let out = restored.toF32(), o = out.f32, plane = r.width * r.height
        for y in max(0, r.y)..<min(fh, r.y + r.height) {
            for x in max(0, r.x)..<min(fw, r.x + r.width) where weight[y * fw + x] < 1 {
                let k = weight[y * fw + x], ri = (y - r.y) * r.width + (x - r.x)
                for c in 0..<3 { o[c * plane + ri] = k * o[c * plane + ri] + (1 - k) * fill[c * plane + ri] }
            }
        }
        return out
    }

    /// The region's hole (`a`, region α) cut down by `GlyphHole.tighten` from the centre frame and
    /// `fill` (the blob's), except at the `fixed` frame pixels; nil when it stays as it is.
    func glyphHole(_ g: GlyphHoleSettings, frames: [RGBFrame], region r: TileRegion, alpha a: [Float], fill: [Float], fixed: [Int]) -> [Float]? {
        let (fw, fh) = (frames[0].width, frames[0].height)
        var image = [Float](repeating: 0, count: 3 * r.width * r.height)
        image.withUnsafeMutableBufferPointer {
            LiteFeatures.planar(frames[LiteArchitecture.radius], x0: r.x, y0: r.y, w: r.width, h: r.height, into: $0.baseAddress!)
        }
        var held: [Bool]?
        for i in fixed {
            let (x, y) = (i % fw - r.x, i / fw - r.y)
            guard x >= 0, x < r.width, y >= 0, y < r.height else { continue }
            if held == nil { held = [Bool](repeating: false, count: r.width * r.height) }
            held![y * r.width + x] = true
        }
        return GlyphHole.tighten(image: image, fill: fill, alpha: a, fixed: held, width: r.width, height: r.height,
                                 settings: g, scale: memoryScale(width: fw, height: fh))
    }

    /// The region's hole (`a`, region α) cut down by the hole network to the pixels whose logit is
    /// above 0, grown by one 4-connected step inside α, and kept at the `fixed` frame pixels; `fill`
    /// is the blob's fill (planar [3, h, w], the network's fill input). nil when it releases nothing.
    func learnedHole(frames: [RGBFrame], region r: TileRegion, alpha a: [Float], fill: [Float], fixed: [Int]) throws -> [UInt8]? {
        let (w, h, n) = (r.width, r.height, r.width * r.height)
        let input = LiteFeatures.restorationInputChannelsLast(frames, x0: r.x, y0: r.y, w: w, h: h, alpha: a, fill: fill).input
        let logits = try network.holeLogitsChannelsLast(input: input, precision: restorationPrecision).floats()
        let text = GlyphHole.grown((0..<n).map { a[$0] > 0 && logits[$0] > 0 }, width: w, height: h, steps: 1)
        var hole = [UInt8](repeating: 0, count: n), released = 0
        for i in 0..<n where a[i] > 0 {
            if text[i] { hole[i] = 1 } else { released += 1 }
        }
        let fw = frames[0].width
        for i in fixed {
            let (x, y) = (i % fw - r.x, i / fw - r.y)
            guard x >= 0, x < w, y >= 0, y < h, a[y * w + x] > 0, hole[y * w + x] == 0 else { continue }
            hole[y * w + x] = 1; released -= 1
        }
        return released > 0 ? hole : nil
    }

    /// The restored region [1, 3, h, w] (planar, region coordinates): the fill plus the network's
    /// residual, or the fill alone (`restorationNetwork` false), for which the network's input is
    /// not built.
    /// With `glyphHole`, the fill's hole is first cut down to the text inside α (`GlyphHole.tighten`),
    /// except at the `fixed` pixels (frame indices: the boxes, whose hole is their glyphs); without
    /// it, with `holeNetwork` on frames up to `holeNetworkRows` rows, by the hole network
    /// (`learnedHole`). The fill
    /// alone is then smoothed over its hole, `fillSmoothing` passes (`HoleFill.smooth`).
    func restore(frames: [RGBFrame], alpha: AlphaMap, region r: TileRegion, fixed: [Int] = []) throws -> Tensor {
        guard restorationNetwork else {
            let a = regionAlpha(alpha, r), directional = directionalSettings(width: frames[0].width, height: frames[0].height)
            func filled(_ hole: [UInt8]) -> [Float] {
                LiteFeatures.filledPlanar(frames[LiteArchitecture.radius], x0: r.x, y0: r.y, w: r.width, h: r.height, hole: hole, directional: directional)
            }
            var holeBits = a.map { $0 > 0 ? UInt8(1) : 0 }
            var fill = filled(holeBits)
            if let g = glyphHole, let tight = glyphHole(g, frames: frames, region: r, alpha: a, fill: fill, fixed: fixed) {
                holeBits = tight.map { $0 > 0 ? UInt8(1) : 0 }
                fill = filled(holeBits)
            } else if glyphHole == nil, holeNetwork, frames[0].height <= LiteEngine.holeNetworkRows,
                      let tight = try learnedHole(frames: frames, region: r, alpha: a, fill: fill, fixed: fixed) {
                holeBits = tight
                fill = filled(holeBits)
            }
            if fillSmoothing > 0 {
                fill.withUnsafeMutableBufferPointer { fp in holeBits.withUnsafeBufferPointer { hp in
                    HoleFill.smooth(fp.baseAddress!, channels: 3, width: r.width, height: r.height, hole: hp.baseAddress!, passes: fillSmoothing)
                } }
            }
            return try Tensor(shape: [1, 3, r.height, r.width], values: fill)
        }
        let (_, input, fill) = restorationInputs(frames: frames, alpha: alpha, region: r)
        return try Ops.channelsFirst(try network.restoreChannelsLast(input: input, fill: fill, precision: restorationPrecision))
    }
}

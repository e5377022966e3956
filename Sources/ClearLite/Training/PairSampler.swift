// On-the-fly training pairs (design §5, CLEAR §4.1 data synthesis at our scale): a clean 5-frame
// crop from a moving camera over real footage, the same crop with subtitles rendered by libass
// from the synth generator (random languages and styles) on a full-size canvas, and the exact
// opacity of the centre frame from the compositing itself.
import ClearMedia
import ClearSubtitles
import ClearTensor
import Foundation

/// A canvas size of the training subtitles, written `WxH` (`clearsub train --canvases`).
public struct CanvasSize: Equatable, Sendable, CustomStringConvertible {
    public let width: Int, height: Int
    public init(_ width: Int, _ height: Int) { self.width = width; self.height = height }
    /// Parses `1920x1080`; nil when it is not two positive integers joined by `x`.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else { return nil }
        self.init(w, h)
    }
    public var description: String { "\(width)x\(height)" }
}

/// A batch: subtitled windows [N, 15, S, S], clean centre frames [N, 3, S, S], exact α [N, 1, S, S].
public struct TrainingBatch {
    public let window: Tensor
    public let cleanCentre: Tensor
    public let alpha: Tensor
}

public final class PairSampler {
    public let crop: Int
    let sources: [CleanSource]
    var rng: SeededRandom
    /// (renderer, canvas width, height, script length in ms)
    let renderers: [(SubtitleRenderer, Int, Int, Int)]
    /// Frame spacing of a window in ms (25 fps).
    let frameMs = 40
    /// Share of crops placed on the text (the rest fall anywhere, mostly on background).
    public var textCropProbability = 0.6
    /// Largest sensor-noise amplitude (in 8-bit levels) added to the clean footage.
    public var maxNoise = 6.0
    /// Share of windows drawn across a cue's start or end (some frames with subtitles, some
    /// without): a frame just before a cue is clean even though its window sees the cue coming.
    /// 0 in the v3–v7 recipe (no random draw is made then, so those runs stay byte-identical).
    public var boundaryShare = 0.0
    /// Share of windows cut as at a clip's first or last frames, where the engine repeats the
    /// edge frame (`LiteEngine` clamps the window): one or two frames on one side become copies
    /// of the next one in. 0 in the v3–v7 recipe.
    public var edgeShare = 0.0
    /// Share of windows with things moving on their own over the scene (`MovingObject`: people,
    /// fluttering tapes; hard negatives). 0 in the v3–v7 recipe.
    public var movingObjectShare = 0.0

    /// The styles of the v3/v5 recipe (`clearsub train --styles` changes them).
    public static let defaultPresets: [StylePreset] = [.random, .random, .classic, .yellow, .boxed]
    /// How many 60-s subtitle scripts the v3–v8 recipes draw from (`clearsub train --scripts`).
    public static let defaultScripts = 9
    /// The canvas sizes (width, height) the subtitles of the v3–v8 recipes are drawn on, cycled over
    /// the scripts (`clearsub train --canvases` changes them). libass sizes text by the canvas
    /// height, so the canvas sets how large the glyphs are in the crop.
    public static let defaultCanvases: [CanvasSize] = [CanvasSize(640, 360), CanvasSize(960, 540), CanvasSize(1280, 720)]

    /// `presets`: styles used for training, cycled over the scripts (the validation set adds others).
    /// `sceneTextCopies`: photos copied with text printed into the scene (hard negatives).
    /// `documentPages`: synthetic printed pages (hard negatives, `DocumentSources`).
    /// `canvases`: the canvas of script i is `canvases[i % canvases.count]`, its style `presets[i % presets.count]`.
    public init(sources: [CleanSource], crop: Int, seed: UInt64, scripts: Int = PairSampler.defaultScripts, sceneTextCopies: Int = 8,
                documentPages: Int = 0, presets: [StylePreset] = PairSampler.defaultPresets,
                canvases: [CanvasSize] = PairSampler.defaultCanvases) throws {
        guard !presets.isEmpty else { throw LiteError.noTrainingData("(no style presets)") }
        guard !canvases.isEmpty, scripts >= 1 else { throw LiteError.noTrainingData("(no canvas sizes or scripts)") }
        guard canvases.allSatisfy({ $0.width >= crop && $0.height >= crop }) else {
            throw LiteError.noTrainingData("(a canvas is smaller than the \(crop)-pixel crop)")
        }
        guard !sources.isEmpty else { throw LiteError.noTrainingData("(no sources)") }
        self.sources = sources + (try SceneTextSources.make(from: sources, count: sceneTextCopies, seed: seed))
            + (try DocumentSources.make(count: documentPages, seed: seed))
        self.crop = crop
        rng = SeededRandom(seed: seed)
        var list: [(SubtitleRenderer, Int, Int, Int)] = []
        for i in 0..<scripts {
            let (w, h) = (canvases[i % canvases.count].width, canvases[i % canvases.count].height)
            var gen = SubtitleGenerator(seed: seed &+ UInt64(i) &* 7919)
            let script = gen.makeScript(width: w, height: h, durationSeconds: 60, preset: presets[i % presets.count])
            list.append((try SubtitleRenderer(script: script.text, width: w, height: h), w, h, 60_000))
        }
        renderers = list
    }

    /// One sample written at batch position `b` of the three batch tensors.
    func sample(into b: Int, window: Tensor, clean: Tensor, alpha: Tensor) throws {
        let (renderer, cw, ch, lengthMs) = renderers[rng.int(0...(renderers.count - 1))]
        let n = LiteArchitecture.window, c = n / 2, s = crop
        // A time whose centre frame shows text, most of the time.
        var t0 = 0
        var rendered: [RenderedSubtitles] = []
        if boundaryShare > 0, rng.chance(boundaryShare) {
            // a window across a cue's start or end (random times until one is found)
            for _ in 0..<40 {
                t0 = rng.int(0...(lengthMs - n * frameMs))
                rendered = (0..<n).map { renderer.render(atMilliseconds: Int64(t0 + $0 * frameMs)) }
                let shown = rendered.filter { !$0.isEmpty }.count
                if shown > 0 && shown < n { break }
            }
        } else {
            for attempt in 0..<6 {
                t0 = rng.int(0...(lengthMs - n * frameMs))
                rendered = (0..<n).map { renderer.render(atMilliseconds: Int64(t0 + $0 * frameMs)) }
                if !rendered[c].isEmpty || attempt == 5 || rng.chance(0.1) { break }
            }
        }
        // the window's frame k shows the scene and subtitles of frame source[k] (a clip's edge repeats a frame)
        var source = Array(0..<n)
        if edgeShare > 0, rng.chance(edgeShare) {
            let cut = rng.int(1...c)
            if rng.chance(0.5) { for k in 0..<cut { source[k] = cut } } else { for k in (n - cut)..<n { source[k] = n - 1 - cut } }
        }
        // A crop that contains text most of the time: the centre's (v3–v7 recipe), or else, with
        // boundary or edge windows on, the nearest frame's with text.
        let nearest = boundaryShare > 0 || edgeShare > 0 ? [c] + (1...c).flatMap { [c - $0, c + $0] } : [c]
        let inkFrame = nearest.first { !rendered[source[$0]].isEmpty } ?? c
        var rx = rng.int(0...(cw - s)), ry = rng.int(0...(ch - s))
        if let ink = rendered[source[inkFrame]].inkBounds(), rng.chance(textCropProbability) {
            let px = rng.int(ink.minX...max(ink.minX, ink.maxX - 1)), py = rng.int(ink.minY...max(ink.minY, ink.maxY - 1))
            rx = min(max(px - rng.int(8...(s - 8)), 0), cw - s)
            ry = min(max(py - rng.int(8...(s - 8)), 0), ch - s)
        }
        let path = CameraPath(source: sources[rng.int(0...(sources.count - 1))], canvasWidth: cw, canvasHeight: ch,
                              frames: n, rng: &rng)
        let plane = s * s
        var canvas = RGBFrame(width: cw, height: ch)
        let noise = rng.chance(0.6) ? rng.uniform(0, maxNoise) : 0
        let objects = movingObjectShare > 0 && rng.chance(movingObjectShare)
            ? MovingObject.draw(sources: sources, rx: rx, ry: ry, s: s, frames: n, centre: c, rng: &rng) : []
        for k in 0..<n {
            if source[k] != k { continue }   // a repeated edge frame, copied below
            path.render(frame: k, rx: rx, ry: ry, w: s, h: s, into: &canvas)
            for o in objects { o.paint(frame: k, sources: sources, rx: rx, ry: ry, s: s, into: &canvas) }
            if noise > 0 { addNoise(&canvas, rx, ry, s, amplitude: noise) }
            if k == c { copyCrop(canvas, rx, ry, s, into: clean.f32 + b * 3 * plane) }
            let mask = try rendered[k].composite(onto: &canvas)
            copyCrop(canvas, rx, ry, s, into: window.f32 + (b * n + k) * 3 * plane)
            if k == c {
                let dst = alpha.f32 + b * plane
                for y in 0..<s { for x in 0..<s { dst[y * s + x] = Float(mask.pixels[(ry + y) * cw + rx + x]) / 255 } }
            }
        }
        // repeated edge frames: the same pixels as the window frame they copy
        for k in 0..<n where source[k] != k {
            (window.f32 + (b * n + k) * 3 * plane).update(from: window.f32 + (b * n + source[k]) * 3 * plane, count: 3 * plane)
        }
    }

    /// Zero-mean noise (sum of two uniforms) on the crop: real footage is noisy and compressed,
    /// the upscaled photos are not.
    private func addNoise(_ f: inout RGBFrame, _ rx: Int, _ ry: Int, _ s: Int, amplitude: Double) {
        let cw = f.width
        for y in ry..<(ry + s) { for x in rx..<(rx + s) { for c in 0..<3 {
            let i = (y * cw + x) * 3 + c
            let d = (rng.unit() + rng.unit() - 1) * amplitude
            f.pixels[i] = UInt8(min(255, max(0, (Double(f.pixels[i]) + d).rounded())))
        } } }
    }

    private func copyCrop(_ f: RGBFrame, _ rx: Int, _ ry: Int, _ s: Int, into dst: UnsafeMutablePointer<Float>) {
        LiteFeatures.planar(f, x0: rx, y0: ry, w: s, h: s, into: dst)
    }

    public func batch(_ size: Int) throws -> TrainingBatch {
        let s = crop, n = LiteArchitecture.window
        let window = Tensor(shape: [size, 3 * n, s, s], dtype: .f32, zeroed: false)
        let clean = Tensor(shape: [size, 3, s, s], dtype: .f32, zeroed: false)
        let alpha = Tensor(shape: [size, 1, s, s], dtype: .f32, zeroed: false)
        for b in 0..<size { try sample(into: b, window: window, clean: clean, alpha: alpha) }
        return TrainingBatch(window: window, cleanCentre: clean, alpha: alpha)
    }
}

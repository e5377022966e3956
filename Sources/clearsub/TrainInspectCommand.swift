// `clearsub train inspect VIDEO [--weights W] [--mask M]`: what the occlusion head sees — per
// threshold, the fraction of pixels with α above it, and (with a mask) how many true subtitle
// pixels (opacity > 0.1) it covers. Used to choose the inference threshold (design §4).
// With --residual, also what the restoration network adds to the push-pull fill under the
// engine's α (the shipped pair, no cues): mean |R − fill| and its spread inside α > 0, in 8-bit
// levels. A network whose residual is its output bias everywhere (spread ≈ 0) restores nothing.
import ArgumentParser
import ClearLite
import ClearMedia
import Foundation

struct TrainInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Occlusion-head statistics on a video.")
    @Argument(help: "Subtitled video.") var video: String
    @Option(help: "Engine weights (default: bundled).") var weights: String?
    @Option(help: "Exact opacity mask video (from synth).") var mask: String?
    @Option(help: "Frames to read.") var frames = 20
    @Flag(help: "Also print, per frame, the pixels with α ≥ 0.5 and (with a mask) their recall of the subtitle.") var perFrame = false
    @Flag(help: "Also measure what the restoration network adds to the push-pull fill under the engine's α (levels).") var residual = false

    func run() throws {
        let engine = try LiteEngine(weightsPath: weights)
        engine.alphaThreshold = 0.01; engine.alphaFull = 1
        let dec = try VideoDecoder(path: video)
        var chunk: [RGBFrame] = []
        while chunk.count < frames, let f = try dec.nextFrame() { chunk.append(f) }
        dec.close()
        var masks: [GrayFrame] = []
        if let mask {
            let md = try VideoDecoder(path: mask, layout: .gray)
            while masks.count < chunk.count, let g = try md.nextGrayFrame() { masks.append(g) }
            md.close()
        }
        let thresholds: [Float] = [0.04, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95]
        var above = [Int](repeating: 0, count: thresholds.count), hit = above, truth = 0, total = 0
        for t in 0..<chunk.count {
            let a = try engine.alphaMap(chunk, at: t)
            total += a.values.count
            var strong = 0, text = 0, found = 0, weak = 0   // this frame's, for --per-frame
            for (i, v) in a.values.enumerated() {
                let isText = t < masks.count && masks[t].pixels[i] > 25
                if isText { truth += 1; text += 1; if v >= 0.5 { found += 1 }; if v >= 0.04 { weak += 1 } }
                if v >= 0.5 { strong += 1 }
                for (k, th) in thresholds.enumerated() where v >= th { above[k] += 1; if isText { hit[k] += 1 } }
            }
            if perFrame {
                print("frame \(t): α ≥ 0.5 on \(strong) px" + (text > 0 ? String(format: ", recall %.3f (α ≥ 0.04: %.3f) of %d subtitle px", Double(found) / Double(text), Double(weak) / Double(text), text) : ""))
            }
        }
        for (k, th) in thresholds.enumerated() {
            let recall = truth > 0 ? String(format: ", recall of mask>0.1 %.3f", Double(hit[k]) / Double(truth)) : ""
            print(String(format: "alpha >= %.2f: %.4f of pixels", th, Double(above[k]) / Double(total)) + recall)
        }
        if truth > 0 { print(String(format: "true subtitle pixels (mask > 0.1): %.4f", Double(truth) / Double(total))) }
        if residual { try reportResidual(chunk, engine: engine) }
    }

    /// Per frame and overall: mean |R − fill| and mean |R − fill − its mean| inside α > 0 (the
    /// engine's α pair again, after the threshold statistics; one region around all of it), the
    /// network in f32.
    func reportResidual(_ chunk: [RGBFrame], engine: LiteEngine) throws {
        (engine.alphaThreshold, engine.alphaFull) = (LiteEngine.defaultAlphaThreshold, LiteEngine.defaultAlphaFull)
        var (sum, spread, count) = (0.0, 0.0, 0)
        for t in 0..<chunk.count {
            let d = try engine.restorationResidual(chunk, at: t)
            guard !d.isEmpty else { print("frame \(t): residual: no α > 0"); continue }
            let mean = d.reduce(0, +) / Double(d.count)
            let absMean = d.reduce(0) { $0 + abs($1) } / Double(d.count)
            let sp = d.reduce(0) { $0 + abs($1 - mean) } / Double(d.count)
            sum += absMean * Double(d.count); spread += sp * Double(d.count); count += d.count
            if perFrame { print(String(format: "frame %d: residual mean |R − fill| %.4f, spread %.4f levels over %d α > 0 px", t, absMean, sp, d.count / 3)) }
        }
        if count > 0 {
            print(String(format: "restoration residual inside α > 0: mean |R − fill| %.4f levels, spread %.4f levels", sum / Double(count), spread / Double(count)))
        }
    }
}

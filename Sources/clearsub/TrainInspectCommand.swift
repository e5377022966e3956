// `clearsub train inspect VIDEO [--weights W] [--mask M]`: what the occlusion head sees — per
// threshold, the fraction of pixels with α above it, and (with a mask) how many true subtitle
// pixels (opacity > 0.1) it covers. Used to choose the inference threshold (design §4).
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
    }
}

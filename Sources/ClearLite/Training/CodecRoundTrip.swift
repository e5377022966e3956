// The subtitled video's own encode, simulated in training: a batch's subtitled windows go through
// FFmpeg's x264 (yuv420p, a given CRF) and back, as a real subtitled clip does before anyone
// cleans it. Near the glyphs this smears the text's edges and chroma into the scenery (MODEL_CARD
// "The restoration network": 4.5–8.2 levels within 2 px of the glyphs on the validation clips),
// which the restoration network otherwise never sees. The clean target stays as it was.
import ClearMedia
import ClearTensor
import Foundation

public enum CodecRoundTrip {
    /// Encodes every frame of `window` [N, 3·F, S, S] (planar floats in [0, 1]) as one H.264 video
    /// of N·F frames at `crf` and writes the decoded frames back in place.
    public static func apply(to window: Tensor, crf: Int) throws {
        let (n, frames, h, w) = (window.shape[0], window.shape[1] / 3, window.shape[2], window.shape[3])
        let plane = h * w
        let scratch = try ScratchDirectory(label: "codec-round-trip")
        defer { scratch.remove() }
        let path = scratch.path("batch.mp4")
        let encoder = try VideoEncoder(outputPath: path, settings: .h264(width: w, height: h, fps: FrameRate(25, 1), crf: crf))
        let src = window.f32
        for k in 0..<(n * frames) {
            var pixels = [UInt8](repeating: 0, count: plane * 3)
            let p = src + k * 3 * plane
            for i in 0..<plane { for c in 0..<3 { pixels[i * 3 + c] = UInt8((min(max(p[c * plane + i], 0), 1) * 255).rounded()) } }
            try encoder.write(RGBFrame(width: w, height: h, pixels: pixels))
        }
        try encoder.finish()
        let decoder = try VideoDecoder(path: path)
        defer { decoder.close() }
        for k in 0..<(n * frames) {
            guard let frame = try decoder.nextFrame() else {
                throw LiteError.trainingFailed("the codec round trip gave back \(k) of \(n * frames) frames")
            }
            LiteFeatures.planar(frame, x0: 0, y0: 0, w: w, h: h, into: src + k * 3 * plane)
        }
        window.keepAlive()
    }
}

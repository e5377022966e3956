// RGB frames ↔ the pipeline's video tensor [1, 3, T, H, W].
// Matches: DiffSynth 1.1.9 `BasePipeline.preprocess_image/preprocess_video` (x·(2/255) − 1 in the
// pipeline dtype; bf16 rounds the product and the sum) and `vae_output_to_video`
// (((x + 1)·127.5) in the pipeline dtype, clip to [0, 255], truncation to uint8). Spec §2.3, §2.4.
import ClearMedia
import ClearTensor

public enum WanVideoTensor {
    /// Frames (all the same size) → float32 [1, 3, T, H, W] in [-1, 1], values rounded as the `dtype` pipeline rounds them.
    public static func video(_ frames: [RGBFrame], dtype: DType) throws -> Tensor {
        guard let first = frames.first else { throw WanPipelineError.invalidChunk("no frames") }
        let (w, h, t) = (first.width, first.height, frames.count)
        let plane = w * h
        let out = Tensor(shape: [1, 3, t, h, w], dtype: .f32, zeroed: false)
        let p = out.f32
        let scale = Float(2.0 / 255.0)
        var lut = [Float](repeating: 0, count: 256)
        for v in 0..<256 {
            lut[v] = dtype == .bf16 ? BF16.round(BF16.round(Float(v) * scale) - 1) : Float(v) * scale - 1
        }
        for (ti, f) in frames.enumerated() {
            guard f.width == w, f.height == h else {
                throw WanPipelineError.invalidChunk("frame \(ti) is \(f.width)x\(f.height), frame 0 is \(w)x\(h)")
            }
            f.pixels.withUnsafeBufferPointer { px in
                for c in 0..<3 {
                    let o = p + (c * t + ti) * plane
                    for i in 0..<plane { o[i] = lut[Int(px[i * 3 + c])] }
                }
            }
        }
        return out
    }

    /// [1, 3, T, H, W] (clamped to [-1, 1] by the decoder) → uint8 RGB frames.
    public static func frames(_ video: Tensor, dtype: DType) throws -> [RGBFrame] {
        guard video.rank == 5, video.shape[0] == 1, video.shape[1] == 3 else {
            throw WanPipelineError.invalidChunk("decoded video \(video.shape) is not [1, 3, T, H, W]")
        }
        let (t, h, w) = (video.shape[2], video.shape[3], video.shape[4])
        let v = video.toF32()
        defer { v.keepAlive() }
        let p = UnsafePointer(v.f32), plane = w * h
        return (0..<t).map { ti in
            var px = [UInt8](repeating: 0, count: plane * 3)
            for c in 0..<3 {
                let s = p + (c * t + ti) * plane
                for i in 0..<plane {
                    var x = s[i]
                    if dtype == .bf16 { x = BF16.round(BF16.round(BF16.round(x) + 1) * 127.5) } else { x = (x + 1) * 127.5 }
                    px[i * 3 + c] = UInt8(min(max(x, 0), 255))
                }
            }
            return RGBFrame(width: w, height: h, pixels: px)
        }
    }
}

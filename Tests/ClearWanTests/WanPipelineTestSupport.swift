// A tiny Wan model folder with the real file names, assembled from the committed fixtures
// (tools/make_wan_dit_fixtures.py, make_wan_vae_t5_fixtures.py, make_wan_pipeline_fixtures.py), and
// access to the full-pipeline fixture.
import ClearMedia
import ClearTensor
import ClearWeights
import Foundation
import XCTest
@testable import ClearWan

enum PipelineFixtures {
    static func io() throws -> [String: WeightTensor] {
        let file = try SafetensorsFile(path: WanFixtures.path("pipeline/io.safetensors"))
        return Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.key, $0) })
    }

    static func tensor(_ key: String) throws -> Tensor {
        guard let t = try io()[key] else { throw WanPipelineError.invalidChunk("fixture has no \(key)") }
        return try Tensor(shape: t.shape, values: t.toFloat32())
    }

    /// uint8 [T, H, W, 3] → frames.
    static func frames(_ key: String) throws -> [RGBFrame] {
        guard let t = try io()[key] else { throw WanPipelineError.invalidChunk("fixture has no \(key)") }
        let (n, h, w) = (t.shape[0], t.shape[1], t.shape[2])
        let v = t.toFloat32().map { UInt8($0) }
        return (0..<n).map { RGBFrame(width: w, height: h, pixels: Array(v[($0 * h * w * 3)..<(($0 + 1) * h * w * 3)])) }
    }

    static var loraPath: String { WanFixtures.path("dit/clear_lora.pt") }

    /// A fresh folder laid out like Wan2.1-Fun-V1.1-1.3B-Control, holding the tiny models (symbolic links
    /// to the fixtures, plus the DiT's formula-defined 1280×1280 matrix as a third shard). `omit` leaves files out.
    static func modelFolder(omit: Set<String> = []) throws -> String {
        let fm = FileManager.default
        let dir = NSTemporaryDirectory() + "clearsub-wan-model-\(UUID().uuidString)"
        try fm.createDirectory(atPath: dir + "/google/umt5-xxl", withIntermediateDirectories: true)
        func link(_ name: String, _ fixture: String) throws {
            if !omit.contains(name) { try fm.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: WanFixtures.path(fixture)) }
        }
        if !omit.contains("dit") {
            try link("diffusion_pytorch_model-00001-of-00003.safetensors", "dit/model/diffusion_pytorch_model-00001-of-00002.safetensors")
            try link("diffusion_pytorch_model-00002-of-00003.safetensors", "dit/model/diffusion_pytorch_model-00002-of-00002.safetensors")
            let synth = try SafetensorsWriter.tensor(key: "img_emb.proj.1.weight", shape: [1280, 1280], values: DiTFixtures.clipProjection())
            try SafetensorsWriter.write([synth], to: dir + "/diffusion_pytorch_model-00003-of-00003.safetensors")
        }
        try link(WanModelFolder.t5FileName, "pipeline/models_t5_umt5-xxl-enc-bf16.pth")
        try link(WanModelFolder.vaeFileName, "vae/tiny_wan_vae.pth")
        try link("google/umt5-xxl/spiece.model", "t5/tiny_unigram.model")
        return dir
    }

    /// The fixture's models, loaded as the engine loads them, in float32 (context cache in a temporary folder).
    static func models(folder: String) throws -> WanModels {
        var o = WanLoadOptions()
        o.dtype = .f32
        o.loraPath = loraPath
        o.loraRank = 4
        o.cacheDirectory = folder + "/cache"
        return try WanModels(folder: WanModelFolder(path: folder), options: o)
    }

    /// The fixture's settings: 2 steps, tiles (2,4)/(1,2), sliding window 2/1 (`tiled` false: untiled, no window).
    static func settings(tiled: Bool) -> WanPipelineSettings {
        var s = WanPipelineSettings()
        s.steps = 2
        if tiled {
            s.tiling = WanVAETiling(size: (2, 4), stride: (1, 2))
            s.windowSize = 2; s.windowStride = 1
        } else {
            s.tiling = nil
        }
        return s
    }
}

/// PSNR in dB between two frame lists of equal sizes.
func psnr(_ a: [RGBFrame], _ b: [RGBFrame]) -> Double {
    precondition(a.count == b.count)
    var se = 0.0, n = 0
    for (x, y) in zip(a, b) {
        precondition(x.pixels.count == y.pixels.count)
        for i in x.pixels.indices { let d = Double(x.pixels[i]) - Double(y.pixels[i]); se += d * d }
        n += x.pixels.count
    }
    return se == 0 ? .infinity : 10 * log10(255 * 255 / (se / Double(n)))
}

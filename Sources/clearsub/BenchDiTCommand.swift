// `clearsub bench dit`: one Wan DiT forward at the real Fun-Control 1.3B shapes (seeded random weights, no
// download) at stated video sizes, next to the raw oneDNN matmul rate measured in the same run (design §7):
// the FFN's first product on min(tokens, 4096) rows, before and after the forward.
// FLOPs follow spec §12: per block N·(12D² + 4DF)·… linear work, 4·D·N² self-attention, 4·D·(257+L)·N
// cross-attention, plus the context projections.
import ArgumentParser
import ClearTensor
import ClearWan
import Foundation

struct BenchDiTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wan-dit",
        abstract: "Seconds per Wan DiT step (1.3B Fun-Control shapes, random weights) vs the raw matmul rate.",
        aliases: ["dit"]
    )

    @Option(help: "Video size WxHxF in pixels and frames (default: 480x272x33 and 832x480x81).") var size: String?
    @Option(help: "Blocks to run (1…30); the step time is extrapolated to 30 blocks (default: 30).") var layers = 30
    @Option(help: "bf16 or f32 (default: bf16 where the CPU runs it natively, else f32).") var dtype = Ops.nativeBF16 ? "bf16" : "f32"
    @Option(help: "Worker threads (default: all active processors).") var threads: Int?
    @Flag(help: "Print a JSON array instead of a table.") var json = false

    struct Result: Encodable {
        let size: String
        let latent: String
        let tokens: Int
        let dtype: String
        let layers_run: Int
        let seconds_measured: Double
        /// Seconds for one full 30-block step (measured when layers_run = 30, else scaled by 30/layers_run).
        let seconds: Double
        let gflops: Double
        let matmul_gflops: Double
        let ratio: Double
        let peak_rss_bytes: Int
    }

    func run() throws {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
            ClearTensor.threadCount = threads
        }
        guard let dt = DType(rawValue: dtype) else { throw ValidationError("--dtype must be bf16 or f32") }
        let full = WanDiTConfig.funControl1_3B
        guard (1...full.numLayers).contains(layers) else { throw ValidationError("--layers must be in 1…\(full.numLayers)") }
        let sizes = try size.map { [try Self.parse($0)] } ?? [(480, 272, 33), (832, 480, 81)]
        var cfg = full
        cfg.numLayers = layers
        log("building random \(cfg) in \(dt)…")
        let model = try WanDiT.random(config: cfg, dtype: dt, seed: 1)
        let context = Tensor.random(shape: [1, 512, cfg.textDim], dtype: dt, seed: 2)
        let cond = try model.conditioning(context: context)
        var results: [Result] = []
        for (w, h, f) in sizes {
            let (lt, lh, lw) = ((f - 1) / 4 + 1, h / 8, w / 8)
            let x = Tensor.random(shape: [1, cfg.inDim, lt, lh, lw], dtype: dt, seed: 3)
            let n = lt * (lh / 2) * (lw / 2)
            log("size \(w)x\(h)x\(f): latent \(lt)x\(lh)x\(lw), \(n) tokens, \(layers) blocks…")
            // The matmul rate is measured right before and right after the forward (shared machines drift).
            let mmBefore = try matmulRate(dt, tokens: n)
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try model.forward(x: x, timestep: 952, conditioning: cond)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let (d, ff, lc) = (Double(cfg.dim), Double(cfg.ffnDim), Double(257 + 512))
            let nn = Double(n)
            let perBlock = nn * (12 * d * d + 4 * d * ff) + 4 * d * nn * nn + 4 * d * lc * nn + 2 * lc * 2 * d * d
            let flops = Double(layers) * perBlock
            let mm = (mmBefore + (try matmulRate(dt, tokens: n))) / 2
            let r = Result(size: "\(w)x\(h)x\(f)", latent: "\(lt)x\(lh)x\(lw)", tokens: n, dtype: dt.rawValue, layers_run: layers,
                           seconds_measured: secs, seconds: secs * Double(full.numLayers) / Double(layers),
                           gflops: flops / secs / 1e9, matmul_gflops: mm, ratio: flops / secs / 1e9 / mm,
                           peak_rss_bytes: Int(ResourceUsage.selfPeakMiB * 1024 * 1024))
            results.append(r)
            log(String(format: "  %.1f s measured, %.1f s per 30-block step, %.1f GFLOP/s (matmul %.1f, %.0f%%), peak RSS %.0f MiB",
                       r.seconds_measured, r.seconds, r.gflops, r.matmul_gflops, 100 * r.ratio, ResourceUsage.selfPeakMiB))
        }
        if json {
            print(try JSONEncoder.benchReport(results))
        } else {
            print("size          tokens  dtype  blocks  s/step   GFLOP/s  matmul GFLOP/s  ratio  peak RSS")
            for r in results {
                print(String(format: "%-13@ %6d  %-5@  %6d  %7.1f  %8.1f  %14.1f  %4.0f%%  %.2f GiB", r.size as NSString, r.tokens,
                             r.dtype as NSString, r.layers_run, r.seconds, r.gflops, r.matmul_gflops, 100 * r.ratio,
                             Double(r.peak_rss_bytes) / 1_073_741_824))
            }
        }
    }

    /// Best of 3 raw oneDNN matmuls M×1536·1536×8960 (the FFN's first product, M = tokens capped at 4096) in `dt`.
    func matmulRate(_ dt: DType, tokens: Int) throws -> Double {
        let m = min(4096, tokens)
        let runner = try RawReference.matmul(m: m, k: 1536, n: 8960, dtype: dt)
        try runner.run()
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try runner.run()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2.0 * Double(m) * 1536 * 8960 / best / 1e9
    }

    static func parse(_ s: String) throws -> (Int, Int, Int) {
        let p = s.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 3, p[0] > 0, p[1] > 0, p[2] > 0, p[0] % 16 == 0, p[1] % 16 == 0, (p[2] - 1) % 4 == 0 else {
            throw ValidationError("--size must be WxHxF with W and H multiples of 16 and F = 4k+1 (got '\(s)')")
        }
        return (p[0], p[1], p[2])
    }

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}

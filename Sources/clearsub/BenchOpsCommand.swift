// `clearsub bench ops`: throughput of the Tensor layer's ops on model-relevant shapes, each next to
// a reference measured in the same run (shared/design.md §7): the raw oneDNN primitive on the same
// shape for matmul/conv, the raw bf16/f32 matmul rate for attention, and memcpy of the same bytes
// for memory-bound ops (elementwise, norms, RoPE).
import ArgumentParser
import ClearTensor
import Foundation

struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Tensor-op throughput vs raw oneDNN primitives / memcpy on Wan and lite-engine shapes."
    )

    @Flag(help: "Print a JSON array instead of a table.") var json = false
    @Flag(help: "Smaller shapes (4096 tokens, no 32k attention) for a run of well under a minute.") var quick = false
    @Option(help: "Worker threads for Swift ops and oneDNN (default: all active processors).") var threads: Int?
    @Option(help: "Minimum seconds of timed repetitions per measurement.") var minSeconds = 1.0
    @Option(help: "Only run op groups whose name contains this (linear, attention, conv, memory, or one memory-bound op such as silu).") var only: String?

    func run() throws {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }
            ClearTensor.threadCount = threads
        }
        if let v = ProcessInfo.processInfo.environment["CLEARSUB_POOL_BYTES"], let n = Int(v) { StoragePool.limitBytes = n }
        var bench = OpBench(minSeconds: minSeconds, log: !json, only: only)
        try bench.runAll(quick: quick)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(bench.results), as: UTF8.self))
        } else {
            bench.printTable()
            print("memory-bound kernels: \(KernelDispatch.activeName)")
        }
    }
}

struct OpResult: Encodable {
    let op: String
    let shape: String
    let dtype: String
    /// "GFLOP/s" for compute-bound ops, "GB/s" (bytes read + written) for memory-bound ops;
    /// `gflops` and `reference_gflops` carry the value in this unit.
    let unit: String
    let gflops: Double
    let reference_gflops: Double
    let reference: String
    let ratio: Double
    let seconds: Double
    let reference_seconds: Double
    /// The kernel set of the Swift/C memory-bound ops in this run: "avx512" or "portable"
    /// (CLEARSUB_SIMD=portable forces the latter).
    let kernel_set: String
}

struct OpBench {
    let minSeconds: Double
    let log: Bool
    let only: String?
    var results: [OpResult] = []

    /// Best wall times of `op` and `reference`, measured alternately (op, reference, op, …) so
    /// that both see the same machine load; ≥ minSeconds each (≤ 50 pairs, ≥ 1) after a warm-up.
    func timePair(_ op: () throws -> Void, _ reference: () throws -> Void) rethrows -> (Double, Double) {
        try op(); try reference()
        var best = (Double.infinity, Double.infinity), total = (0.0, 0.0), n = 0
        func clock(_ body: () throws -> Void) rethrows -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        while n < 1 || (min(total.0, total.1) < minSeconds && n < 50) {
            let a = try clock(op), b = try clock(reference)
            best = (min(best.0, a), min(best.1, b)); total = (total.0 + a, total.1 + b); n += 1
        }
        return best
    }

    mutating func record(_ op: String, _ shape: String, _ dtype: DType, work: Double, unit: String, seconds: Double,
                         refName: String, refWork: Double, refSeconds: Double) {
        let v = work / seconds / 1e9, r = refWork / refSeconds / 1e9
        results.append(OpResult(op: op, shape: shape, dtype: dtype.rawValue, unit: unit, gflops: v, reference_gflops: r,
                                reference: refName, ratio: v / r, seconds: seconds, reference_seconds: refSeconds,
                                kernel_set: KernelDispatch.activeName))
        if log {
            let line = "  \(op)  \(shape)  \(dtype.rawValue)  " + String(format: "%.1f", v) + " \(unit) (ref " + String(format: "%.1f, %.0f%%", r, 100 * v / r) + ")\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    // MARK: cases

    func wants(_ group: String) -> Bool { only.map { group.contains($0) } ?? true }

    mutating func runAll(quick: Bool) throws {
        let tokens = quick ? 4096 : 32760
        for dt in [DType.bf16, .f32] where wants("linear") {
            for (k, n) in [(1536, 1536), (1536, 8960)] { try linear(tokens: tokens, k: k, n: n, dtype: dt) }
        }
        if wants("attention") {
            for n in quick ? [1024, 4096] : [4096, 32760] { try attention(tokens: n, dtype: .bf16) }
            try attention(tokens: quick ? 1024 : 4096, dtype: .f32)
        }
        for dt in [DType.bf16, .f32] where wants("conv") {
            try conv(x: quick ? [1, 96, 4, 30, 52] : [1, 96, 4, 60, 104], cout: 96, k: 3, dtype: dt)
            try conv(x: quick ? [1, 384, 2, 16, 26] : [1, 384, 4, 30, 52], cout: 384, k: 3, dtype: dt)
            for c in [64, 128] { try conv(x: quick ? [1, c, 128, 128] : [1, c, 256, 256], cout: c, k: 3, dtype: dt) }
            // Activations kept channels-last between layers (the lite engine's inference path), and
            // the NCHW op on a lite-engine shape (occlusion head, 720p: 24 channels at ¼ resolution).
            for c in [64, 128] { try convChannelsLast(x: quick ? [1, c, 128, 128] : [1, c, 256, 256], cout: c, dtype: dt) }
            try conv(x: [1, 24, 180, 320], cout: 24, k: 3, dtype: dt)
            try convChannelsLast(x: [1, 24, 180, 320], cout: 24, dtype: dt)
        }
        for dt in [DType.bf16, .f32] where only != nil && wants("layout") {
            for (c, sp) in [(64, 256 * 256), (24, 180 * 320)] { try layoutTranspose(channels: c, spatial: sp, dtype: dt) }
        }
        for dt in [DType.bf16, .f32] where only == nil || !["linear", "attention", "conv", "layout"].contains(where: { $0.contains(only!) }) { try memoryBound(tokens: tokens, dtype: dt) }
    }

    mutating func linear(tokens m: Int, k: Int, n: Int, dtype: DType) throws {
        let x = Tensor.random(shape: [m, k], dtype: dtype, seed: 1), w = Tensor.random(shape: [n, k], dtype: dtype, seed: 2, lo: -0.05, hi: 0.05)
        let b = Tensor.random(shape: [n], seed: 3)
        let raw = try RawReference.matmul(m: m, k: k, n: n, dtype: dtype)
        let (t, r) = try timePair({ _ = try Ops.linear(x, weight: w, bias: b) }, { try raw.run() })
        let flops = 2.0 * Double(m * k * n)
        record("linear", "\(m)x\(k) · [\(n),\(k)]ᵀ", dtype, work: flops, unit: "GFLOP/s", seconds: t,
               refName: "oneDNN matmul \(m)x\(k)x\(n), packed weights", refWork: flops, refSeconds: r)
    }

    mutating func attention(tokens n: Int, dtype: DType) throws {
        let (h, d) = (12, 128)
        let q = Tensor.random(shape: [1, n, h, d], dtype: dtype, seed: 4), k = Tensor.random(shape: [1, n, h, d], dtype: dtype, seed: 5)
        let v = Tensor.random(shape: [1, n, h, d], dtype: dtype, seed: 6)
        let raw = try RawReference.matmul(m: 4096, k: 1536, n: 1536, dtype: dtype)
        let (t, r) = try timePair({ _ = try Ops.attention(q: q, k: k, v: v) }, { try raw.run() })
        record("attention", "\(n) tok x \(h) heads x \(d)", dtype, work: 4.0 * Double(n) * Double(n) * Double(h * d), unit: "GFLOP/s",
               seconds: t, refName: "oneDNN matmul 4096x1536x1536 rate", refWork: 2.0 * 4096 * 1536 * 1536, refSeconds: r)
    }

    mutating func conv(x shape: [Int], cout: Int, k: Int, dtype: DType) throws {
        let sp = shape.count - 2
        let w = [cout, shape[1]] + [Int](repeating: k, count: sp)
        let x = Tensor.random(shape: shape, dtype: dtype, seed: 7), wt = Tensor.random(shape: w, dtype: dtype, seed: 8, lo: -0.05, hi: 0.05)
        let p = ConvParams.uniform(sp, padding: k / 2)
        let raw = try RawReference.conv(x: shape, weight: w, params: p, dtype: dtype)
        let (t, r) = try timePair({ _ = try Ops.conv(x, weight: wt, bias: nil, p) }, { try raw.run() })
        let outCount = Double(shape[0] * cout * shape.dropFirst(2).reduce(1, *))
        let flops = 2.0 * outCount * Double(shape[1] * Int(pow(Double(k), Double(sp))))
        record("conv\(sp)d", "\(shape) -> \(cout) k\(k)", dtype, work: flops, unit: "GFLOP/s", seconds: t,
               refName: "oneDNN conv, preferred layouts", refWork: flops, refSeconds: r)
    }

    /// 3×3 conv2d on channels-last activations (`Ops.conv2dChannelsLast`, `x` given as NCHW dims).
    mutating func convChannelsLast(x shape: [Int], cout: Int, dtype: DType) throws {
        let w = [cout, shape[1], 3, 3]
        let x = Tensor.random(shape: [shape[0], shape[2], shape[3], shape[1]], dtype: dtype, seed: 7)
        let wt = Tensor.random(shape: w, dtype: dtype, seed: 8, lo: -0.05, hi: 0.05)
        let raw = try RawReference.conv(x: shape, weight: w, params: .uniform(2, padding: 1), dtype: dtype)
        let (t, r) = try timePair({ _ = try Ops.conv2dChannelsLast(x, weight: wt, bias: nil, padding: 1) }, { try raw.run() })
        let flops = 2.0 * Double(shape[0] * cout * shape[2] * shape[3]) * Double(shape[1] * 9)
        record("conv2d channels-last", "\(shape) -> \(cout) k3", dtype, work: flops, unit: "GFLOP/s", seconds: t,
               refName: "oneDNN conv, preferred layouts", refWork: flops, refSeconds: r)
    }

    /// The conv wrappers' layout conversion, both directions, against memcpy of the same bytes
    /// (opt-in: `--only layout`).
    mutating func layoutTranspose(channels c: Int, spatial sp: Int, dtype: DType) throws {
        for (r, cols, name) in [(c, sp, "to channels-last"), (sp, c, "to channels-first")] {
            let x = Tensor.random(shape: [1, r, cols], dtype: dtype, seed: 13)
            let refDst = Tensor(shape: x.shape, dtype: dtype, zeroed: true)
            let (t, ref) = try timePair({ _ = try Ops.transposeLastTwo(x) }, { memcpy(refDst.raw, x.raw, x.byteCount) })
            record("transpose \(name)", "\(x.shape)", dtype, work: 2 * Double(x.byteCount), unit: "GB/s", seconds: t,
                   refName: "memcpy of the same bytes", refWork: 2 * Double(x.byteCount), refSeconds: ref)
        }
    }

    mutating func memoryBound(tokens: Int, dtype: DType) throws {
        let x = Tensor.random(shape: [tokens, 1536], dtype: dtype, seed: 9)
        let bias = Tensor.random(shape: [1536], dtype: dtype, seed: 10)
        let dst = Tensor(shape: x.shape, dtype: dtype, zeroed: true)
        let rope = try Rope3D(frames: tokens / 1560 > 0 ? tokens / 1560 : 1, height: 30, width: tokens / 1560 > 0 ? 52 : tokens / 30, headDim: 128)
        let xr = Tensor.random(shape: [1, rope.tokens, 12, 128], dtype: dtype, seed: 11)
        let gx = Tensor.random(shape: [1, 96, 4, 60, 104], dtype: dtype, seed: 12)
        let cases: [(String, String, Tensor, () throws -> Void)] = [
            ("silu", "\(x.shape)", x, { _ = try Ops.silu(x) }),
            ("gelu_tanh", "\(x.shape)", x, { _ = try Ops.gelu(x, approximateTanh: true) }),
            ("add (bcast row)", "\(x.shape) + [1536]", x, { _ = try Ops.add(x, bias) }),
            ("layer_norm", "\(x.shape)", x, { _ = try Ops.layerNorm(x, eps: 1e-6) }),
            ("rms_norm", "\(x.shape)", x, { _ = try Ops.rmsNorm(x, weight: bias) }),
            ("softmax", "\(x.shape) axis -1", x, { _ = try Ops.softmax(x) }),
            ("group_norm", "\(gx.shape) g32", gx, { _ = try Ops.groupNorm(gx, groups: 32) }),
            ("rope3d", "\(xr.shape)", xr, { _ = try rope.apply(xr) }),
        ]
        for (name, shape, input, body) in cases where only == nil || only == "memory" || wants(name) {
            // reference measured alternately with the op (same load conditions), on the same bytes
            let b = input.byteCount
            let refDst = b == x.byteCount ? dst : Tensor(shape: [b], dtype: .bf16, zeroed: true)
            let (t, ref) = try timePair(body, { memcpy(refDst.raw, input.raw, min(b, refDst.byteCount)) })
            record(name, shape, dtype, work: 2 * Double(b), unit: "GB/s", seconds: t, refName: "memcpy of the same bytes",
                   refWork: 2 * Double(min(b, refDst.byteCount)), refSeconds: ref)
        }
    }

    func printTable() {
        func pad(_ v: String, _ n: Int) -> String { v.count >= n ? v : v + String(repeating: " ", count: n - v.count) }
        func num(_ v: Double) -> String { let t = String(format: "%.1f", v); return String(repeating: " ", count: max(0, 9 - t.count)) + t }
        let opWidth = max(16, results.map(\.op.count).max() ?? 0)
        print(pad("op", opWidth), pad("shape", 36), pad("dtype", 5), "achieved", "reference", "ratio", "unit")
        for r in results {
            let ratio = String(format: "%.0f%%", 100 * r.ratio)
            print(pad(r.op, opWidth), pad(r.shape, 36), pad(r.dtype, 5), num(r.gflops), num(r.reference_gflops),
                  String(repeating: " ", count: max(0, 5 - ratio.count)) + ratio, r.unit)
        }
    }

}

// Large 2-D convolutions run band by band over output rows: each band's input rows are
// transposed NCHW -> channels-last (bf16 with 16–64 channels: 16-channel blocks, nChw16c)
// into a small (L2/L3-sized) buffer, the oneDNN primitive runs on the band, and its output is
// transposed straight into the NCHW result. The layout
// conversions then touch cache-resident buffers instead of two extra full-size tensors, which is
// what kept whole-tensor conv2d at 60–80% of the raw primitive.
// Matches: torch.nn.functional.conv2d exactly as the whole-tensor path (Convolution.swift): each
// band is the same convolution restricted to rows [h0, h1) of the output, with the band's top/bottom
// padding taken from the zero padding only where the band touches the image border.
import CDNNL

struct ConvBands {
    /// One band: output rows [h0, h1) read input rows [inStart, inEnd) with the given padding.
    struct Band { let h0: Int, h1: Int, inStart: Int, inEnd: Int, padTop: Int, padBottom: Int }

    /// Off only to compare against the whole-tensor path (tests).
    nonisolated(unsafe) static var enabled = true
    /// Number of convolutions that ran banded, and of those in 16-channel blocks (for tests).
    nonisolated(unsafe) static var bandedRuns = 0
    nonisolated(unsafe) static var blockedRuns = 0

    /// Target bytes of one band's input + output scratch: 4 MB (2 MB of L2 per core, 32 MB of
    /// L3) measured best of 0.5–8 MB with the AVX-512 transposes (BENCHMARKS.md). Tests lower it
    /// to reach the banded path with smaller tensors.
    nonisolated(unsafe) static var bandBytes = 4 << 20

    /// bf16 bands in 16-channel blocks (nChw16c) for 16–64 channels (see `run`); off only to
    /// compare against the channels-last bands (tests, benchmarks).
    nonisolated(unsafe) static var blockedLayout = true

    /// With more than one thread: each thread convolves its own contiguous bands with
    /// single-threaded primitives and transposes them itself, all in one parallel region. The
    /// whole-tensor scheme (every band's transposes and convolution a parallel region of their
    /// own) pays a barrier per region and leaves the transposes to the other core's cache.
    /// Off only to compare (tests, benchmarks).
    nonisolated(unsafe) static var perThreadBands = true
    nonisolated(unsafe) static var perThreadRuns = 0

    /// Runs x ⊛ weight into `out` band by band when the whole-tensor primitive `prim` works on
    /// channels-last activations and the tensors are large; returns false (nothing done) otherwise.
    static func run(x: Tensor, weight: Tensor, bias: Tensor?, geo: ConvGeometry, prim: DNNLPrimitive, key: String,
                    wPlain: dnnl_memory_desc_t, out: Tensor) throws -> Bool {
        guard !geo.transposed, x.rank == 4, x.byteCount + out.byteCount >= bandBytes else { return false }
        let dt = x.dtype
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let o = out.shape[1], ho = out.shape[2], wo = out.shape[3]
        guard dnnlEqual(prim.desc(dnnl_query_src_md), try dnnlDesc(x.shape, dt, strides: Tensor.channelsLastStrides(x.shape))),
              dnnlEqual(prim.desc(dnnl_query_dst_md), try dnnlDesc(out.shape, dt, strides: Tensor.channelsLastStrides(out.shape)))
        else { return false }
        let s = Int(geo.strides[0]), padT = Int(geo.padL[0])
        let ext = (Int(geo.dilations[0]) + 1) * (geo.wDims[geo.wDims.count - 2] - 1) + 1
        let rowBytes = (o * wo + c * w * s) * n * dt.size
        // Per-thread bands (see `perThreadBands`): every worker of one parallel region owns a
        // contiguous share of the rows, cut into bands of at most bandBytes.
        let threads = ClearTensor.threadCount
        let perThread = perThreadBands && threads > 1 && OpenMP.symbols != nil
        let rowsPerBand: Int
        if perThread {
            let perWorker = (ho + threads - 1) / threads
            let k = max(1, (perWorker * rowBytes + bandBytes - 1) / bandBytes)
            rowsPerBand = (ho + threads * k - 1) / (threads * k)
            guard rowsPerBand >= 2 else { return false }
        } else {
            // At most bandBytes per band, and at least three bands: a tensor just over one band's
            // worth (the 24-channel 720p head) also gets cache-sized bands (measured, BENCHMARKS.md).
            rowsPerBand = max(4, min(bandBytes / max(rowBytes, 1), (ho + 2) / 3))
            guard rowsPerBand * 2 <= ho else { return false }
        }
        var bands: [Band] = []
        var h0 = 0
        while h0 < ho {
            let h1 = min(ho, h0 + rowsPerBand)
            let want0 = h0 * s - padT, want1 = (h1 - 1) * s - padT + ext
            let b = Band(h0: h0, h1: h1, inStart: max(0, want0), inEnd: min(h, want1), padTop: max(0, -want0), padBottom: max(0, want1 - h))
            guard b.inEnd > b.inStart else { return false }
            bands.append(b)
            h0 = h1
        }
        guard bands.count >= 2 else { return false }
        let wD = prim.desc(dnnl_query_weights_md)
        var scratch: [Tensor] = []
        defer { withExtendedLifetime(scratch) {} }
        // bf16 with 16, 32, 48 or 64 channels in and out, no groups: 16-channel blocks (nChw16c).
        // oneDNN convolves 64 -> 64 in blocks as fast as channels-last, and each transpose then
        // reads 16 channel rows and writes 32-byte runs contiguously: 93 % of the raw primitive
        // against 90 %. At 128 channels the blocked convolution is 1.5 % slower and the gain
        // does not hold; f32 showed none (and training runs in f32). Measured, BENCHMARKS.md.
        let blocked = blockedLayout && dt == .bf16 && geo.wDims.count == 4 && c % 16 == 0 && o % 16 == 0 && max(c, o) <= 64
        let wsrc = blocked ? nil : try LayoutAdapter.packedWeights(key + "|w", weight, plain: wPlain, want: wD, scratch: &scratch)
        let biasD = try dnnlDesc([o], .f32)
        let (es, bi, bo) = (dt.size, blocked ? 16 : c, blocked ? 16 : o)   // channels per block in / out
        func bandLayout(_ dims: [Int]) throws -> dnnl_memory_desc_t {
            blocked ? try dnnlDescBlocked16(dims, dt) : try dnnlDesc(dims, dt, strides: Tensor.channelsLastStrides(dims))
        }
        // Every band's primitive and packed weights, made before any band runs (in a parallel
        // region nothing may touch the shared stream). Per-thread bands get single-threaded primitives.
        struct Plan { let band: Band, prim: DNNLPrimitive, xd: dnnl_memory_desc_t, yd: dnnl_memory_desc_t, wd: dnnl_memory_desc_t, w: UnsafeMutableRawPointer }
        var plans: [Plan] = []
        for b in bands {
            let inRows = b.inEnd - b.inStart, outRows = b.h1 - b.h0
            let xd = try bandLayout([n, c, inRows, w]), yd = try bandLayout([n, o, outRows, wo])
            let bandWD = blocked ? try dnnlDescAny(geo.wDims, dt) : wD
            let bandKey = "\(key)|band\(blocked ? "16" : "")\(perThread ? "|1t" : "")|\(inRows)|\(outRows)|\(b.padTop)|\(b.padBottom)"
            let bandPrim = try OpenMP.withMaxThreads(perThread ? 1 : threads) {
                try DNNL.shared.primitive(bandKey, op: geo.op) { _ in
                    var sd = xd, dd = yd, wd = bandWD, bd = biasD
                    var d = dnnl_convolution_desc_t()
                    let pl = [Int64(b.padTop), geo.padL[1]], pr = [Int64(b.padBottom), geo.padR[1]]
                    try withUnsafeMutablePointer(to: &bd) { bp in
                        try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_convolution_direct,
                            &sd, &wd, bias != nil ? bp : nil, &dd, geo.strides, geo.dilations, pl, pr), geo.op, "dnnl_dilated_convolution_forward_desc_init")
                    }
                    return try DNNL.shared.makePD(&d, op: geo.op)
                }
            }
            let bandW = bandPrim.desc(dnnl_query_weights_md)
            let wptr = try wsrc ?? LayoutAdapter.packedWeights(bandKey + "|w", weight, plain: wPlain, want: bandW, scratch: &scratch)
            plans.append(Plan(band: b, prim: bandPrim, xd: xd, yd: yd, wd: bandW, w: wptr))
        }
        let maxIn = bands.map { $0.inEnd - $0.inStart }.max()!
        let workspace = ConvBandWorkspace.take()
        defer { ConvBandWorkspace.give(workspace) }
        try workspace.prepare(workers: perThread ? threads : 1, inputBytes: n * c * maxIn * w * dt.size,
                              outputBytes: n * o * rowsPerBand * wo * dt.size, streams: perThread ? threads : 0)
        let (xbs, ybs) = (workspace.inputs, workspace.outputs)
        // One band: its input rows into blocks of bi channels (channels-last is one block of all
        // channels: block k of an image holds channels [k·bi, (k+1)·bi) of its rows as
        // [rows·w][bi]), the convolution, its output blocks into output rows [h0, h1).
        func runBand(_ p: Plan, _ xb: Tensor, _ yb: Tensor, stream: DNNLStream?) throws {
            let b = p.band, inRows = b.inEnd - b.inStart, outRows = b.h1 - b.h0, serial = stream != nil
            for i in 0..<n {
                transposeStrided(x.raw + (i * c * h * w + b.inStart * w) * es, batchStride: bi * h * w, rowStride: h * w,
                                 xb.raw + i * c * inRows * w * es, batchStride: bi * inRows * w, rowStride: bi,
                                 batches: c / bi, rows: bi, cols: inRows * w, elementSize: es, serial: serial)
            }
            var args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = [(DNNLArg.src, p.xd, xb.raw), (DNNLArg.weights, p.wd, p.w), (DNNLArg.dst, p.yd, yb.raw)]
            if let bias { args.append((DNNLArg.bias, biasD, bias.raw)) }
            try DNNL.shared.execute(p.prim, args, op: geo.op, stream: stream)
            for i in 0..<n {
                transposeStrided(yb.raw + i * o * outRows * wo * es, batchStride: bo * outRows * wo, rowStride: bo,
                                 out.raw + (i * o * ho * wo + b.h0 * wo) * es, batchStride: bo * ho * wo, rowStride: ho * wo,
                                 batches: o / bo, rows: outRows * wo, cols: bo, elementSize: es, serial: serial)
            }
        }
        if perThread {
            // One parallel region: worker t runs bands [t·k, (t+1)·k) on its own stream and buffers,
            // transposing on its own thread; no barrier until the end (BENCHMARKS.md).
            let perWorker = (plans.count + threads - 1) / threads
            let failure = ErrorBox()
            parallelFor(threads) { r in
                for t in r {
                    do {
                        let stream = workspace.streams[t]
                        for p in plans[min(plans.count, t * perWorker)..<min(plans.count, (t + 1) * perWorker)] {
                            try runBand(p, xbs[t], ybs[t], stream: stream)
                        }
                    } catch { failure.set(error) }
                }
            }
            if let e = failure.error { throw e }
            perThreadRuns += 1
        } else {
            for p in plans { try runBand(p, xbs[0], ybs[0], stream: nil) }
        }
        bandedRuns += 1
        if blocked { blockedRuns += 1 }
        return true
    }
}

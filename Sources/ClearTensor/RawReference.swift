// Raw oneDNN primitives on preallocated buffers in the layouts the primitive prefers, for the
// benchmark's reference column: what oneDNN alone reaches on a shape, with no wrapper work
// (no reorders, no argument checks, no allocation). Not used by the ops themselves.
import CDNNL
import Foundation

public enum RawReference {
    /// A runnable raw primitive plus the buffers it owns.
    public final class Runner: @unchecked Sendable {  // used from one thread at a time by the benchmark
        let prim: DNNLPrimitive
        let args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]
        let buffers: [Tensor]
        init(_ prim: DNNLPrimitive, _ queries: [(Int32, dnnl_query_t)]) {
            var bufs: [Tensor] = [], a: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)] = []
            for (id, q) in queries {
                let md = prim.desc(q)
                let t = LayoutAdapter.scratchBuffer(bytes: dnnlSize(md))
                // small deterministic values so that timings are not affected by denormals
                let words = t.count
                let p = t.bf16
                for i in 0..<words { p[i] = 0x3C00 &+ UInt16(i % 64) }
                bufs.append(t); a.append((id, md, t.raw))
            }
            self.prim = prim; args = a; buffers = bufs
        }
        public func run() throws { try DNNL.shared.execute(prim, args, op: "raw") }
    }

    /// Raw matmul [m, k] · [k, n] with weights in the primitive's preferred (packed) layout.
    public static func matmul(m: Int, k: Int, n: Int, dtype: DType) throws -> Runner {
        let prim = try DNNL.shared.primitive("raw-matmul|\(m)|\(k)|\(n)|\(dtype)", op: "raw matmul") { _ in
            var a = try dnnlDesc([m, k], dtype), b = try dnnlDescAny([k, n], dtype), c = try dnnlDesc([m, n], dtype)
            var d = dnnl_matmul_desc_t()
            try dnnlCheck(dnnl_matmul_desc_init(&d, &a, &b, nil, &c), "raw matmul", "dnnl_matmul_desc_init")
            return try DNNL.shared.makePD(&d, op: "raw matmul")
        }
        return Runner(prim, [(DNNLArg.src, dnnl_query_src_md), (DNNLArg.weights, dnnl_query_weights_md), (DNNLArg.dst, dnnl_query_dst_md)])
    }

    /// Raw forward convolution with src/weights/dst in the primitive's preferred layouts.
    public static func conv(x: [Int], weight: [Int], params p: ConvParams, dtype: DType) throws -> Runner {
        let sp = x.count - 2
        var outSp: [Int] = []
        for i in 0..<sp {
            outSp.append((x[2 + i] + 2 * p.padding[i] - p.dilation[i] * (weight[2 + i] - 1) - 1) / p.stride[i] + 1)
        }
        let y = [x[0], weight[0]] + outSp
        let g = p.groups
        let wDims = g > 1 ? [g, weight[0] / g] + Array(weight.dropFirst()) : weight
        let prim = try DNNL.shared.primitive("raw-conv|\(x)|\(wDims)|\(p)|\(dtype)", op: "raw conv") { _ in
            var xd = try dnnlDescAny(x, dtype), wd = try dnnlDescAny(wDims, dtype), yd = try dnnlDescAny(y, dtype)
            let st = p.stride.map { Int64($0) }, dl = p.dilation.map { Int64($0 - 1) }, pl = p.padding.map { Int64($0) }
            var d = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_convolution_direct,
                                                                     &xd, &wd, nil, &yd, st, dl, pl, pl), "raw conv", "dnnl_dilated_convolution_forward_desc_init")
            return try DNNL.shared.makePD(&d, op: "raw conv")
        }
        return Runner(prim, [(DNNLArg.src, dnnl_query_src_md), (DNNLArg.weights, dnnl_query_weights_md), (DNNLArg.dst, dnnl_query_dst_md)])
    }
}

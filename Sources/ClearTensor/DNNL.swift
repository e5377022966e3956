// oneDNN 2.x C API plumbing: one CPU engine + one stream, status checking, memory descriptors,
// and a cache of primitives keyed by the op descriptor (op kind, shapes, dtypes, attributes).
// Matches: oneDNN's own semantics; every primitive built here is an unmodified oneDNN primitive.
import CDNNL
import Foundation

/// Execution-argument ids (DNNL_ARG_* in dnnl_types.h; macros that alias macros are not imported).
enum DNNLArg {
    static let src: Int32 = 1, src1: Int32 = 2, dst: Int32 = 17, weights: Int32 = 33, bias: Int32 = 41
    static let mean: Int32 = 49, variance: Int32 = 50, scale: Int32 = 51, shift: Int32 = 52
    static let workspace: Int32 = 64, scratchpad: Int32 = 80
    static let diffSrc: Int32 = 129, diffDst: Int32 = 145, diffWeights: Int32 = 161, diffBias: Int32 = 169
    static let diffScale: Int32 = 255, diffShift: Int32 = 256
    static let from: Int32 = 1, to: Int32 = 17
    static func multipleSrc(_ i: Int) -> Int32 { 1024 + Int32(i) }
}

@inline(__always)
func dnnlCheck(_ s: dnnl_status_t, _ op: String, _ call: String) throws {
    if s != dnnl_success { throw TensorError.dnnl(op: op, status: Int(s.rawValue), call: call) }
}

extension DType {
    var dnnl: dnnl_data_type_t { self == .f32 ? dnnl_f32 : dnnl_bf16 }
}

/// Memory descriptor from dims and element strides (row-major when `strides` is nil).
func dnnlDesc(_ dims: [Int], _ dt: DType, strides: [Int]? = nil) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    let s = (strides ?? Tensor.contiguousStrides(dims)).map { Int64($0) }
    try dnnlCheck(dnnl_memory_desc_init_by_strides(&md, Int32(dims.count), d, dt.dnnl, s), "memory desc \(dims)", "dnnl_memory_desc_init_by_strides")
    return md
}

/// Memory descriptor with format `any`, letting the primitive choose its preferred layout.
func dnnlDescAny(_ dims: [Int], _ dt: DType) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), d, dt.dnnl, dnnl_format_tag_any), "memory desc \(dims)", "dnnl_memory_desc_init_by_tag")
    return md
}

/// Memory descriptor of a 4-d [N, C, H, W] tensor in 16-channel blocks (oneDNN's nChw16c:
/// [N][C/16][H][W][16]).
func dnnlDescBlocked16(_ dims: [Int], _ dt: DType) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), d, dt.dnnl, dnnl_nChw16c), "memory desc \(dims)", "dnnl_memory_desc_init_by_tag")
    return md
}

/// A cached primitive with its descriptor. `@unchecked Sendable`: oneDNN primitives are
/// immutable after creation and are created with a user-managed scratchpad, which makes
/// concurrent execution from several threads safe (each execution gets its own scratchpad).
final class DNNLPrimitive: @unchecked Sendable {
    let pd: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    let scratchpadDesc: dnnl_memory_desc_t
    let scratchpadBytes: Int

    init(pd: dnnl_primitive_desc_t, op: String) throws {
        self.pd = pd
        var p: dnnl_primitive_t?
        let s = dnnl_primitive_create(&p, pd)
        if s != dnnl_success { dnnl_primitive_desc_destroy(pd) }
        try dnnlCheck(s, op, "dnnl_primitive_create")
        primitive = p!
        scratchpadDesc = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
        scratchpadBytes = dnnlSize(scratchpadDesc)
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(pd)
    }

    /// The memory descriptor the primitive chose for a query (src/weights/dst/…).
    func desc(_ q: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(pd, q, index).pointee
    }
}

/// The engine, the stream and the primitive cache. `@unchecked Sendable`: every mutable state is
/// guarded by `lock`; oneDNN handles are thread-safe for creation and used under the lock.
public final class DNNL: @unchecked Sendable {
    public static let shared = DNNL()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    let lock = NSLock()
    private var cache: [String: DNNLPrimitive] = [:]

    private init() {
        var e: dnnl_engine_t?
        precondition(dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success, "oneDNN: cannot create the CPU engine")
        engine = e!
        var s: dnnl_stream_t?
        precondition(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, "oneDNN: cannot create a stream")
        stream = s!
        OpenMP.setThreads(ClearTensor.threadCount)
    }

    /// Number of cached primitives (for tests: a repeated shape must not add one).
    public var cachedPrimitiveCount: Int { lock.lock(); defer { lock.unlock() }; return cache.count }

    /// Returns the cached primitive for `key`, creating its descriptor with `makeDesc` on a miss.
    /// `makeDesc` gets the engine and returns a primitive descriptor (ownership passes to the cache).
    func primitive(_ key: String, op: String, _ makeDesc: (dnnl_engine_t) throws -> dnnl_primitive_desc_t) throws -> DNNLPrimitive {
        lock.lock()
        if let p = cache[key] { lock.unlock(); return p }
        lock.unlock()
        let p = try DNNLPrimitive(pd: try makeDesc(engine), op: op)
        lock.lock(); defer { lock.unlock() }
        if let existing = cache[key] { return existing }
        cache[key] = p
        return p
    }

    /// Creates a primitive descriptor from an op descriptor struct (matmul_desc, convolution_desc, …).
    /// The scratchpad mode is always set to `user` (see `DNNLPrimitive`).
    func makePD<D>(_ desc: inout D, attr: dnnl_primitive_attr_t? = nil, hint: dnnl_primitive_desc_t? = nil, op: String) throws -> dnnl_primitive_desc_t {
        var pd: dnnl_primitive_desc_t?
        var own: dnnl_primitive_attr_t?
        if attr == nil { try dnnlCheck(dnnl_primitive_attr_create(&own), op, "dnnl_primitive_attr_create") }
        defer { if own != nil { dnnl_primitive_attr_destroy(own) } }
        let a = attr ?? own
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), op, "dnnl_primitive_attr_set_scratchpad_mode")
        let s = withUnsafePointer(to: &desc) { dnnl_primitive_desc_create(&pd, UnsafeRawPointer($0), a, engine, hint) }
        try dnnlCheck(s, op, "dnnl_primitive_desc_create")
        return pd!
    }

    /// Executes a primitive on raw buffers: each arg is (id, memory descriptor, pointer).
    /// Without `stream`, runs on the shared stream (serialised, oneDNN uses all threads); a worker
    /// that owns a `DNNLStream` may execute concurrently with others.
    func execute(_ p: DNNLPrimitive, _ args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)], op: String,
                 stream own: DNNLStream? = nil) throws {
        var args = args
        var scratch: UnsafeMutableRawPointer? = nil
        if p.scratchpadBytes > 0 {
            scratch = UnsafeMutableRawPointer.allocate(byteCount: p.scratchpadBytes, alignment: 64)
            args.append((DNNLArg.scratchpad, p.scratchpadDesc, scratch!))
        }
        defer { scratch?.deallocate() }
        var mems: [dnnl_memory_t?] = []
        mems.reserveCapacity(args.count)
        defer { for m in mems { dnnl_memory_destroy(m) } }
        var execArgs: [dnnl_exec_arg_t] = []
        for (id, md, ptr) in args {
            var m: dnnl_memory_t?
            var d = md
            try dnnlCheck(dnnl_memory_create(&m, &d, engine, ptr), op, "dnnl_memory_create")
            mems.append(m)
            execArgs.append(dnnl_exec_arg_t(arg: id, memory: m))
        }
        if let own {
            try dnnlCheck(dnnl_primitive_execute(p.primitive, own.stream, Int32(execArgs.count), execArgs), op, "dnnl_primitive_execute")
            try dnnlCheck(dnnl_stream_wait(own.stream), op, "dnnl_stream_wait")
            return
        }
        lock.lock(); defer { lock.unlock() }
        try dnnlCheck(dnnl_primitive_execute(p.primitive, stream, Int32(execArgs.count), execArgs), op, "dnnl_primitive_execute")
        try dnnlCheck(dnnl_stream_wait(stream), op, "dnnl_stream_wait")
    }

    /// Reorders between two layouts of the same logical tensor (cached by `key`).
    func reorder(key: String, from src: dnnl_memory_desc_t, _ srcPtr: UnsafeMutableRawPointer,
                 to dst: dnnl_memory_desc_t, _ dstPtr: UnsafeMutableRawPointer, stream: DNNLStream? = nil) throws {
        let p = try primitive("reorder|" + key, op: "reorder") { eng in
            var pd: dnnl_primitive_desc_t?
            var s = src, d = dst
            var attr: dnnl_primitive_attr_t?
            try dnnlCheck(dnnl_primitive_attr_create(&attr), "reorder", "dnnl_primitive_attr_create")
            defer { dnnl_primitive_attr_destroy(attr) }
            try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "reorder", "dnnl_primitive_attr_set_scratchpad_mode")
            try dnnlCheck(dnnl_reorder_primitive_desc_create(&pd, &s, eng, &d, eng, attr), "reorder", "dnnl_reorder_primitive_desc_create")
            return pd!
        }
        try execute(p, [(DNNLArg.from, src, srcPtr), (DNNLArg.to, dst, dstPtr)], op: "reorder", stream: stream)
    }
}

/// A private oneDNN stream for a worker thread that executes primitives concurrently with others.
final class DNNLStream {
    let stream: dnnl_stream_t
    init() throws {
        var s: dnnl_stream_t?
        try dnnlCheck(dnnl_stream_create(&s, DNNL.shared.engine, dnnl_stream_default_flags.rawValue), "stream", "dnnl_stream_create")
        stream = s!
    }
    deinit { dnnl_stream_destroy(stream) }
}

func dnnlEqual(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
    var x = a, y = b
    return dnnl_memory_desc_equal(&x, &y) != 0
}

func dnnlSize(_ a: dnnl_memory_desc_t) -> Int {
    var x = a
    return Int(dnnl_memory_desc_get_size(&x))
}

extension Ops {
    /// True when oneDNN runs bf16 convolutions and matmuls natively on this CPU (its effective ISA
    /// includes AVX-512 BF16 or AMX); elsewhere bf16 is emulated or unavailable, and f32 is faster.
    /// True when oneDNN's effective ISA includes AVX-512 (core); below it, oneDNN picks blocked
    /// activation layouts for convolutions rather than channels-last.
    public static let avx512Core: Bool = {
        let isa = UInt32(dnnl_get_effective_cpu_isa().rawValue), core = UInt32(dnnl_cpu_isa_avx512_core.rawValue)
        return isa & core == core
    }()

    public static let nativeBF16: Bool = {
        let isa = UInt32(dnnl_get_effective_cpu_isa().rawValue), bf16 = UInt32(dnnl_cpu_isa_avx512_core_bf16.rawValue)
        return isa & bf16 == bf16
    }()
}

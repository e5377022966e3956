// Thread pool / parallel-for used by the ops that are written in Swift (the oneDNN ops use
// oneDNN's own OpenMP pool, which `ClearTensor.threadCount` also sizes).
import Dispatch
import Foundation

/// Global settings of the Tensor layer.
public enum ClearTensor {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _threads = ProcessInfo.processInfo.activeProcessorCount

    /// Number of worker threads for Swift ops and for oneDNN (default: active processor count).
    public static var threadCount: Int {
        get { lock.lock(); defer { lock.unlock() }; return _threads }
        set {
            let n = max(1, newValue)
            lock.lock(); _threads = n; lock.unlock()
            OpenMP.setThreads(n)
        }
    }
}

/// oneDNN in Debian is built against GNU OpenMP (libgomp). The Swift ops run their parallel
/// loops on the same OpenMP team (through libgomp's `GOMP_parallel` ABI), so that oneDNN's
/// spinning workers and a second pool never fight over the cores; Dispatch is the fallback when
/// libgomp is not loaded.
enum OpenMP {
    typealias SetFn = @convention(c) (Int32) -> Void
    typealias GetFn = @convention(c) () -> Int32
    typealias Body = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias ParallelFn = @convention(c) (Body, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void

    struct Symbols: @unchecked Sendable {  // immutable C function pointers
        let setThreads: SetFn, maxThreads: GetFn, threadNum: GetFn, numThreads: GetFn, parallel: ParallelFn
    }
    static let symbols: Symbols? = {
        let h = UnsafeMutableRawPointer(bitPattern: 0)
        guard let a = dlsym(h, "omp_set_num_threads"), let m = dlsym(h, "omp_get_max_threads"), let b = dlsym(h, "omp_get_thread_num"),
              let c = dlsym(h, "omp_get_num_threads"), let d = dlsym(h, "GOMP_parallel") else { return nil }
        return Symbols(setThreads: unsafeBitCast(a, to: SetFn.self), maxThreads: unsafeBitCast(m, to: GetFn.self),
                       threadNum: unsafeBitCast(b, to: GetFn.self), numThreads: unsafeBitCast(c, to: GetFn.self),
                       parallel: unsafeBitCast(d, to: ParallelFn.self))
    }()

    static func setThreads(_ n: Int) { symbols?.setThreads(Int32(n)) }

    /// Runs `body` with the calling thread's OpenMP team size set to `n`, then restores it. oneDNN
    /// sizes a primitive's work split by this number when the primitive is created, so a primitive
    /// made under `withMaxThreads(1)` is a single-threaded one, for use inside a parallel region.
    static func withMaxThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
        guard let s = symbols else { return try body() }
        let saved = s.maxThreads()
        s.setThreads(Int32(n))
        defer { s.setThreads(saved) }
        return try body()
    }

    /// Runs `body(chunkIndex)` for chunkIndex in 0..<chunks on the OpenMP team; false if unavailable.
    static func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
        guard let s = symbols else { return false }
        return withoutActuallyEscaping(body) { body in
            final class Context { let body: (Int) -> Void; let chunks: Int; let s: Symbols
                init(_ b: @escaping (Int) -> Void, _ c: Int, _ s: Symbols) { body = b; chunks = c; self.s = s } }
            let ctx = Context(body, chunks, s)
            let fn: Body = { raw in
                let ctx = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
                let t = Int(ctx.s.threadNum()), n = Int(ctx.s.numThreads())
                var c = t
                while c < ctx.chunks { ctx.body(c); c += n }
            }
            withExtendedLifetime(ctx) {
                s.parallel(fn, Unmanaged.passUnretained(ctx).toOpaque(), UInt32(chunks), 0)
            }
            return true
        }
    }
}

/// Runs `body(range)` over `0..<count` split into at most `ClearTensor.threadCount` contiguous
/// chunks of at least `minChunk` items, in parallel; returns when all chunks are done.
public func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let threads = ClearTensor.threadCount
    let chunks = max(1, min(threads, count / max(1, minChunk)))
    if chunks == 1 { body(0..<count); return }
    let per = (count + chunks - 1) / chunks
    let chunk: (Int) -> Void = { c in
        let lo = c * per
        let hi = min(count, lo + per)
        if lo < hi { body(lo..<hi) }
    }
    if OpenMP.run(chunks: chunks, chunk) { return }
    withoutActuallyEscaping(chunk) { chunk in
        // concurrentPerform returns only after every iteration finished, so `chunk` never outlives
        // this call; each chunk gets a disjoint range.
        let box = UncheckedSendableBox(chunk)
        DispatchQueue.concurrentPerform(iterations: chunks) { box.value($0) }
    }
}

/// Runs `body` on `chunks` contiguous parts of `0..<count` (part i: i·count/chunks ..< (i+1)·count/chunks),
/// in parallel, and returns their results in part order; the split depends only on `count` and
/// `chunks`, so results merged in order are the same on any number of threads.
public func parallelMap<T>(_ count: Int, chunks: Int, _ body: (Range<Int>) -> T) -> [T] {
    let n = max(1, chunks)
    var results = [T?](repeating: nil, count: n)
    results.withUnsafeMutableBufferPointer { rb in
        let slots = rb.baseAddress!   // each part writes its own slot
        parallelFor(n) { parts in
            for i in parts { slots[i] = body((i * count / n)..<((i + 1) * count / n)) }
        }
    }
    return results.map { $0! }
}

/// Carries a non-Sendable value into a scoped parallel region that provably ends before the
/// value's owner continues (see `parallelFor`).
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// Like `parallelFor`, but the range is cut into chunks of `grain` items that the team's threads
/// take one at a time: when a thread is descheduled (shared machine), the others take over its
/// remaining chunks instead of waiting for it at the end of a static split.
public func parallelForDynamic(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let g = max(1, grain)
    let chunks = (count + g - 1) / g
    let threads = min(ClearTensor.threadCount, chunks)
    if threads <= 1 { body(0..<count); return }
    let next = ChunkCounter()
    parallelFor(threads) { _ in
        while true {
            let c = next.take()
            if c >= chunks { break }
            body((c * g)..<min(count, (c + 1) * g))
        }
    }
}

/// Hands out chunk indices 0, 1, 2, … to concurrent takers.
private final class ChunkCounter: @unchecked Sendable {  // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value = 0
    func take() -> Int { lock.lock(); defer { lock.unlock() }; let v = value; value += 1; return v }
}

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

/// oneDNN in Debian is built against GNU OpenMP; its thread count is set through libgomp.
enum OpenMP {
    private typealias SetFn = @convention(c) (Int32) -> Void
    static func setThreads(_ n: Int) {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads") else { return }
        unsafeBitCast(sym, to: SetFn.self)(Int32(n))
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
    withoutActuallyEscaping(body) { body in
        // concurrentPerform returns only after every iteration finished, so `body` never outlives
        // this call; each chunk gets a disjoint range.
        let box = UncheckedSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(count, lo + per)
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Carries a non-Sendable value into a scoped parallel region that provably ends before the
/// value's owner continues (see `parallelFor`).
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

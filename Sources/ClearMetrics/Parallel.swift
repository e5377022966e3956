// Row-parallel loops over the machine's cores with DispatchQueue.concurrentPerform. The split into
// chunks depends only on the number of rows (never on the core count), and per-chunk partial
// results are reduced in chunk order, so every metric is bit-for-bit reproducible across machines.
import Dispatch

public enum Parallel {
    /// Chunks a loop over `count` rows is split into (at most).
    static let maxChunks = 32

    static func chunks(_ count: Int) -> Int { max(1, min(count, maxChunks)) }

    static func range(_ i: Int, of n: Int, count: Int) -> Range<Int> {
        (i * count / n)..<((i + 1) * count / n)
    }

    /// Runs `body` on disjoint row ranges covering 0..<count, concurrently.
    public static func forRows(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        if count <= 0 { return }
        let n = chunks(count)
        if n == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: n) { i in body(range(i, of: n, count: count)) }
    }

    /// Runs `body` on disjoint row ranges covering 0..<count and returns the partial results in
    /// row order.
    public static func mapRows<T: Sendable>(_ count: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        if count <= 0 { return [] }
        let n = chunks(count)
        let slots = Slots<T>(n)
        if n == 1 {
            slots.set(0, body(0..<count))
        } else {
            DispatchQueue.concurrentPerform(iterations: n) { i in slots.set(i, body(range(i, of: n, count: count))) }
        }
        return slots.values
    }
}

/// One write-once slot per chunk; each slot is written by exactly one worker.
private final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    init(_ n: Int) {
        base = .allocate(capacity: n)
        base.initialize(repeating: nil, count: n)
        count = n
    }
    let count: Int
    func set(_ i: Int, _ v: T) { base[i] = v }
    var values: [T] { (0..<count).map { base[$0]! } }
    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// Raw pointers (or tuples of them) handed to the workers of one `Parallel` call; the caller keeps
/// the storage alive and gives each worker disjoint rows to write.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

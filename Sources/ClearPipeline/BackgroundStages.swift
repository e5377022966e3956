// Decoding and encoding beside the engine: `ReadAhead` pulls items (decoded frames) on its own
// thread into a small bounded queue, `WriteBehind` consumes them (compositing, encoding) on its
// own thread from one. FFmpeg's pipes hold a fraction of a frame, so without them the decoders
// only run while the engine waits for a frame, and the engine waits while a frame is written.
// Errors are handed to the other side in order; memory stays bounded by the capacities.
import Foundation

/// Items from `produce` (called on a background thread until it returns nil or throws), up to
/// `capacity` ahead of the consumer.
public final class ReadAhead<Item>: @unchecked Sendable {  // state is only touched under `cond`
    private let cond = NSCondition()
    private var queue: [Item] = []
    private var finished = false
    private var failure: Error?
    private var stopped = false
    private var running = true
    private let capacity: Int

    public init(capacity: Int, label: String, produce: @escaping () throws -> Item?) {
        self.capacity = max(1, capacity)
        let body = UncheckedBox(produce)
        let thread = Thread { [self] in self.run(body.value) }
        thread.name = label
        thread.start()
    }

    private func run(_ produce: () throws -> Item?) {
        defer { cond.lock(); running = false; cond.broadcast(); cond.unlock() }
        while true {
            cond.lock()
            while queue.count >= capacity && !stopped { cond.wait() }
            let stop = stopped
            cond.unlock()
            if stop { return }
            do {
                let item = try produce()
                cond.lock()
                if let item { queue.append(item) } else { finished = true }
                cond.broadcast()
                cond.unlock()
                if item == nil { return }
            } catch {
                cond.lock(); failure = error; finished = true; cond.broadcast(); cond.unlock()
                return
            }
        }
    }

    /// The next item in order, nil after the last; rethrows the producer's error where it occurred.
    public func next() throws -> Item? {
        cond.lock(); defer { cond.unlock() }
        while queue.isEmpty && !finished { cond.wait() }
        if !queue.isEmpty { let item = queue.removeFirst(); cond.broadcast(); return item }
        if let failure { throw failure }
        return nil
    }

    /// Stops producing and waits until the producer has returned, so that its source may be
    /// closed. A producer inside `produce` first finishes that item (its decoder keeps running).
    public func stop() {
        cond.lock(); stopped = true; cond.broadcast()
        while running { cond.wait() }
        cond.unlock()
    }
}

/// Hands items to `consume` on a background thread, in order, with at most `capacity` waiting.
public final class WriteBehind<Item>: @unchecked Sendable {  // state is only touched under `cond`
    private let cond = NSCondition()
    private var queue: [Item] = []
    private var closed = false
    private var failure: Error?
    private var running = true
    private let capacity: Int

    public init(capacity: Int, label: String, consume: @escaping (Item) throws -> Void) {
        self.capacity = max(1, capacity)
        let body = UncheckedBox(consume)
        let thread = Thread { [self] in self.run(body.value) }
        thread.name = label
        thread.start()
    }

    private func run(_ consume: (Item) throws -> Void) {
        defer { cond.lock(); running = false; cond.broadcast(); cond.unlock() }
        while true {
            cond.lock()
            while queue.isEmpty && !closed { cond.wait() }
            if queue.isEmpty { cond.unlock(); return }
            let item = queue.removeFirst()
            cond.broadcast()
            cond.unlock()
            do { try consume(item) } catch {
                cond.lock(); failure = error; queue.removeAll(); closed = true; cond.broadcast(); cond.unlock()
                return
            }
        }
    }

    /// Queues `item`, waiting while `capacity` items wait; throws the consumer's first error.
    public func put(_ item: Item) throws {
        cond.lock(); defer { cond.unlock() }
        while queue.count >= capacity && failure == nil && !closed { cond.wait() }
        if let failure { throw failure }
        queue.append(item)
        cond.broadcast()
    }

    /// Waits until every queued item is consumed; throws the consumer's first error.
    public func finish() throws {
        cond.lock(); defer { cond.unlock() }
        closed = true
        cond.broadcast()
        while running { cond.wait() }
        if let failure { throw failure }
    }

    /// Drops what is queued and waits for the item in progress (on errors and cancellation).
    public func cancel() {
        cond.lock(); queue.removeAll(); closed = true; cond.broadcast()
        while running { cond.wait() }
        cond.unlock()
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

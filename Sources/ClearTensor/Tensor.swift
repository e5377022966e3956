// The n-d tensor: contiguous row-major storage of f32 or bf16 elements, either owned (64-byte
// aligned heap memory, counted by `TensorMemory`) or borrowed from externally owned memory such
// as a memory-mapped file (the owner object is retained for as long as the tensor lives).
// Data has reference semantics (like a PyTorch tensor): copies of a `Tensor` share storage; ops
// never write into their inputs, they return new tensors. Code that writes into an existing
// tensor in place (the optimizer) calls `markMutated()`, which invalidates cached derived data
// such as pre-packed convolution weights.
import Foundation

/// Counts bytes of tensor storage allocated by this layer (current and peak), so tests and the
/// benchmark can check memory bounds (e.g. that attention never holds an N×N buffer).
public enum TensorMemory {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current = 0
    nonisolated(unsafe) private static var peak = 0

    public static var currentBytes: Int { lock.lock(); defer { lock.unlock() }; return current }
    public static var peakBytes: Int { lock.lock(); defer { lock.unlock() }; return peak }
    /// Resets the peak to the current allocation level.
    public static func resetPeak() { lock.lock(); peak = current; lock.unlock() }

    static func allocated(_ n: Int) { lock.lock(); current += n; peak = max(peak, current); lock.unlock() }
    static func freed(_ n: Int) { lock.lock(); current -= n; lock.unlock() }
}

/// A cache of recently freed large blocks, reused for allocations of exactly the same size:
/// repeated ops on the same shapes then write into memory that is already mapped, instead of
/// page-faulting a fresh mmap for every output (glibc maps blocks > 32 MiB anew each time).
public enum StoragePool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var blocks: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var cached = 0
    nonisolated(unsafe) private static var order: [(pointer: UnsafeMutableRawPointer, size: Int)] = []  // oldest first
    nonisolated(unsafe) private static var limit = defaultLimit
    /// An eighth of the machine's memory, between 1 and 4 GiB: room for the largest activations of
    /// the Wan shapes in f32 (an FFN output of 32 760 × 8 960 is 1.1 GiB), which a fixed 1 GiB
    /// missed, so every such output was page-faulted anew.
    static let defaultLimit = min(4 << 30, max(1 << 30, Int(ProcessInfo.processInfo.physicalMemory / 8)))
    /// Blocks smaller than this go straight back to malloc.
    static let minimumBlock = 1 << 20

    /// Upper bound of cached (freed, not yet reused) bytes; 0 disables the cache and empties it.
    public static var limitBytes: Int {
        get { lock.lock(); defer { lock.unlock() }; return limit }
        set { lock.lock(); limit = max(0, newValue); lock.unlock(); if newValue <= 0 { empty() } }
    }
    public static var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return cached }

    /// Returns every cached block to the system.
    public static func empty() {
        lock.lock(); let all = blocks; blocks = [:]; order = []; cached = 0; lock.unlock()
        for (_, list) in all { for p in list { p.deallocate() } }
    }

    static func take(_ n: Int) -> UnsafeMutableRawPointer? {
        guard n >= minimumBlock else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let p = blocks[n]?.popLast() else { return nil }
        if blocks[n]?.isEmpty == true { blocks[n] = nil }
        if let i = order.firstIndex(where: { $0.pointer == p }) { order.remove(at: i) }
        cached -= n
        return p
    }

    /// Caches a freed block, evicting the oldest cached blocks when over the limit (a full cache of
    /// sizes that never recur must not stop the current sizes from being reused).
    static func give(_ p: UnsafeMutableRawPointer, _ n: Int) -> Bool {
        guard n >= minimumBlock else { return false }
        var evicted: [UnsafeMutableRawPointer] = []
        lock.lock()
        guard n <= limit else { lock.unlock(); return false }
        while cached + n > limit, let oldest = order.first {
            order.removeFirst()
            if var list = blocks[oldest.size], let i = list.firstIndex(of: oldest.pointer) {
                list.remove(at: i); blocks[oldest.size] = list.isEmpty ? nil : list
                cached -= oldest.size
                evicted.append(oldest.pointer)
            }
        }
        blocks[n, default: []].append(p)
        order.append((p, n))
        cached += n
        lock.unlock()
        for e in evicted { e.deallocate() }
        return true
    }
}

/// Raw bytes behind a tensor. `@unchecked Sendable`: the pointer and size never change after
/// init and the memory is released only in `deinit`; concurrent writes happen only inside ops,
/// on freshly allocated outputs, on disjoint ranges.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Keeps externally owned memory alive; nil when this storage owns `pointer`.
    public let owner: AnyObject?

    init(byteCount: Int, zeroed: Bool) {
        let n = max(byteCount, 1)
        pointer = StoragePool.take(n) ?? UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 64)
        if zeroed { memset(pointer, 0, n) }
        self.byteCount = byteCount
        owner = nil
        TensorMemory.allocated(n)
    }

    init(external: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        pointer = UnsafeMutableRawPointer(mutating: external)
        self.byteCount = byteCount
        self.owner = owner
    }

    // Data derived from this storage's contents (e.g. weights pre-packed into a oneDNN layout),
    // keyed by the consumer; dropped whenever the contents change (`markMutated`).
    private let derivedLock = NSLock()
    private var derived: [String: AnyObject] = [:]
    private var _version: UInt64 = 0

    /// Incremented by `markMutated()`; derived data is valid only for the version it was made from.
    public var version: UInt64 { derivedLock.lock(); defer { derivedLock.unlock() }; return _version }

    /// Must be called by code that writes into this storage after ops may have read it (in-place
    /// updates such as the optimizer step): bumps `version` and drops every cached derived value,
    /// so no op can use a stale pre-packed copy.
    public func markMutated() {
        derivedLock.lock(); _version &+= 1; let old = derived; derived = [:]; derivedLock.unlock()
        withExtendedLifetime(old) {}
    }

    /// Cached value derived from the current contents under `key`, made by `make` on a miss. The
    /// value dies with this storage or at the next `markMutated()`; if the storage is mutated while
    /// `make` runs, the result is returned but not cached.
    func derivedValue<T: AnyObject>(_ key: String, _ make: () throws -> T) rethrows -> T {
        derivedLock.lock()
        if let v = derived[key] as? T { derivedLock.unlock(); return v }
        let before = _version
        derivedLock.unlock()
        let v = try make()
        derivedLock.lock()
        if _version == before { derived[key] = v }
        derivedLock.unlock()
        return v
    }

    /// Number of cached derived values (for tests).
    public var derivedCount: Int { derivedLock.lock(); defer { derivedLock.unlock() }; return derived.count }

    deinit {
        if owner == nil {
            TensorMemory.freed(max(byteCount, 1))
            if !StoragePool.give(pointer, max(byteCount, 1)) { pointer.deallocate() }
        }
    }
}

public struct Tensor: Sendable, CustomStringConvertible {
    public let shape: [Int]
    public let dtype: DType
    public let storage: TensorStorage

    // MARK: construction

    /// Uninitialised (or zeroed) owned tensor.
    public init(shape: [Int], dtype: DType = .f32, zeroed: Bool = true) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dtype = dtype
        storage = TensorStorage(byteCount: shape.reduce(1, *) * dtype.size, zeroed: zeroed)
    }

    /// f32 tensor from values (converted to `dtype`).
    public init(shape: [Int], values: [Float], dtype: DType = .f32) throws {
        let n = shape.reduce(1, *)
        guard values.count == n else {
            throw TensorError.shapeMismatch(op: "Tensor(shape:values:)", expected: [n], got: [values.count],
                                            hint: "pass exactly product(shape) values")
        }
        self.init(shape: shape, dtype: dtype, zeroed: false)
        values.withUnsafeBufferPointer { v in
            if dtype == .f32 { f32.update(from: v.baseAddress!, count: n) }
            else { BF16.convert(v.baseAddress!, bf16, count: n) }
        }
    }

    /// bf16 tensor from raw bf16 bit patterns.
    public init(shape: [Int], bf16Bits: [UInt16]) throws {
        let n = shape.reduce(1, *)
        guard bf16Bits.count == n else {
            throw TensorError.shapeMismatch(op: "Tensor(shape:bf16Bits:)", expected: [n], got: [bf16Bits.count],
                                            hint: "pass exactly product(shape) values")
        }
        self.init(shape: shape, dtype: .bf16, zeroed: false)
        bf16Bits.withUnsafeBufferPointer { bf16.update(from: $0.baseAddress!, count: n) }
    }

    /// A tensor over externally owned memory (e.g. an mmap'ed file). `owner` is retained for the
    /// lifetime of every tensor sharing this storage. The memory must stay valid and is never
    /// written by ops (they only read inputs).
    public init(shape: [Int], dtype: DType, external pointer: UnsafeRawPointer, byteCount: Int, owner: AnyObject) throws {
        let needed = shape.reduce(1, *) * dtype.size
        guard byteCount >= needed else { throw TensorError.bufferTooSmall(bytesNeeded: needed, bytesGiven: byteCount) }
        self.shape = shape
        self.dtype = dtype
        storage = TensorStorage(external: pointer, byteCount: needed, owner: owner)
    }

    init(shape: [Int], dtype: DType, storage: TensorStorage) {
        self.shape = shape; self.dtype = dtype; self.storage = storage
    }

    /// Deterministic pseudo-random tensor, uniform in [lo, hi) (SplitMix64), for tests and benchmarks.
    public static func random(shape: [Int], dtype: DType = .f32, seed: UInt64, lo: Float = -1, hi: Float = 1) -> Tensor {
        let n = shape.reduce(1, *)
        let t = Tensor(shape: [n], dtype: .f32, zeroed: false)
        let p = t.f32
        parallelFor(n, minChunk: 1 << 16) { r in
            for i in r {
                var z = seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                p[i] = lo + (hi - lo) * Float(z >> 40) / Float(1 << 24)
            }
        }
        let shaped = Tensor(shape: shape, dtype: .f32, storage: t.storage)
        return dtype == .f32 ? shaped : shaped.toBF16()
    }

    // MARK: shape helpers

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    public var byteCount: Int { count * dtype.size }
    /// Row-major element strides.
    public var strides: [Int] { Tensor.contiguousStrides(shape) }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }

    /// Normalises a possibly negative axis.
    public func axis(_ a: Int, op: String) throws -> Int {
        let r = a < 0 ? a + rank : a
        guard r >= 0 && r < rank else {
            throw TensorError.invalidArgument(op: op, reason: "axis \(a) out of range for shape \(shape)")
        }
        return r
    }

    /// Same data, new shape (one dimension may be -1). Shares storage.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var s = newShape
        let known = s.filter { $0 != -1 }.reduce(1, *)
        let inferred = s.filter { $0 == -1 }.count
        if inferred > 1 || s.contains(where: { $0 < -1 }) {
            throw TensorError.invalidShape(op: "reshape", shape: newShape, reason: "at most one -1 and no other negative sizes")
        }
        if inferred == 1 {
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", expected: shape, got: newShape,
                                                hint: "the element count \(count) must be divisible by \(known)")
            }
            s[s.firstIndex(of: -1)!] = count / known
        }
        guard s.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(op: "reshape", expected: shape, got: newShape,
                                            hint: "reshape must keep the element count \(count)")
        }
        return Tensor(shape: s, dtype: dtype, storage: storage)
    }

    // MARK: dtype conversion

    public func to(_ t: DType) -> Tensor { t == .f32 ? toF32() : toBF16() }

    /// f32 copy (or self when already f32).
    public func toF32() -> Tensor {
        if dtype == .f32 { return self }
        let out = Tensor(shape: shape, dtype: .f32, zeroed: false)
        let s = bf16, d = out.f32
        parallelFor(count, minChunk: 1 << 16) { r in BF16.convert(s + r.lowerBound, d + r.lowerBound, count: r.count) }
        return out
    }

    /// bf16 copy with round-to-nearest-even (or self when already bf16).
    public func toBF16() -> Tensor {
        if dtype == .bf16 { return self }
        let out = Tensor(shape: shape, dtype: .bf16, zeroed: false)
        let s = f32, d = out.bf16
        parallelFor(count, minChunk: 1 << 16) { r in BF16.convert(UnsafePointer(s + r.lowerBound), d + r.lowerBound, count: r.count) }
        return out
    }

    /// Deep copy into owned storage.
    public func copy() -> Tensor {
        let out = Tensor(shape: shape, dtype: dtype, zeroed: false)
        memcpy(out.storage.pointer, storage.pointer, byteCount)
        return out
    }

    /// All elements as Float (converted from bf16 when needed).
    public func floats() -> [Float] {
        let t = toF32()
        return Array(UnsafeBufferPointer(start: t.f32, count: count))
    }

    // MARK: raw access (for ops)

    public var raw: UnsafeMutableRawPointer { storage.pointer }
    /// Element pointer as Float; only valid for f32 tensors.
    public var f32: UnsafeMutablePointer<Float> {
        precondition(dtype == .f32, "f32 pointer on a \(dtype) tensor")
        return storage.pointer.assumingMemoryBound(to: Float.self)
    }
    /// Element pointer as bf16 bit patterns; only valid for bf16 tensors.
    public var bf16: UnsafeMutablePointer<UInt16> {
        precondition(dtype == .bf16, "bf16 pointer on a \(dtype) tensor")
        return storage.pointer.assumingMemoryBound(to: UInt16.self)
    }

    public var description: String { "Tensor<\(dtype)>\(shape)" }

    /// Declares that this tensor's storage was written in place (see `TensorStorage.markMutated`).
    public func markMutated() { storage.markMutated() }

    /// Keeps the storage alive up to this call. Ops that take raw pointers from a local tensor
    /// (e.g. a fresh `toF32()` conversion) call it in a `defer`, because Swift may otherwise release
    /// the local after its last *visible* use, before the pointers are read.
    @inline(never)
    public func keepAlive() { withExtendedLifetime(storage) {} }
}

// Scoped weight loader (design §2: "scoped loader that fails with the full key"). Model code asks for
// tensors relative to a scope (`blocks.3` + `self_attn.q.weight`) with the expected shape; misses and shape
// mismatches throw with the full key. Keys that were never asked for are reported as unused.
import Foundation

/// Tensors by model key, with usage tracking. Thread-safe.
public final class WeightStore: @unchecked Sendable {
    /// Where the tensors came from (used in messages).
    public let source: String
    private let byKey: [String: WeightTensor]
    /// All keys, sorted.
    public let keys: [String]
    private let lock = NSLock()
    private var used = Set<String>()

    /// A store over `tensors`, renamed by `keyMap`.
    public init(tensors: [WeightTensor], keyMap: KeyMap = .identity, source: String = "weights") throws {
        let mapped = try keyMap.apply(tensors)
        var byKey: [String: WeightTensor] = [:]
        for t in mapped {
            guard byKey.updateValue(t, forKey: t.key) == nil else {
                throw WeightsError.duplicateKey(key: t.key, reason: "given twice to the weight store")
            }
        }
        self.byKey = byKey
        self.keys = byKey.keys.sorted()
        self.source = source
    }

    /// Opens `path` (any format of `WeightFile`), unwraps torch wrapper dicts and applies `keyMap`.
    public convenience init(path: String, keyMap: KeyMap = .identity, wrappers: [String] = KeyMap.wrapperKeys) throws {
        let file = try WeightFile.open(path)
        try self.init(tensors: file.stateDict(wrappers: wrappers), keyMap: keyMap, source: path)
    }

    public var count: Int { keys.count }

    public func contains(_ key: String) -> Bool { byKey[key] != nil }

    /// The tensor at `key`. `shape`, when given, must match (−1 matches any size in that dimension).
    public func tensor(_ key: String, shape: [Int]? = nil) throws -> WeightTensor {
        guard let t = try optional(key, shape: shape) else {
            throw WeightsError.missingTensor(key: key, hint: missingHint(key))
        }
        return t
    }

    /// Like `tensor`, but nil when the key is absent (a present tensor of the wrong shape still throws).
    public func optional(_ key: String, shape: [Int]? = nil) throws -> WeightTensor? {
        guard let t = byKey[key] else { return nil }
        if let shape {
            let matches = shape.count == t.shape.count && zip(shape, t.shape).allSatisfy { $0 < 0 || $0 == $1 }
            guard matches else { throw WeightsError.shapeMismatch(key: key, expected: shape, found: t.shape) }
        }
        lock.lock()
        used.insert(key)
        lock.unlock()
        return t
    }

    /// Keys starting with `prefix`, sorted.
    public func keys(withPrefix prefix: String) -> [String] {
        let start = lowerBound(prefix)
        var out: [String] = []
        var i = start
        while i < keys.count, keys[i].hasPrefix(prefix) { out.append(keys[i]); i += 1 }
        return out
    }

    /// A view that prefixes every key with `prefix` + ".".
    public func scoped(_ prefix: String) -> WeightScope { WeightScope(store: self, prefix: prefix) }

    /// Keys that no `tensor`/`optional` call has returned, sorted.
    public var unusedKeys: [String] {
        lock.lock()
        defer { lock.unlock() }
        return keys.filter { !used.contains($0) }
    }

    /// One line per group of unused keys (or "all N tensors used").
    public func unusedReport(limit: Int = 20) -> String {
        let unused = unusedKeys
        guard !unused.isEmpty else { return "all \(count) tensors of \(source) were used" }
        var lines = ["\(unused.count) of \(count) tensors of \(source) were not used:"]
        lines += unused.prefix(limit).map { "  " + $0 }
        if unused.count > limit { lines.append("  … and \(unused.count - limit) more") }
        return lines.joined(separator: "\n")
    }

    private func lowerBound(_ key: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Names the keys closest to `key` (sharing its longest prefix) to suggest a key-map rule.
    private func missingHint(_ key: String) -> String {
        guard !keys.isEmpty else { return "\(source) holds no tensors; check the path." }
        var best: [String] = []
        var bestLength = -1
        let position = lowerBound(key)
        for i in max(0, position - 3)..<min(keys.count, position + 3) {
            let shared = zip(keys[i], key).prefix(while: { $0 == $1 }).count
            if shared > bestLength { best = [keys[i]]; bestLength = shared } else if shared == bestLength { best.append(keys[i]) }
        }
        return "\(source) has \(count) tensors; the nearest keys are \(best.prefix(3).map { "'\($0)'" }.joined(separator: ", ")). "
            + "If the names differ only by a prefix or wrapper, add a KeyMap rule; otherwise the weights are for a different model."
    }
}

/// A prefix into a `WeightStore` (`store.scoped("blocks.3")`). Errors carry the full key.
public struct WeightScope: Sendable {
    public let store: WeightStore
    /// The prefix without a trailing dot ("" for the root).
    public let prefix: String

    public init(store: WeightStore, prefix: String) {
        self.store = store
        self.prefix = prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix
    }

    /// `prefix.key`.
    public func fullKey(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    public func scoped(_ sub: String) -> WeightScope { WeightScope(store: store, prefix: fullKey(sub)) }

    public func tensor(_ key: String, shape: [Int]? = nil) throws -> WeightTensor {
        try store.tensor(fullKey(key), shape: shape)
    }

    public func optional(_ key: String, shape: [Int]? = nil) throws -> WeightTensor? {
        try store.optional(fullKey(key), shape: shape)
    }

    /// Full keys under this scope that start with `prefix` (relative to the scope).
    public func keys(withPrefix sub: String = "") -> [String] {
        store.keys(withPrefix: prefix.isEmpty ? sub : prefix + "." + sub)
    }
}

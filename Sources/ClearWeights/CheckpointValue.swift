// The object tree of a torch checkpoint after restricted unpickling (spec §9.4 "Container"): nested dicts
// (e.g. {'model_state_dict': {...}, 'temporal_loss_weight': 0.1}), lists/tuples, tensors and scalars.
// Provides wrapper unwrapping and flattening to dotted tensor keys.

/// One entry of a checkpoint dict.
public struct CheckpointEntry: Sendable {
    public let key: String
    public let value: CheckpointValue
}

/// A value from a torch checkpoint. Dicts keep their insertion order.
public indirect enum CheckpointValue: Sendable {
    case dict([CheckpointEntry])
    /// Lists and tuples.
    case list([CheckpointValue])
    case tensor(WeightTensor)
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case none
    /// Anything else (bytes, storages, dtype objects), described.
    case other(String)

    /// The value under `key` when this is a dict.
    public subscript(key: String) -> CheckpointValue? {
        guard case let .dict(entries) = self else { return nil }
        return entries.first(where: { $0.key == key })?.value
    }

    /// The state dict inside wrapper dicts: the first of `wrappers` that is present and is a dict is
    /// descended into (repeatedly); otherwise the value itself (spec §9.4 loader order).
    public func unwrapped(wrappers: [String] = KeyMap.wrapperKeys) -> CheckpointValue {
        var current = self
        for _ in 0..<8 {
            guard let inner = wrappers.lazy.compactMap({ current[$0] }).first(where: { if case .dict = $0 { return true } else { return false } }) else { break }
            current = inner
        }
        return current
    }

    /// Every tensor, keyed by its dotted path (`model_state_dict.blocks.0.ffn.0.weight`); list items use their index.
    public func flattenedTensors(prefix: String = "") -> [WeightTensor] {
        var out: [WeightTensor] = []
        collect(prefix: prefix, into: &out)
        return out
    }

    private func collect(prefix: String, into out: inout [WeightTensor]) {
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch self {
        case let .dict(entries):
            for entry in entries { entry.value.collect(prefix: join(entry.key), into: &out) }
        case let .list(items):
            for (i, value) in items.enumerated() { value.collect(prefix: join(String(i)), into: &out) }
        case let .tensor(t):
            out.append(t.renamed(prefix))
        default:
            break
        }
    }

    /// Non-tensor leaves with their dotted paths (e.g. `temporal_loss_weight` → 0.1), for reports.
    public func scalars(prefix: String = "") -> [(key: String, value: String)] {
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch self {
        case let .dict(entries): return entries.flatMap { $0.value.scalars(prefix: join($0.key)) }
        case let .list(items): return items.enumerated().flatMap { $0.element.scalars(prefix: join(String($0.offset))) }
        case .tensor: return []
        case let .string(s): return [(prefix, JSONValue.quote(s))]
        case let .int(i): return [(prefix, String(i))]
        case let .float(f): return [(prefix, String(f))]
        case let .bool(b): return [(prefix, b ? "True" : "False")]
        case .none: return [(prefix, "None")]
        case let .other(d): return [(prefix, d)]
        }
    }
}

extension CheckpointValue {
    /// Converts an interpreter value. `budget` bounds the nodes visited (shared sub-objects are expanded,
    /// so a hostile DAG could otherwise blow up exponentially).
    init(_ value: PickleValue, budget: inout Int, limit: Int) throws {
        budget -= 1
        guard budget >= 0 else {
            throw WeightsError.limitExceeded(what: "objects in the unpickled checkpoint (shared objects counted each time they are referenced)", limit: limit)
        }
        switch value {
        case .none: self = .none
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .float(f): self = .float(f)
        case let .string(s): self = .string(s)
        case let .bytes(n): self = .other("<\(n) bytes>")
        case let .tuple(t): self = .list(try t.items.map { try CheckpointValue($0, budget: &budget, limit: limit) })
        case let .list(l): self = .list(try l.items.map { try CheckpointValue($0, budget: &budget, limit: limit) })
        case let .dict(d):
            var entries: [CheckpointEntry] = []
            for (k, v) in zip(d.keys, d.values) {
                entries.append(CheckpointEntry(key: CheckpointValue.keyText(k), value: try CheckpointValue(v, budget: &budget, limit: limit)))
            }
            self = .dict(entries)
        case let .global(_, name): self = .other("<\(name)>")
        case let .storage(s): self = .other("<storage \(s.key): \(s.numel) × \(s.dtype.safetensorsName)>")
        case let .tensor(t): self = .tensor(t)
        }
    }

    private static func keyText(_ key: PickleValue) -> String {
        switch key {
        case let .string(s): return s
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case let .float(f): return String(f)
        case .none: return "None"
        case let .tuple(t): return "(" + t.items.map(keyText).joined(separator: ", ") + ")"
        default: return "<\(key.typeName)>"
        }
    }
}

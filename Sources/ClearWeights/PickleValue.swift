// Values produced by the restricted pickle interpreter (PickleMachine.swift). Containers are reference
// objects because pickle memo entries alias them; each container records its nesting depth, and a container
// is frozen once nested, so depth stays exact, cycles cannot form, and deep structures are refused before
// recursion (or recursive deinit) could exhaust the stack.

/// Callables and classes that the interpreter allows to be imported (spec §10.2 "Globals" table).
enum TorchGlobal: Equatable {
    case rebuildTensorV2
    case rebuildTensor
    case rebuildParameter
    case rebuildParameterWithState
    case orderedDict
    case storageType(WeightDType)
    case dtype(String)

    /// The allow-list; anything else is refused by name.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch", _):
            if let dtype = WeightDType(torchStorageName: name) {
                self = .storageType(dtype)
            } else if TorchGlobal.dtypeNames.contains(name) {
                self = .dtype(name)
            } else {
                return nil
            }
        default: return nil
        }
    }

    static let dtypeNames: Set<String> = ["float32", "float16", "bfloat16", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]
}

/// A storage referenced through a persistent id: `data/<key>` of the archive, as `numel` elements of `dtype`.
struct TorchStorage {
    let key: String
    let dtype: WeightDType
    let numel: Int
    /// Bytes of the storage inside the archive buffer (numel × dtype.size long).
    let byteRange: Range<Int>
}

final class PickleTuple {
    let items: [PickleValue]
    let depth: Int
    init(_ items: [PickleValue], depth: Int) { self.items = items; self.depth = depth }
}

final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
    var frozen = false
}

/// Hashable form of a dict key (str, int, bool, None, float or tuples of those).
enum PickleKey: Hashable {
    case string(String)
    case int(Int)
    case float(UInt64)
    case none
    indirect case tuple([PickleKey])
}

final class PickleDict {
    var keys: [PickleValue] = []
    var values: [PickleValue] = []
    var index: [PickleKey: Int] = [:]
    var depth = 1
    var frozen = false
}

enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes(Int)
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    case global(TorchGlobal, String)
    case storage(TorchStorage)
    case tensor(WeightTensor)

    /// Nesting depth: 0 for scalars, 1 + deepest child for containers.
    var depth: Int {
        switch self {
        case let .tuple(t): return t.depth
        case let .list(l): return l.depth
        case let .dict(d): return d.depth
        default: return 0
        }
    }

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(_, name): return "global \(name)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }

    /// Marks a container as nested (immutable from now on).
    func freeze() {
        switch self {
        case let .list(l): l.frozen = true
        case let .dict(d): d.frozen = true
        default: break
        }
    }

    /// The hashable key form, or nil for unhashable values.
    var hashKey: PickleKey? {
        switch self {
        case let .string(s): return .string(s)
        case let .int(i): return .int(i)
        case let .bool(b): return .int(b ? 1 : 0)
        case let .float(f): return f == f.rounded() && abs(f) < 9e18 ? .int(Int(f)) : .float(f.bitPattern)
        case .none: return PickleKey.none
        case let .tuple(t):
            var parts: [PickleKey] = []
            for item in t.items {
                guard let k = item.hashKey else { return nil }
                parts.append(k)
            }
            return .tuple(parts)
        default: return nil
        }
    }

    /// Identity of containers (to refuse inserting a container into itself).
    func isSameContainer(as other: PickleValue) -> Bool {
        switch (self, other) {
        case let (.list(a), .list(b)): return a === b
        case let (.dict(a), .dict(b)): return a === b
        default: return false
        }
    }
}

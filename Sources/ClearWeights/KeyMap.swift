// Key handling as data (spec §9.2, §9.4, §5.2): wrapper dicts to unwrap, substrings CLEAR deletes
// (`pipe.dit.`, `module.`, `_orig_mod.`), leading prefixes to strip (`model.`), and (from, to) prefix renames.

/// Rules that turn checkpoint keys into model keys. Applied in order: remove substrings, strip prefixes, rename.
public struct KeyMap: Sendable {
    /// Wrapper dicts that hold the state dict, in the order the CLEAR loader tries them.
    public static let wrapperKeys = ["model_state_dict", "dit_state_dict", "state_dict"]

    /// Every occurrence of each substring is deleted (CLEAR's clean-up of LoRA keys).
    public var removeSubstrings: [String]
    /// Leading prefixes removed, repeatedly, while any matches.
    public var stripPrefixes: [String]
    /// Prefix renames: the first rule whose `from` starts the key replaces that prefix with `to`.
    /// A rule whose `from` is a whole key renames exactly that key.
    public var renames: [(from: String, to: String)]

    public init(removing removeSubstrings: [String] = [], stripping stripPrefixes: [String] = [],
                renaming renames: [(from: String, to: String)] = []) {
        self.removeSubstrings = removeSubstrings
        self.stripPrefixes = stripPrefixes
        self.renames = renames
    }

    /// Keys unchanged.
    public static let identity = KeyMap()
    /// CLEAR's LoRA checkpoint clean-up (spec §9.2).
    public static let clearLoRA = KeyMap(removing: ["pipe.dit.", "module.", "_orig_mod."])
    /// The Wan DiT safetensors: an optional leading `model.` (spec §5.2).
    public static let wanDiT = KeyMap(stripping: ["model."])

    /// The model key for a checkpoint key.
    public func map(_ key: String) -> String {
        var key = key
        for s in removeSubstrings where !s.isEmpty && key.contains(s) {
            key = key.replacing(s, with: "")
        }
        var stripped = true
        while stripped {
            stripped = false
            for p in stripPrefixes where !p.isEmpty && KeyMap.hasBytePrefix(key, p) {
                key = KeyMap.dropBytePrefix(key, p)
                stripped = true
            }
        }
        if let rule = renames.first(where: { KeyMap.hasBytePrefix(key, $0.from) }) {
            key = rule.to + KeyMap.dropBytePrefix(key, rule.from)
        }
        return key
    }

    // Keys come from untrusted files: compare and cut on UTF-8 bytes, not on Characters.
    private static func hasBytePrefix(_ key: String, _ prefix: String) -> Bool { key.utf8.starts(with: prefix.utf8) }

    private static func dropBytePrefix(_ key: String, _ prefix: String) -> String {
        String(decoding: key.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }

    /// The tensors under their mapped keys; two tensors mapping to one key is an error naming both sources.
    public func apply(_ tensors: [WeightTensor]) throws -> [WeightTensor] {
        var origin: [String: String] = [:]
        var out: [WeightTensor] = []
        out.reserveCapacity(tensors.count)
        for t in tensors {
            let mapped = map(t.key)
            if let first = origin[mapped] {
                throw WeightsError.duplicateKey(key: mapped, reason: "both '\(first)' and '\(t.key)' map to it")
            }
            origin[mapped] = t.key
            out.append(mapped == t.key ? t : t.renamed(mapped))
        }
        return out
    }
}

// Typed errors of the Weights layer (shared/design.md §2). Every message says what is wrong,
// where (full tensor key, file offset or entry name) and what to do about it.

/// Everything the Weights layer can throw. Parsers never crash or trap on hostile input; they throw one of these.
public enum WeightsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened, stat'ed or mapped.
    case io(path: String, reason: String)
    /// The file is not in a format this layer reads (wrong extension or magic bytes).
    case unsupportedFile(path: String, reason: String)
    /// A structure claims more bytes than remain in the file (`what` names the structure).
    case truncated(format: String, what: String, needed: Int, available: Int)
    /// A structural rule of the format is violated (header, JSON, record layout).
    case malformed(format: String, reason: String)
    /// A tensor entry is invalid: unknown dtype, bad shape, offsets outside the data, size mismatch.
    case badTensor(key: String, reason: String)
    /// A dtype string or storage type that this layer does not convert.
    case unsupportedDType(key: String, dtype: String)
    /// A ZIP entry is compressed or encrypted; torch.save writes stored (uncompressed) entries only.
    case compressedEntry(name: String, method: Int)
    /// The pickle stream uses an opcode outside the restricted set.
    case unknownOpcode(opcode: UInt8, offset: Int)
    /// The pickle stream imports a global outside the allow-list (e.g. `os.system`).
    case forbiddenGlobal(module: String, name: String, offset: Int)
    /// The pickle stream is inconsistent (stack underflow, wrong argument types, missing memo entry…).
    case pickle(reason: String, offset: Int)
    /// A size or nesting limit that protects against hostile files was exceeded.
    case limitExceeded(what: String, limit: Int)
    /// Two tensors end up with the same key (shards, key maps).
    case duplicateKey(key: String, reason: String)
    /// A tensor that the model needs is not in the weights.
    case missingTensor(key: String, hint: String)
    /// A tensor has a different shape than the model expects.
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "cannot read '\(path)': \(reason). Check that the path exists and is a readable file."
        case let .unsupportedFile(path, reason):
            return "'\(path)' is not a supported weights file: \(reason). Use .safetensors, .safetensors.index.json, a shard directory, or a torch.save .pt/.pth file."
        case let .truncated(format, what, needed, available):
            return "\(format): \(what) needs \(needed) bytes but only \(available) remain; the file is truncated or corrupt. Download or export it again."
        case let .malformed(format, reason):
            return "\(format): \(reason); the file is corrupt or not written by a standard writer. Export it again."
        case let .badTensor(key, reason):
            return "tensor '\(key)': \(reason); the file is corrupt. Export it again."
        case let .unsupportedDType(key, dtype):
            return "tensor '\(key)': unsupported dtype '\(dtype)'. Convert it to F32, F16 or BF16 before loading."
        case let .compressedEntry(name, method):
            return "zip entry '\(name)' uses compression method \(method); torch.save writes uncompressed (stored) entries. Re-save the checkpoint with torch.save instead of re-zipping it."
        case let .unknownOpcode(opcode, offset):
            let hex = String(opcode, radix: 16, uppercase: true)
            return "pickle: opcode 0x\(hex) at byte \(offset) is not in the restricted set used by torch state dicts; refusing to interpret it. Re-save the weights as safetensors."
        case let .forbiddenGlobal(module, name, offset):
            return "pickle: refusing to import '\(module).\(name)' (byte \(offset)); only torch tensor-rebuild functions, storage types and collections.OrderedDict are allowed. The file may be malicious; convert it to safetensors in a sandbox."
        case let .pickle(reason, offset):
            return "pickle: \(reason) at byte \(offset); the checkpoint is corrupt or not a plain state dict. Re-save it with torch.save(state_dict) or as safetensors."
        case let .limitExceeded(what, limit):
            return "\(what) exceeds the limit of \(limit); the file is corrupt or hostile."
        case let .duplicateKey(key, reason):
            return "tensor key '\(key)' appears twice (\(reason)); remove the duplicate or adjust the key-rename rules."
        case let .missingTensor(key, hint):
            return "missing tensor '\(key)'. \(hint)"
        case let .shapeMismatch(key, expected, found):
            return "tensor '\(key)' has shape \(WeightsError.format(found)) but the model expects \(WeightsError.format(expected)); the weights are for a different model configuration. Use the checkpoint that matches this model."
        }
    }

    static func format(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "*" : String($0) }.joined(separator: ", ") + "]"
    }
}

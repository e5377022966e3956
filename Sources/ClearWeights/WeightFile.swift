// Opens any supported weights path (design §2): `.safetensors` (§10.1), `*.safetensors.index.json` or a
// directory of shards (§5.2), and torch.save `.pt/.pth/.bin/.ckpt` zips (§10.2); unknown extensions are sniffed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum WeightFileFormat: String, Sendable {
    case safetensors
    case safetensorsIndex = "safetensors-index"
    case shardDirectory = "safetensors-directory"
    case torch
}

/// The tensors of one weights path, with the raw object tree for torch checkpoints.
public struct WeightFile: Sendable {
    public let path: String
    public let format: WeightFileFormat
    /// Every tensor under its full key as stored (torch: dotted path including wrapper dicts), sorted for safetensors.
    public let tensors: [WeightTensor]
    /// The unpickled object of a torch checkpoint; nil for safetensors.
    public let root: CheckpointValue?
    /// safetensors `__metadata__` (single files only).
    public let metadata: [String: String]

    public static func open(_ path: String) throws -> WeightFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw WeightsError.io(path: path, reason: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return WeightFile(path: path, format: .shardDirectory, tensors: try ShardedSafetensors.load(directory: path), root: nil, metadata: [:])
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".index.json") {
            return WeightFile(path: path, format: .safetensorsIndex, tensors: try ShardedSafetensors.load(indexPath: path), root: nil, metadata: [:])
        }
        let buffer = try WeightBuffer.map(path: path)
        let isZip = buffer.count >= 4 && buffer.bytes[0] == 0x50 && buffer.bytes[1] == 0x4B
        let torchExtension = [".pt", ".pth", ".bin", ".ckpt"].contains { lower.hasSuffix($0) }
        if lower.hasSuffix(".safetensors") || (!torchExtension && !isZip) {
            do {
                let file = try SafetensorsFile(buffer: buffer)
                return WeightFile(path: path, format: .safetensors, tensors: file.tensors, root: nil, metadata: file.metadata)
            } catch let error as WeightsError where !lower.hasSuffix(".safetensors") {
                throw WeightsError.unsupportedFile(path: path, reason: "neither a torch zip nor safetensors (\(error))")
            }
        }
        let checkpoint = try TorchCheckpoint(buffer: buffer)
        return WeightFile(path: path, format: .torch, tensors: checkpoint.tensors, root: checkpoint.root, metadata: [:])
    }

    /// The state-dict tensors: for torch, inside the first wrapper dict present (spec §9.4); otherwise all.
    public func stateDict(wrappers: [String] = KeyMap.wrapperKeys) -> [WeightTensor] {
        guard let root else { return tensors }
        return root.unwrapped(wrappers: wrappers).flattenedTensors()
    }
}

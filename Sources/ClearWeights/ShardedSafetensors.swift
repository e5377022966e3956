// Sharded safetensors checkpoints (spec §5.2: `diffusion_pytorch_model*.safetensors`, possibly sharded):
// a `*.safetensors.index.json` file ({"metadata": …, "weight_map": {key: shard file}}), a directory of
// shards, or an explicit list of shard files. All shards are merged into one key-sorted tensor list.
import Foundation

public enum ShardedSafetensors {
    /// Loads every shard named by the index's `weight_map` and checks each key lives in its named shard.
    public static func load(indexPath: String) throws -> [WeightTensor] {
        let buffer = try WeightBuffer.map(path: indexPath)
        guard case let .object(top) = try JSONValue.parse(buffer.bytes, format: "safetensors index") else {
            throw WeightsError.malformed(format: "safetensors index", reason: "'\(indexPath)' is not a JSON object")
        }
        guard let mapValue = top["weight_map"], case let .object(map) = mapValue else {
            throw WeightsError.malformed(format: "safetensors index", reason: "'\(indexPath)' has no \"weight_map\" object")
        }
        let directory = (indexPath as NSString).deletingLastPathComponent
        var shardOfKey: [String: String] = [:]
        var shards: [String] = []
        for key in map.keys.sorted() {
            let value = map[key]!
            guard case let .string(file) = value else {
                throw WeightsError.malformed(format: "safetensors index", reason: "weight_map[\(JSONValue.quote(key))] is not a file name")
            }
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw WeightsError.malformed(format: "safetensors index", reason: "shard '\(file)' is not a plain file name next to the index")
            }
            if !shards.contains(file) { shards.append(file) }
            shardOfKey[key] = file
        }
        var merged: [WeightTensor] = []
        for shard in shards {
            let file = try SafetensorsFile(path: directory.isEmpty ? shard : directory + "/" + shard)
            for tensor in file.tensors {
                if let named = shardOfKey[tensor.key], named != shard { continue }  // listed in another shard
                merged.append(tensor)
            }
        }
        let present = Set(merged.map(\.key))
        if let missing = shardOfKey.keys.sorted().first(where: { !present.contains($0) }) {
            throw WeightsError.missingTensor(key: missing, hint: "The index '\(indexPath)' lists it in shard '\(shardOfKey[missing]!)', which does not contain it; the shard is incomplete or from another checkpoint.")
        }
        return try mergeChecked(merged, source: indexPath)
    }

    /// Loads and merges explicit shard files; a key present in two shards is an error.
    public static func load(shardPaths: [String]) throws -> [WeightTensor] {
        var merged: [WeightTensor] = []
        for path in shardPaths { merged += try SafetensorsFile(path: path).tensors }
        return try mergeChecked(merged, source: shardPaths.joined(separator: ", "))
    }

    /// The shard files of a directory: the index if there is exactly one, else `diffusion_pytorch_model*.safetensors`,
    /// else every `*.safetensors` file, sorted by name.
    public static func load(directory: String) throws -> [WeightTensor] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw WeightsError.io(path: directory, reason: "cannot list the directory")
        }
        let indexes = names.filter { $0.hasSuffix(".safetensors.index.json") }
        if indexes.count == 1 { return try load(indexPath: directory + "/" + indexes[0]) }
        let all = names.filter { $0.hasSuffix(".safetensors") }
        let diffusers = all.filter { $0.hasPrefix("diffusion_pytorch_model") }
        let chosen = diffusers.isEmpty ? all : diffusers
        guard !chosen.isEmpty else {
            throw WeightsError.unsupportedFile(path: directory, reason: "the directory holds no .safetensors files")
        }
        return try load(shardPaths: chosen.map { directory + "/" + $0 })
    }

    static func mergeChecked(_ tensors: [WeightTensor], source: String) throws -> [WeightTensor] {
        let sorted = tensors.sorted { $0.key < $1.key }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.key == b.key {
            throw WeightsError.duplicateKey(key: a.key, reason: "present in more than one shard of \(source)")
        }
        return sorted
    }
}

// torch.save zip checkpoints (.pt/.pth; spec §10.2): locate `<folder>/data.pkl` (folder name not assumed),
// check `byteorder`, run the restricted unpickler with storages resolved to `<folder>/data/<key>` entries
// read in place from the mmap. Legacy (non-zip) torch files are refused.

/// A `torch.save` checkpoint, unpickled without executing code.
public struct TorchCheckpoint: Sendable {
    /// The unpickled object (usually a dict, maybe with wrappers such as `model_state_dict`).
    public let root: CheckpointValue
    /// The archive's top folder (e.g. `archive` or `final_model_lora`).
    public let folder: String
    public let buffer: WeightBuffer

    /// Maps and parses the file at `path`.
    public init(path: String) throws {
        try self.init(buffer: WeightBuffer.map(path: path))
    }

    /// Parses checkpoint bytes held by `buffer`.
    public init(buffer: WeightBuffer) throws {
        let bytes = buffer.bytes
        guard bytes.count >= 4 else {
            throw WeightsError.truncated(format: "torch checkpoint", what: "the ZIP signature", needed: 4, available: bytes.count)
        }
        guard (ByteReader.loadLE(bytes, at: 0) as UInt32) == 0x0403_4B50 else {
            throw WeightsError.malformed(format: "torch checkpoint", reason: "no ZIP signature; legacy (pre-1.6, non-zip) torch files are not supported. Re-save it with a current torch.save or as safetensors")
        }
        let archive = try ZipArchive(bytes: bytes)
        let pickles = archive.entries.filter { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw WeightsError.malformed(format: "torch checkpoint", reason: pickles.isEmpty ? "the archive has no data.pkl entry" : "the archive has \(pickles.count) data.pkl entries")
        }
        let folder = String(pickle.name.dropLast("data.pkl".count))
        if let order = archive.entry(named: folder + "byteorder") {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[order.dataRange]), as: UTF8.self)
            guard text.hasPrefix("little") else {
                throw WeightsError.malformed(format: "torch checkpoint", reason: "byteorder is '\(text.prefix(16))'; only little-endian checkpoints are supported")
            }
        }
        let resolver = TorchResolver(buffer: buffer, archive: archive, folder: folder)
        var machine = PickleMachine(UnsafeRawBufferPointer(rebasing: bytes[pickle.dataRange]), resolver: resolver)
        let value = try machine.run()
        let limit = 4 * pickle.dataRange.count + 1_024
        var budget = limit
        self.root = try CheckpointValue(value, budget: &budget, limit: limit)
        self.folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        self.buffer = buffer
    }

    /// Every tensor with its full dotted path, wrappers included (`model_state_dict.blocks.0…`).
    public var tensors: [WeightTensor] { root.flattenedTensors() }

    /// The tensors of the state dict inside the wrapper dicts (spec §9.4), keyed relative to it.
    public func stateDict(wrappers: [String] = KeyMap.wrapperKeys) -> [WeightTensor] {
        root.unwrapped(wrappers: wrappers).flattenedTensors()
    }
}

// On-disk cache of the DiT text context ([maxLength, dim] float32 from UMT5Encoder.context), keyed
// by the token ids and the identity of the weights file (path, size, modification time, and a
// 64 KiB sample from its start and end), so a fixed prompt is encoded once and T5 need not be
// loaded again. Files are safetensors (`context`, metadata `key`), written atomically.
import ClearTensor
import ClearWeights
import Foundation

public struct UMT5ContextCache: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The cache key of `tokens` encoded by the weights at `weightsPath`.
    /// `variant` separates contexts computed differently from the same weights (e.g. "bf16").
    public static func key(tokens: [Int], weightsPath: String, variant: String = "") throws -> String {
        var h = UMT5FNV64()
        h.add(bytes: Array(variant.utf8) + [0])
        for t in tokens { h.add(UInt64(bitPattern: Int64(t))) }
        let attrs = try FileManager.default.attributesOfItem(atPath: weightsPath)
        let size = (attrs[.size] as? NSNumber)?.uint64Value ?? 0
        let mtime = (attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        h.add(size); h.add(UInt64(bitPattern: Int64(mtime * 1000)))
        h.add(bytes: Array(((weightsPath as NSString).standardizingPath).utf8))
        if let f = FileHandle(forReadingAtPath: weightsPath) {
            defer { try? f.close() }
            h.add(bytes: [UInt8](f.readData(ofLength: 65536)))
            if size > 65536 { f.seek(toFileOffset: size - 65536); h.add(bytes: [UInt8](f.readData(ofLength: 65536))) }
        }
        return String(format: "%016llx", h.value)
    }

    func path(_ key: String) -> String { (directory as NSString).appendingPathComponent("umt5-context-\(key).safetensors") }

    /// The cached context for `key`, or nil when absent or unreadable.
    public func load(key: String) -> Tensor? {
        guard let file = try? SafetensorsFile(path: path(key)), file.metadata["key"] == key,
              let t = file.tensors.first(where: { $0.key == "context" }), t.shape.count == 2 else { return nil }
        return try? Tensor(shape: t.shape, values: t.toFloat32())
    }

    public func store(_ context: Tensor, key: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let t = try SafetensorsWriter.tensor(key: "context", shape: context.shape, values: context.toF32().floats())
        let tmp = path(key) + ".partial"
        try SafetensorsWriter.write([t], metadata: ["key": key], to: tmp)
        _ = try? FileManager.default.removeItem(atPath: path(key))
        try FileManager.default.moveItem(atPath: tmp, toPath: path(key))
    }

    /// Cached context of `tokens`, computing it with `encoder()` (opened only on a miss). Pass the
    /// encoder's compute dtype as `variant` so f32 and bf16 contexts are kept apart.
    public func context(tokens: [Int], weightsPath: String, maxLength: Int = 512, variant: String = "",
                        encoder: () throws -> UMT5Encoder) throws -> (context: Tensor, cached: Bool) {
        let key = try UMT5ContextCache.key(tokens: tokens + [maxLength], weightsPath: weightsPath, variant: variant)
        if let c = load(key: key), c.shape[0] == maxLength { return (c, true) }
        let c = try encoder().context(tokens: tokens, maxLength: maxLength)
        try store(c, key: key)
        return (c, false)
    }
}

/// FNV-1a, 64-bit.
struct UMT5FNV64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(bytes: [UInt8]) { for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 } }
    mutating func add(_ v: UInt64) { add(bytes: (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }) }
}

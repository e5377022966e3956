// Writes a safetensors file (spec §10.1: u64 header length, JSON header, row-major little-endian data)
// tensor by tensor, without holding the data in memory: for multi-GB random-weight model folders
// (`clearsub bench wan`). Tensors are stored in the order given, header keys with dtype, shape, offsets.
import Foundation

public enum SafetensorsStreamWriter {
    public struct Entry: Sendable {
        public let key: String
        public let dtype: WeightDType
        public let shape: [Int]
        public init(key: String, dtype: WeightDType, shape: [Int]) { self.key = key; self.dtype = dtype; self.shape = shape }
        public var byteCount: Int { shape.reduce(1, *) * dtype.size }
    }

    /// Writes `entries` to `path`; `fill(entry, buffer)` supplies each tensor's bytes (the buffer is byteCount long).
    public static func write(_ entries: [Entry], to path: String,
                             fill: (Entry, UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var cursor = 0, fields: [String] = []
        for e in entries {
            let shape = e.shape.map(String.init).joined(separator: ",")
            fields.append(JSONValue.quote(e.key) + ":{\"dtype\":\"\(e.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(cursor),\(cursor + e.byteCount)]}")
            cursor += e.byteCount
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        let sink = try StreamSink(path: path)
        try sink.write(withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) })
        try sink.write(header)
        for e in entries { try sink.writeFilled(count: e.byteCount) { try fill(e, $0) } }
        try sink.close()
    }
}

/// A file written through a 64 MiB buffer, renamed into place by `close`, with a running CRC-32 per segment.
final class StreamSink {
    let path: String, temporary: String
    let handle: FileHandle
    private(set) var offset = 0
    var crc = CRC32()

    init(path: String) throws {
        self.path = path
        temporary = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let h = FileHandle(forWritingAtPath: temporary) else {
            throw WeightsError.io(path: path, reason: "cannot create \(temporary)")
        }
        handle = h
    }

    func write(_ bytes: [UInt8]) throws {
        crc.add(bytes)
        try handle.write(contentsOf: Data(bytes))
        offset += bytes.count
    }

    /// Writes `count` bytes produced by `fill` in chunks of whole elements at most 64 MiB (fill sees the whole tensor once).
    func writeFilled(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 64)
        defer { buffer.deallocate() }
        let view = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        try fill(view)
        crc.add(UnsafeRawBufferPointer(view))
        var start = 0
        while start < count {
            let end = min(count, start + (64 << 20))
            try handle.write(contentsOf: Data(bytesNoCopy: view.baseAddress! + start, count: end - start, deallocator: .none))
            start = end
        }
        offset += count
    }

    func close() throws {
        try handle.close()
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }
}

/// CRC-32 (IEEE 802.3, reflected, as ZIP uses it).
struct CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    private(set) var state: UInt32 = 0xFFFF_FFFF
    var value: UInt32 { state ^ 0xFFFF_FFFF }
    mutating func reset() { state = 0xFFFF_FFFF }
    mutating func add(_ bytes: [UInt8]) { bytes.withUnsafeBytes { add($0) } }
    mutating func add(_ p: UnsafeRawBufferPointer) {
        var c = state
        let t = CRC32.table
        for b in p { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        state = c
    }
}

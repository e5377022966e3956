// safetensors writer (shared/spec/wan-clear-reference.md §10.1), used to save trained parameters.
// Header keys are sorted; the header is space-padded so the data section starts 8-byte aligned; tensors are
// packed without gaps (the reference reader rejects gaps) in order of decreasing element size, then key,
// so every tensor starts at a multiple of its element size.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

public enum SafetensorsWriter {
    /// An owned tensor made from Float values, stored as `dtype` (f32 exactly; f16/bf16 rounded to nearest even).
    public static func tensor(key: String, shape: [Int], values: [Float], dtype: WeightDType = .f32) throws -> WeightTensor {
        guard let numel = CheckedSize.product(shape), numel == values.count else {
            throw WeightsError.badTensor(key: key, reason: "shape \(WeightsError.format(shape)) does not hold \(values.count) values")
        }
        let buffer: WeightBuffer
        switch dtype {
        case .f32:
            buffer = WeightBuffer(count: numel * 4) { out in
                for (i, v) in values.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            }
        case .bf16:
            buffer = WeightBuffer(count: numel * 2) { out in
                for (i, v) in values.enumerated() { out.storeBytes(of: HalfFloat.bfloat16Bits(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
        default:
            throw WeightsError.unsupportedDType(key: key, dtype: dtype.safetensorsName + " (the writer converts Float values to F32 or BF16 only)")
        }
        return try WeightTensor(key: key, dtype: dtype, shape: shape, buffer: buffer, byteRange: 0..<buffer.count)
    }

    /// The complete file contents for `tensors` (any dtype, bytes copied as stored).
    public static func encode(_ tensors: [WeightTensor], metadata: [String: String] = [:]) throws -> [UInt8] {
        var seen = Set<String>()
        for t in tensors where !seen.insert(t.key).inserted {
            throw WeightsError.duplicateKey(key: t.key, reason: "passed twice to the safetensors writer")
        }
        if seen.contains("__metadata__") {
            throw WeightsError.duplicateKey(key: "__metadata__", reason: "reserved by the safetensors header")
        }
        let layout = tensors.sorted { ($0.dtype.size, $1.key) > ($1.dtype.size, $0.key) }
        var offsets: [String: (Int, Int)] = [:]
        var cursor = 0
        for t in layout {
            offsets[t.key] = (cursor, cursor + t.byteCount)
            cursor += t.byteCount
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { JSONValue.quote($0) + ":" + JSONValue.quote(metadata[$0]!) }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        for t in tensors.sorted(by: { $0.key < $1.key }) {
            let (begin, end) = offsets[t.key]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(JSONValue.quote(t.key) + ":{\"dtype\":\"\(t.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}")
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + cursor)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in layout { t.withBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes `tensors` to `path` atomically (temporary file, then rename).
    public static func write(_ tensors: [WeightTensor], metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(tensors, metadata: metadata)
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WeightsError.io(path: temporary, reason: String(cString: strerror(errno))) }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += n
            }
            return nil
        }
        let closed = close(fd)
        if let failure {
            unlink(temporary)
            throw WeightsError.io(path: temporary, reason: "write failed: \(failure)")
        }
        guard closed == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WeightsError.io(path: path, reason: "could not finish writing: \(reason)")
        }
    }
}

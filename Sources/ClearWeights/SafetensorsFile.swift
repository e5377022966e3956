// safetensors reader (shared/spec/wan-clear-reference.md §10.1; huggingface/safetensors format):
// u64 LE header length n, n bytes of UTF-8 JSON {name: {dtype, shape, data_offsets:[begin,end)}, __metadata__?},
// then the data section; offsets are relative to byte 8+n. Tensors are views into the (mmap'ed) buffer.

/// A parsed `.safetensors` file. Tensors are sorted by key and view the file's bytes in place.
public struct SafetensorsFile: Sendable {
    /// The largest header accepted (the reference implementation uses the same bound).
    public static let maxHeaderBytes = 100_000_000

    public let tensors: [WeightTensor]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    public let buffer: WeightBuffer

    /// Maps and parses the file at `path`.
    public init(path: String) throws {
        try self.init(buffer: WeightBuffer.map(path: path))
    }

    /// Parses safetensors bytes held by `buffer`.
    public init(buffer: WeightBuffer) throws {
        let format = "safetensors"
        let bytes = buffer.bytes
        guard bytes.count >= 8 else {
            throw WeightsError.truncated(format: format, what: "the 8-byte header length", needed: 8, available: bytes.count)
        }
        let declared: UInt64 = ByteReader.loadLE(bytes, at: 0)
        guard declared <= UInt64(bytes.count - 8) else {
            throw WeightsError.truncated(format: format, what: "the JSON header (declared length \(declared))",
                                         needed: declared > UInt64(Int.max) ? Int.max : Int(declared), available: bytes.count - 8)
        }
        let headerLength = Int(declared)
        guard headerLength <= SafetensorsFile.maxHeaderBytes else {
            throw WeightsError.limitExceeded(what: "safetensors header length \(headerLength)", limit: SafetensorsFile.maxHeaderBytes)
        }
        guard headerLength >= 2 else { throw WeightsError.malformed(format: format, reason: "header length \(headerLength) is too small for a JSON object") }
        let header = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart

        guard case let .object(members) = try JSONValue.parse(header, format: format) else {
            throw WeightsError.malformed(format: format, reason: "the header is not a JSON object")
        }
        var tensors: [WeightTensor] = []
        var metadata: [String: String] = [:]
        tensors.reserveCapacity(members.count)
        for key in members.keys.sorted() {
            let value = members[key]!
            if key == "__metadata__" {
                metadata = try SafetensorsFile.parseMetadata(value)
                continue
            }
            let entry = try SafetensorsFile.parseEntry(key: key, value)
            guard entry.end <= dataSize else {
                throw WeightsError.badTensor(key: key, reason: "data_offsets [\(entry.begin), \(entry.end)) end past the \(dataSize)-byte data section")
            }
            tensors.append(try WeightTensor(key: key, dtype: entry.dtype, shape: entry.shape, buffer: buffer,
                                            byteRange: (dataStart + entry.begin)..<(dataStart + entry.end)))
        }
        self.tensors = tensors
        self.metadata = metadata
        self.buffer = buffer
    }

    private static func parseMetadata(_ value: JSONValue) throws -> [String: String] {
        guard case let .object(pairs) = value else {
            throw WeightsError.malformed(format: "safetensors", reason: "__metadata__ is a \(value.kindName), expected an object of strings")
        }
        var out: [String: String] = [:]
        for (k, v) in pairs.sorted(by: { $0.key < $1.key }) {
            guard case let .string(text) = v else {
                throw WeightsError.malformed(format: "safetensors", reason: "__metadata__[\(JSONValue.quote(k))] is a \(v.kindName), expected a string")
            }
            out[k] = text
        }
        return out
    }

    private struct Entry {
        var dtype: WeightDType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    private static func parseEntry(key: String, _ value: JSONValue) throws -> Entry {
        guard case let .object(fields) = value else {
            throw WeightsError.badTensor(key: key, reason: "header entry is a \(value.kindName), expected {dtype, shape, data_offsets}")
        }
        func field(_ name: String) throws -> JSONValue {
            guard let v = fields[name] else {
                throw WeightsError.badTensor(key: key, reason: "header entry has no '\(name)'")
            }
            return v
        }
        func integers(_ name: String) throws -> [Int] {
            guard case let .array(items) = try field(name) else {
                throw WeightsError.badTensor(key: key, reason: "'\(name)' is not an array")
            }
            return try items.map {
                guard case let .integer(n) = $0, n >= 0 else {
                    throw WeightsError.badTensor(key: key, reason: "'\(name)' holds a \($0.kindName) that is not a non-negative integer")
                }
                return n
            }
        }
        guard case let .string(dtypeName) = try field("dtype") else {
            throw WeightsError.badTensor(key: key, reason: "'dtype' is not a string")
        }
        guard let dtype = WeightDType(safetensorsName: dtypeName) else {
            throw WeightsError.unsupportedDType(key: key, dtype: dtypeName)
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw WeightsError.badTensor(key: key, reason: "'data_offsets' must be [begin, end] with begin ≤ end, found \(offsets)")
        }
        guard let numel = CheckedSize.product(shape), let size = CheckedSize.multiply(numel, dtype.size) else {
            throw WeightsError.badTensor(key: key, reason: "shape \(WeightsError.format(shape)) overflows")
        }
        guard offsets[1] - offsets[0] == size else {
            throw WeightsError.badTensor(key: key, reason: "shape \(WeightsError.format(shape)) of \(dtypeName) needs \(size) bytes but data_offsets span \(offsets[1] - offsets[0])")
        }
        return Entry(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }
}

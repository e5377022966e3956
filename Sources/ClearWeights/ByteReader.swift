// Bounds-checked little/big-endian reads over a byte view. Shared by the ZIP reader (APPNOTE 4.3 record
// layouts) and the pickle interpreter (shared/spec/wan-clear-reference.md §10.2 "Encodings").
// Every read checks the remaining length before touching memory or allocating.

struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    /// Names the format in errors ("zip", "pickle", …).
    let format: String

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0, format: String) {
        self.bytes = bytes
        self.position = position
        self.format = format
    }

    var remaining: Int { max(0, bytes.count - position) }
    var atEnd: Bool { position >= bytes.count }

    /// Throws unless `count` bytes remain.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, position >= 0, position <= bytes.count, count <= remaining else {
            throw WeightsError.truncated(format: format, what: what(), needed: count, available: remaining)
        }
    }

    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try require(count, what())
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        try require(count, what())
        position += count
    }

    mutating func u8(_ what: @autoclosure () -> String = "byte") throws -> UInt8 {
        try require(1, what())
        defer { position += 1 }
        return bytes[position]
    }

    mutating func le<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, what())
        defer { position += MemoryLayout<T>.size }
        return ByteReader.loadLE(bytes, at: position)
    }

    mutating func f64be(_ what: @autoclosure () -> String) throws -> Double {
        let raw: UInt64 = try le(UInt64.self, what())
        return Double(bitPattern: raw.byteSwapped)
    }

    /// Loads a little-endian integer at `offset`; the caller has checked the bounds.
    static func loadLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads a little-endian integer at an absolute offset, bounds-checked.
    static func readLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, format: String,
                                             _ what: @autoclosure () -> String) throws -> T {
        var reader = ByteReader(bytes, at: offset, format: format)
        guard offset >= 0, offset <= bytes.count else {
            throw WeightsError.truncated(format: format, what: what(), needed: MemoryLayout<T>.size, available: 0)
        }
        return try reader.le(T.self, what())
    }
}

/// Checked arithmetic for sizes read from files.
enum CheckedSize {
    /// Product of `dims` (numel), or nil when negative or overflowing.
    static func product(_ dims: [Int]) -> Int? {
        var total = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (value, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = value
        }
        return total
    }

    static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : value
    }

    static func add(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }
}

// Minimal ZIP reader for torch.save archives (shared/spec/wan-clear-reference.md §10.2 "Container";
// PKWARE APPNOTE 6.3 §4.3): end-of-central-directory record, ZIP64 locator/record and 0x0001 extra fields,
// central directory, and local headers (the data offset is read from each *local* header, since torch
// pads data to 64 bytes there). Only stored (method 0), unencrypted entries are accepted; data is a view.

/// One stored entry of a ZIP archive.
public struct ZipEntry: Sendable {
    public let name: String
    /// The entry's bytes inside the archive buffer.
    public let dataRange: Range<Int>
}

/// The entries of a ZIP archive held in memory (usually an mmap).
public struct ZipArchive: Sendable {
    public let entries: [ZipEntry]
    private let index: [String: Int]

    static let format = "zip"
    private static let eocdSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64RecordSignature: UInt32 = 0x0606_4B50
    private static let centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50

    public func entry(named name: String) -> ZipEntry? { index[name].map { entries[$0] } }

    public init(bytes: UnsafeRawBufferPointer) throws {
        let f = ZipArchive.format
        let eocd = try ZipArchive.findEOCD(bytes)
        var entryCount = Int(try ByteReader.readLE(bytes, at: eocd + 10, format: f, "EOCD entry count") as UInt16)
        var directorySize = Int(try ByteReader.readLE(bytes, at: eocd + 12, format: f, "EOCD directory size") as UInt32)
        var directoryOffset = Int(try ByteReader.readLE(bytes, at: eocd + 16, format: f, "EOCD directory offset") as UInt32)

        // ZIP64: a locator sits right before the EOCD record and points at the ZIP64 EOCD record.
        if eocd >= 20, (ByteReader.loadLE(bytes, at: eocd - 20) as UInt32) == ZipArchive.zip64LocatorSignature {
            let recordOffset = try ZipArchive.int(try ByteReader.readLE(bytes, at: eocd - 12, format: f, "ZIP64 locator") as UInt64, "ZIP64 record offset")
            var r = ByteReader(bytes, at: recordOffset, format: f)
            guard recordOffset <= eocd - 20, try r.le(UInt32.self, "ZIP64 EOCD record") == ZipArchive.zip64RecordSignature else {
                throw WeightsError.malformed(format: f, reason: "the ZIP64 locator points at \(recordOffset), where there is no ZIP64 end-of-central-directory record")
            }
            try r.skip(8 + 2 + 2 + 4 + 4 + 8, "ZIP64 EOCD record")
            entryCount = try ZipArchive.int(try r.le(UInt64.self, "ZIP64 entry count"), "ZIP64 entry count")
            directorySize = try ZipArchive.int(try r.le(UInt64.self, "ZIP64 directory size"), "ZIP64 directory size")
            directoryOffset = try ZipArchive.int(try r.le(UInt64.self, "ZIP64 directory offset"), "ZIP64 directory offset")
        }
        guard let directoryEnd = CheckedSize.add(directoryOffset, directorySize), directoryEnd <= bytes.count else {
            throw WeightsError.truncated(format: f, what: "the central directory at \(directoryOffset)", needed: directorySize, available: max(0, bytes.count - directoryOffset))
        }
        guard entryCount <= directorySize / 46 else {
            throw WeightsError.malformed(format: f, reason: "\(entryCount) entries cannot fit in a \(directorySize)-byte central directory")
        }
        let directory = UnsafeRawBufferPointer(rebasing: bytes[directoryOffset..<directoryEnd])
        var reader = ByteReader(directory, format: f)
        var entries: [ZipEntry] = []
        var index: [String: Int] = [:]
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let entry = try ZipArchive.readCentralEntry(&reader, archive: bytes)
            guard index[entry.name] == nil else {
                throw WeightsError.malformed(format: f, reason: "entry '\(entry.name)' appears twice in the central directory")
            }
            index[entry.name] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.index = index
    }

    private static func int(_ value: UInt64, _ what: String) throws -> Int {
        guard value <= UInt64(Int.max) else { throw WeightsError.malformed(format: format, reason: "\(what) \(value) is too large") }
        return Int(value)
    }

    /// The offset of the end-of-central-directory record (searched backwards over a possible comment).
    private static func findEOCD(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard bytes.count >= 22 else {
            throw WeightsError.truncated(format: format, what: "the end-of-central-directory record", needed: 22, available: bytes.count)
        }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var p = bytes.count - 22
        while p >= lowest {
            if (ByteReader.loadLE(bytes, at: p) as UInt32) == eocdSignature {
                let commentLength = Int(ByteReader.loadLE(bytes, at: p + 20) as UInt16)
                if p + 22 + commentLength <= bytes.count { return p }
            }
            p -= 1
        }
        throw WeightsError.malformed(format: format, reason: "no end-of-central-directory record; the file is not a ZIP archive or is truncated")
    }

    private static func readCentralEntry(_ r: inout ByteReader, archive: UnsafeRawBufferPointer) throws -> ZipEntry {
        let f = format
        guard try r.le(UInt32.self, "central directory entry") == centralSignature else {
            throw WeightsError.malformed(format: f, reason: "bad central directory signature at directory byte \(r.position - 4)")
        }
        try r.skip(4, "central directory entry")
        let flags = try r.le(UInt16.self, "entry flags")
        let method = Int(try r.le(UInt16.self, "entry method"))
        try r.skip(8, "central directory entry")
        var compressed = UInt64(try r.le(UInt32.self, "compressed size"))
        var uncompressed = UInt64(try r.le(UInt32.self, "uncompressed size"))
        let nameLength = Int(try r.le(UInt16.self, "name length"))
        let extraLength = Int(try r.le(UInt16.self, "extra length"))
        let commentLength = Int(try r.le(UInt16.self, "comment length"))
        let disk = try r.le(UInt16.self, "disk number")
        try r.skip(6, "central directory entry")
        var localOffset = UInt64(try r.le(UInt32.self, "local header offset"))
        let name = String(decoding: try r.take(nameLength, "entry name"), as: UTF8.self)
        var extra = ByteReader(try r.take(extraLength, "extra field of '\(name)'"), format: f)
        try r.skip(commentLength, "entry comment")

        while extra.remaining >= 4 {
            let id = try extra.le(UInt16.self, "extra field id")
            let size = Int(try extra.le(UInt16.self, "extra field size"))
            var field = ByteReader(try extra.take(size, "extra field of '\(name)'"), format: f)
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.le(UInt64.self, "ZIP64 size of '\(name)'") }
            if compressed == 0xFFFF_FFFF { compressed = try field.le(UInt64.self, "ZIP64 compressed size of '\(name)'") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.le(UInt64.self, "ZIP64 offset of '\(name)'") }
        }
        guard method == 0 else { throw WeightsError.compressedEntry(name: name, method: method) }
        guard flags & 1 == 0 else {
            throw WeightsError.malformed(format: f, reason: "entry '\(name)' is encrypted; torch.save never encrypts")
        }
        guard disk == 0 || disk == 0xFFFF else {
            throw WeightsError.malformed(format: f, reason: "entry '\(name)' lives on disk \(disk); multi-volume archives are not supported")
        }
        guard compressed == uncompressed else {
            throw WeightsError.malformed(format: f, reason: "stored entry '\(name)' has compressed size \(compressed) ≠ size \(uncompressed)")
        }
        let size = try int(uncompressed, "size of '\(name)'")
        let local = try int(localOffset, "local header offset of '\(name)'")
        var l = ByteReader(archive, at: local, format: f)
        guard local <= archive.count, try l.le(UInt32.self, "local header of '\(name)'") == localSignature else {
            throw WeightsError.malformed(format: f, reason: "no local header for '\(name)' at offset \(local)")
        }
        try l.skip(22, "local header of '\(name)'")
        let localName = Int(try l.le(UInt16.self, "local name length"))
        let localExtra = Int(try l.le(UInt16.self, "local extra length"))
        try l.skip(localName + localExtra, "local name and extra of '\(name)'")
        try l.require(size, "data of '\(name)'")
        return ZipEntry(name: name, dataRange: l.position..<(l.position + size))
    }
}

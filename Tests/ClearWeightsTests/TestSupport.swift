// Helpers for the ClearWeights tests: fixture access, expected values from tools/make_weight_fixtures.py,
// a seeded RNG, a ZIP writer (stored entries, optional full ZIP64 records; PKWARE APPNOTE §4.3) and a
// pickle byte builder for hand-made hostile pickles.
import Foundation
import XCTest
@testable import ClearWeights

enum Fixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    static func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path(name))!)
    }

    struct Expected {
        let key: String
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }

    /// expected.json entries for one fixture.
    static func expected(_ name: String) -> [Expected] {
        let data = FileManager.default.contents(atPath: path("expected.json"))!
        let all = try! JSONSerialization.jsonObject(with: data) as! [String: [[String: Any]]]
        return all[name]!.map {
            Expected(key: $0["key"] as! String, dtype: $0["dtype"] as! String,
                     shape: ($0["shape"] as! [NSNumber]).map(\.intValue),
                     values: ($0["values"] as! [NSNumber]).map(\.doubleValue))
        }
    }
}

/// SplitMix64: small, seeded, reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes stored ZIP archives like torch.save (data aligned to 64 bytes via local extra padding).
struct ZipBuilder {
    var entries: [(name: String, data: [UInt8])] = []
    /// Write ZIP64 sizes/offsets (0xFFFFFFFF sentinels + 0x0001 extras), a ZIP64 EOCD record and locator.
    var zip64 = false
    /// Compression method written into the headers (data is still stored bytes).
    var method: UInt16 = 0

    mutating func add(_ name: String, _ data: [UInt8]) { entries.append((name, data)) }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: Int) { out += withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, Array.init) }
        func u32(_ v: Int) { out += withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, Array.init) }
        func u64(_ v: Int) { out += withUnsafeBytes(of: UInt64(v).littleEndian, Array.init) }
        var offsets: [Int] = []
        for (name, data) in entries {
            offsets.append(out.count)
            let nameBytes = Array(name.utf8)
            let fixed = out.count + 30 + nameBytes.count + 4
            let pad = (64 - fixed % 64) % 64
            u32(0x0403_4B50); u16(20); u16(0); u16(Int(method)); u16(0); u16(0); u32(0)
            u32(data.count); u32(data.count); u16(nameBytes.count); u16(4 + pad)
            out += nameBytes
            u16(0x1234); u16(pad); out += [UInt8](repeating: 0, count: pad)
            out += data
        }
        let directoryStart = out.count
        for (i, (name, data)) in entries.enumerated() {
            let nameBytes = Array(name.utf8)
            u32(0x0201_4B50); u16(45); u16(45); u16(0); u16(Int(method)); u16(0); u16(0); u32(0)
            if zip64 {
                u32(0xFFFF_FFFF); u32(0xFFFF_FFFF); u16(nameBytes.count); u16(28)
            } else {
                u32(data.count); u32(data.count); u16(nameBytes.count); u16(0)
            }
            u16(0); u16(0); u16(0); u32(0)
            u32(zip64 ? 0xFFFF_FFFF : offsets[i])
            out += nameBytes
            if zip64 { u16(1); u16(24); u64(data.count); u64(data.count); u64(offsets[i]) }
        }
        let directorySize = out.count - directoryStart
        if zip64 {
            let record = out.count
            u32(0x0606_4B50); u64(44); u16(45); u16(45); u32(0); u32(0)
            u64(entries.count); u64(entries.count); u64(directorySize); u64(directoryStart)
            u32(0x0706_4B50); u32(0); u64(record); u32(1)
        }
        u32(0x0605_4B50); u16(0); u16(0)
        u16(zip64 ? 0xFFFF : entries.count); u16(zip64 ? 0xFFFF : entries.count)
        u32(zip64 ? 0xFFFF_FFFF : directorySize); u32(zip64 ? 0xFFFF_FFFF : directoryStart); u16(0)
        return out
    }

    /// The entries of an existing archive.
    static func entries(of bytes: [UInt8]) throws -> [(String, [UInt8])] {
        try bytes.withUnsafeBytes { raw in
            try ZipArchive(bytes: raw).entries.map { ($0.name, Array(raw[$0.dataRange])) }
        }
    }
}

/// Pickle byte builder (opcodes per CPython pickletools).
struct PickleBytes {
    var bytes: [UInt8] = [0x80, 2]  // PROTO 2

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }
    mutating func string(_ s: String) {
        let u = Array(s.utf8)
        bytes += [0x58] + withUnsafeBytes(of: UInt32(u.count).littleEndian, Array.init) + u
    }
    mutating func shortString(_ s: String) { bytes += [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
    mutating func int(_ v: Int32) { bytes += [0x4A] + withUnsafeBytes(of: v.littleEndian, Array.init) }
    mutating func put(_ i: UInt8) { bytes += [0x71, i] }
    mutating func get(_ i: UInt8) { bytes += [0x68, i] }
    mutating func stop() { bytes.append(0x2E) }
    /// A tuple of ints via MARK … TUPLE.
    mutating func intTuple(_ values: [Int32]) {
        op(0x28)
        for v in values { int(v) }
        op(0x74)
    }
    /// `torch._utils._rebuild_tensor_v2(<storage key, dtype, numel>, offset, size, stride, False, OrderedDict())`.
    mutating func tensor(storage: String, storageType: String = "FloatStorage", numel: Int32, offset: Int32,
                         size: [Int32], stride: [Int32]) {
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)  // MARK (args tuple)
        op(0x28)  // MARK (persistent id)
        string("storage"); global("torch", storageType); string(storage); string("cpu"); int(numel)
        op(0x74)  // TUPLE
        op(0x51)  // BINPERSID
        int(offset)
        intTuple(size)
        intTuple(stride)
        op(0x89)  // NEWFALSE
        global("collections", "OrderedDict"); op(0x29); op(0x52)  // OrderedDict()
        op(0x74)  // TUPLE
        op(0x52)  // REDUCE
    }

    /// A torch-like archive holding this pickle and the given storages.
    func archive(storages: [String: [UInt8]] = [:], zip64: Bool = false) -> [UInt8] {
        var zip = ZipBuilder()
        zip.zip64 = zip64
        zip.add("archive/data.pkl", bytes)
        for key in storages.keys.sorted() { zip.add("archive/data/\(key)", storages[key]!) }
        zip.add("archive/version", Array("3\n".utf8))
        return zip.build()
    }
}

func checkpoint(_ bytes: [UInt8]) throws -> TorchCheckpoint {
    try TorchCheckpoint(buffer: WeightBuffer(copying: bytes))
}

func floats(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}

/// Asserts that `body` throws a WeightsError and returns it.
@discardableResult
func assertWeightsError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> WeightsError? {
    do {
        _ = try body()
        XCTFail("expected a WeightsError, got success", file: file, line: line)
    } catch let error as WeightsError {
        return error
    } catch {
        XCTFail("expected a WeightsError, got \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}

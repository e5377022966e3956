// Hand-made hostile pickles and archives: forbidden globals, deep nesting, huge declared sizes, bad views,
// missing memo entries. Each must end in a specific typed error, quickly, without executing anything.
import XCTest
@testable import ClearWeights

final class MaliciousPickleTests: XCTestCase {
    private func run(_ pickle: PickleBytes, storages: [String: [UInt8]] = [:]) -> WeightsError? {
        assertWeightsError(try checkpoint(pickle.archive(storages: storages)))
    }

    private func assertForbidden(_ error: WeightsError?, _ module: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case let .forbiddenGlobal(m, n, _)? = error else { return XCTFail("got \(String(describing: error))", file: file, line: line) }
        XCTAssertEqual(m, module, file: file, line: line)
        XCTAssertEqual(n, name, file: file, line: line)
        XCTAssertTrue(error!.description.contains("\(module).\(name)"), file: file, line: line)
    }

    func testOsSystemViaGlobalAndReduce() {
        var p = PickleBytes()
        p.global("os", "system"); p.string("touch /tmp/clearsub-pwned"); p.op(0x85); p.op(0x52); p.stop()
        assertForbidden(run(p), "os", "system")
    }

    func testPosixSystemViaStackGlobal() {
        var p = PickleBytes()
        p.bytes = [0x80, 4]
        p.shortString("posix"); p.op(0x94); p.shortString("system"); p.op(0x94); p.op(0x93)
        p.shortString("id"); p.op(0x85); p.op(0x52); p.stop()
        assertForbidden(run(p), "posix", "system")
    }

    func testBuiltinsEvalAndOthers() {
        for (module, name) in [("builtins", "eval"), ("builtins", "exec"), ("subprocess", "Popen"), ("torch", "load"),
                               ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("__builtin__", "getattr")] {
            var p = PickleBytes()
            p.global(module, name); p.string("1"); p.op(0x85); p.op(0x52); p.stop()
            assertForbidden(run(p), module, name)
        }
    }

    func testAllowedGlobalIsNotCallableAsStorage() {
        var p = PickleBytes()
        p.global("torch", "FloatStorage"); p.op(0x29); p.op(0x52); p.stop()
        guard case .pickle? = run(p) else { return XCTFail() }
    }

    func testMillionMarksIsRejectedByLimit() {
        var p = PickleBytes()
        p.bytes += [UInt8](repeating: 0x28, count: 1_000_000)
        p.stop()
        XCTAssertEqual(run(p), .limitExceeded(what: "pickle MARK nesting", limit: 1_000))
    }

    func testDeeplyNestedListsAreRejectedByDepthLimit() {
        var p = PickleBytes()
        p.bytes += [UInt8](repeating: 0x5D, count: 500_000)  // EMPTY_LIST × n
        p.bytes += [UInt8](repeating: 0x61, count: 499_999)  // APPEND × n-1: each nests the top list
        p.stop()
        XCTAssertEqual(run(p), .limitExceeded(what: "pickle nesting depth", limit: 100))
    }

    func testDeeplyNestedTuplesAreRejectedByDepthLimit() {
        var p = PickleBytes()
        p.op(0x29)
        p.bytes += [UInt8](repeating: 0x85, count: 1_000_000)  // TUPLE1 × n
        p.stop()
        XCTAssertEqual(run(p), .limitExceeded(what: "pickle nesting depth", limit: 100))
    }

    func testSharedSubdictExplosionIsBounded() {
        // d_{k+1} = {"a": d_k, "b": d_k}: 2^90 leaves if expanded naively.
        var p = PickleBytes()
        p.op(0x7D); p.put(0)
        for level in 1...90 {
            p.op(0x7D); p.op(0x28)
            p.string("a"); p.get(UInt8(level - 1)); p.string("b"); p.get(UInt8(level - 1))
            p.op(0x75); p.put(UInt8(level))
        }
        p.stop()
        let start = Date()
        guard case .limitExceeded? = run(p) else { return XCTFail() }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testSelfContainingListIsRejected() {
        var p = PickleBytes()
        p.op(0x5D); p.put(0); p.get(0); p.op(0x61); p.stop()
        guard case let .pickle(reason, _)? = run(p) else { return XCTFail() }
        XCTAssertTrue(reason.contains("itself"), reason)
    }

    func testHugeBinunicode8() {
        var p = PickleBytes()
        p.bytes = [0x80, 4, 0x8D] + withUnsafeBytes(of: (UInt64(1) << 62).littleEndian, Array.init) + [0x61, 0x62]
        guard case let .truncated(_, _, needed, available)? = run(p) else { return XCTFail() }
        XCTAssertEqual(needed, 1 << 62)
        XCTAssertEqual(available, 2)
    }

    func testHugeBinunicodeAndBinbytes() {
        for opcode: UInt8 in [0x58, 0x42] {
            var p = PickleBytes()
            p.bytes += [opcode, 0xFF, 0xFF, 0xFF, 0x7F]
            guard case .truncated? = run(p) else { return XCTFail("opcode \(opcode)") }
        }
    }

    func testStorageLargerThanItsEntry() {
        var p = PickleBytes()
        p.tensor(storage: "0", numel: Int32.max, offset: 0, size: [4], stride: [1]); p.stop()
        guard case let .pickle(reason, _)? = run(p, storages: ["0": floats([1, 2, 3, 4])]) else { return XCTFail() }
        XCTAssertTrue(reason.contains("holds 16 bytes"), reason)
    }

    func testViewPastTheStorage() {
        for (offset, size, stride) in [(Int32(3), [Int32(2)], [Int32(1)]), (0, [2, 2], [4, 1]), (0, [3], [2])] {
            var p = PickleBytes()
            p.tensor(storage: "0", numel: 4, offset: offset, size: size, stride: stride); p.stop()
            guard case let .pickle(reason, _)? = run(p, storages: ["0": floats([1, 2, 3, 4])]) else { return XCTFail("\(offset) \(size) \(stride)") }
            XCTAssertTrue(reason.contains("view reaches element"), reason)
        }
    }

    func testNegativeShapeAndOffset() {
        for (offset, size) in [(Int32(0), [Int32(-1), 4]), (-1, [1])] {
            var p = PickleBytes()
            p.tensor(storage: "0", numel: 4, offset: offset, size: size, stride: [1, 1].suffix(size.count).map { $0 }); p.stop()
            guard case let .pickle(reason, _)? = run(p, storages: ["0": floats([1, 2, 3, 4])]) else { return XCTFail() }
            XCTAssertTrue(reason.contains("negative"), reason)
        }
    }

    func testMissingStorageEntry() {
        var p = PickleBytes()
        p.tensor(storage: "7", numel: 1, offset: 0, size: [1], stride: [1]); p.stop()
        guard case let .pickle(reason, _)? = run(p, storages: ["0": floats([1])]) else { return XCTFail() }
        XCTAssertTrue(reason.contains("archive/data/7"), reason)
    }

    func testBroadcastViewLargerThanFileIsRefused() {
        var p = PickleBytes()
        p.tensor(storage: "0", numel: 1, offset: 0, size: [1_000_000, 1_000], stride: [0, 0]); p.stop()
        XCTAssertEqual(run(p, storages: ["0": floats([1])])?.description.contains("strided"), true)
    }

    func testMissingMemoEntry() {
        var p = PickleBytes()
        p.get(9); p.stop()
        XCTAssertEqual(run(p), .pickle(reason: "memo entry 9 was never stored", offset: 2))
        var q = PickleBytes()
        q.bytes += [0x6A, 0xFF, 0xFF, 0xFF, 0xFF]; q.stop()
        guard case .pickle? = run(q) else { return XCTFail() }
    }

    func testUnknownOpcodes() {
        for opcode: UInt8 in [0x69 /* INST */, 0x6F /* OBJ */, 0x92 /* NEWOBJ_EX */, 0x97 /* NEXT_BUFFER */, 0x00, 0xFF] {
            var p = PickleBytes()
            p.op(opcode); p.stop()
            XCTAssertEqual(run(p), .unknownOpcode(opcode: opcode, offset: 2))
        }
    }

    func testOversizedLongAndStackUnderflow() {
        var p = PickleBytes()
        p.bytes += [0x8A, 9] + [UInt8](repeating: 0x01, count: 9); p.stop()
        guard case .pickle? = run(p) else { return XCTFail() }
        var q = PickleBytes()
        q.op(0x52); q.stop()
        guard case .pickle? = run(q) else { return XCTFail() }
        var r = PickleBytes()
        r.bytes += [0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x80]; r.op(0x85); r.stop()  // LONG1 Int64.min is fine
        XCTAssertNoThrow(try checkpoint(r.archive()))
    }

    func testNoStopAndEmptyPickle() {
        var p = PickleBytes()
        p.op(0x4E)
        guard case .truncated? = run(p) else { return XCTFail() }
        p.bytes = []
        guard case .truncated? = run(p) else { return XCTFail() }
    }

    func testCompressedEntryAndLegacyFormat() {
        var zip = ZipBuilder()
        zip.method = 8
        zip.add("archive/data.pkl", [0x80, 2, 0x4E, 0x2E])
        XCTAssertEqual(assertWeightsError(try checkpoint(zip.build())), .compressedEntry(name: "archive/data.pkl", method: 8))
        let legacy: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        guard case let .malformed(_, reason)? = assertWeightsError(try checkpoint(legacy)) else { return XCTFail() }
        XCTAssertTrue(reason.contains("legacy"), reason)
    }

    func testBigEndianByteOrderIsRefused() {
        var zip = ZipBuilder()
        zip.add("archive/data.pkl", [0x80, 2, 0x7D, 0x2E])
        zip.add("archive/byteorder", Array("big".utf8))
        guard case .malformed? = assertWeightsError(try checkpoint(zip.build())) else { return XCTFail() }
    }
}

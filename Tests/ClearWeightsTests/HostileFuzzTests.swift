// Seeded mutation testing of valid safetensors and torch.save files (byte flips, truncations, header-length
// lies, insertions, deletions, JSON edits, ZIP field and pickle opcode edits): 12,000 cases per format.
// Every case must either parse (and then convert every tensor) or throw a WeightsError — no crash, no hang.
import Foundation
import XCTest
@testable import ClearWeights

final class HostileFuzzTests: XCTestCase {
    /// 12,000 by default; CLEARSUB_FUZZ_CASES and CLEARSUB_FUZZ_SEED (added to the fixed seeds) allow longer local runs.
    static let casesPerFormat = ProcessInfo.processInfo.environment["CLEARSUB_FUZZ_CASES"].flatMap(Int.init) ?? 12_000
    static let extraSeed = ProcessInfo.processInfo.environment["CLEARSUB_FUZZ_SEED"].flatMap(UInt64.init) ?? 0

    private struct Outcome {
        var parsed = 0
        var convertedValues = 0
        var rejected: [String: Int] = [:]
    }

    /// Runs `cases` mutations of `bases`; `parse` returns the tensors of a successfully parsed buffer.
    private func fuzz(bases: [[UInt8]], seed: UInt64, cases: Int,
                      mutate: (inout [UInt8], Int, inout SeededRandom) -> String,
                      parse: (WeightBuffer) throws -> [WeightTensor]) -> Outcome {
        var rng = SeededRandom(seed: seed &+ HostileFuzzTests.extraSeed)
        var outcome = Outcome()
        for i in 0..<cases {
            let baseIndex = i % bases.count
            var bytes = bases[baseIndex]
            let strategy = mutate(&bytes, baseIndex, &rng)
            do {
                let tensors = try parse(WeightBuffer(copying: bytes))
                for t in tensors { outcome.convertedValues += t.toFloat32().count }
                outcome.parsed += 1
            } catch let error as WeightsError {
                if i < 3 || i % 3000 == 0 { print("case \(i) (\(strategy)): \(error)") }
                outcome.rejected[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
                XCTAssertFalse(error.description.isEmpty)
            } catch {
                XCTFail("case \(i) (\(strategy)) threw a non-WeightsError: \(type(of: error)) \(error)")
            }
        }
        print("fuzz seed \(seed &+ HostileFuzzTests.extraSeed): \(cases) cases, \(outcome.parsed) parsed, rejected by kind: \(outcome.rejected.sorted { $0.key < $1.key })")
        return outcome
    }

    /// The mutations must both keep some files valid (data bytes) and reach several distinct rejections.
    private func assertCoverage(_ outcome: Outcome, errorKinds: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(outcome.parsed, 100, "some mutations (tensor data bytes) must still parse", file: file, line: line)
        XCTAssertGreaterThan(outcome.convertedValues, 0, file: file, line: line)
        XCTAssertGreaterThan(outcome.rejected.values.reduce(0, +), HostileFuzzTests.casesPerFormat / 2, "\(outcome.rejected)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(outcome.rejected.count, errorKinds, "distinct error kinds: \(outcome.rejected)", file: file, line: line)
    }

    private static func flip(_ bytes: inout [UInt8], in range: Range<Int>, _ rng: inout SeededRandom) {
        guard !range.isEmpty else { return }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            bytes[Int.random(in: range, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        }
    }

    private static func genericMutation(_ bytes: inout [UInt8], _ choice: Int, _ rng: inout SeededRandom) -> String {
        switch choice {
        case 0:
            flip(&bytes, in: 0..<bytes.count, &rng)
            return "flip"
        case 1:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
            return "truncate"
        case 2:
            let at = Int.random(in: 0...bytes.count, using: &rng)
            bytes.insert(contentsOf: (0..<Int.random(in: 1...32, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            return "insert"
        case 3:
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
            return "delete"
        default:
            let from = Int.random(in: 0..<bytes.count, using: &rng)
            let length = min(Int.random(in: 1...64, using: &rng), bytes.count - from)
            let chunk = Array(bytes[from..<(from + length)])
            bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &rng))
            return "duplicate"
        }
    }

    // MARK: safetensors

    private static let jsonTokens = ["\"", "{", "}", "[", "]", ",", ":", "-1", "0", "18446744073709551615", "99999999999999999999",
                                     "1e400", "1.5", "\"F32\"", "\"BF16\"", "\"F8_E4M3\"", "\"X9\"", "null", "true", "\\u0000", "\\ud800",
                                     "\"__metadata__\"", "\"data_offsets\"", "\"shape\"", "[[[[[[[[", "\u{7f}", "\u{ff}"]

    private static func headerLength(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self)) }
    }

    func testMutatedSafetensors() throws {
        let bases = [Fixtures.bytes("small.safetensors"),
                     Fixtures.bytes("sharded/diffusion_pytorch_model-00001-of-00002.safetensors"),
                     try SafetensorsWriter.encode([try SafetensorsWriter.tensor(key: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: .bf16)],
                                                  metadata: ["k": "v"])]
        let outcome = fuzz(bases: bases, seed: 0x5AFE_7E45, cases: HostileFuzzTests.casesPerFormat, mutate: { bytes, _, rng in
            let n = HostileFuzzTests.headerLength(bytes)
            switch Int.random(in: 0..<9, using: &rng) {
            case 0..<5:
                return HostileFuzzTests.genericMutation(&bytes, Int.random(in: 0..<5, using: &rng), &rng)
            case 5:  // header-length lie
                let lies: [UInt64] = [0, 1, 7, UInt64(n - 1), UInt64(n + 1), UInt64(bytes.count), UInt64(bytes.count - 8),
                                      1 << 62, UInt64.max, UInt64(Int.max), UInt64.random(in: 0...UInt64(bytes.count * 2), using: &rng)]
                let lie = lies.randomElement(using: &rng)!
                withUnsafeBytes(of: lie.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
                return "length lie \(lie)"
            case 6:  // flips inside the JSON header
                HostileFuzzTests.flip(&bytes, in: 8..<(8 + n), &rng)
                return "header flip"
            default:  // JSON token edit, with the header length kept consistent
                var header = Array(bytes[8..<(8 + n)])
                let token = Array(HostileFuzzTests.jsonTokens.randomElement(using: &rng)!.utf8)
                let at = Int.random(in: 0..<header.count, using: &rng)
                let replaced = Int.random(in: 0...min(6, header.count - at), using: &rng)
                header.replaceSubrange(at..<(at + replaced), with: token)
                bytes.replaceSubrange(8..<(8 + n), with: header)
                withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
                return "json edit"
            }
        }, parse: { try SafetensorsFile(buffer: $0).tensors })
        assertCoverage(outcome, errorKinds: 4)
    }

    // MARK: torch.save zip

    func testMutatedTorchCheckpoints() throws {
        let bases = ["plain.pt", "views.pt", "proto4.pt", "clear_lora.pt"].map(Fixtures.bytes)
        // Where each base keeps its pickle and its ZIP records.
        let pickles = try bases.map { bytes in
            try bytes.withUnsafeBytes { try ZipArchive(bytes: $0).entries.first { $0.name.hasSuffix("data.pkl") }!.dataRange }
        }
        let signatures: [[Int]] = bases.map { bytes in
            (0..<(bytes.count - 3)).filter { bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4B && bytes[$0 + 2] < 8 && bytes[$0 + 3] < 8 }
        }
        let pickleOpcodes: [UInt8] = [0x28, 0x29, 0x2E, 0x30, 0x31, 0x32, 0x42, 0x43, 0x47, 0x4A, 0x4B, 0x4D, 0x4E, 0x51, 0x52, 0x58,
                                      0x5D, 0x61, 0x62, 0x63, 0x65, 0x68, 0x6A, 0x71, 0x72, 0x73, 0x74, 0x75, 0x7D, 0x80, 0x81, 0x85,
                                      0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x93, 0x94, 0x95, 0x69, 0x00]
        let outcome = fuzz(bases: bases, seed: 0x7043_C4E5, cases: HostileFuzzTests.casesPerFormat, mutate: { bytes, base, rng in
            let pickle = pickles[base]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                return HostileFuzzTests.genericMutation(&bytes, Int.random(in: 0..<5, using: &rng), &rng)
            case 4, 5:  // flips inside the pickle (ZIP stays valid: CRCs are not checked)
                HostileFuzzTests.flip(&bytes, in: pickle, &rng)
                return "pickle flip"
            case 6, 7:  // opcode substitution inside the pickle
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    bytes[Int.random(in: pickle, using: &rng)] = pickleOpcodes.randomElement(using: &rng)!
                }
                return "pickle opcode"
            default:  // a ZIP record field set to an extreme value
                let record = signatures[base].randomElement(using: &rng)!
                let field = min(bytes.count - 4, record + 4 + 2 * Int.random(in: 0..<20, using: &rng))
                let value = [UInt32.max, 0, 0xFFFF, 0x7FFF_FFFF, UInt32(bytes.count), UInt32.random(in: 0...UInt32.max, using: &rng)].randomElement(using: &rng)!
                let width = Bool.random(using: &rng) ? 2 : 4
                withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(field..<(field + width), with: $0.prefix(width)) }
                return "zip field"
            }
        }, parse: { try TorchCheckpoint(buffer: $0).tensors })
        assertCoverage(outcome, errorKinds: 5)
    }
}

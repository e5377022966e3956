// Real files written by torch.save and safetensors (tools/make_weight_fixtures.py) read back exactly.
import XCTest
@testable import ClearWeights

final class ValidFileTests: XCTestCase {
    private func assertMatches(_ tensors: [WeightTensor], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = Fixtures.expected(name)
        XCTAssertEqual(tensors.map(\.key), expected.map(\.key), "keys of \(name)", file: file, line: line)
        for (t, e) in zip(tensors, expected) {
            XCTAssertEqual(t.dtype.safetensorsName, e.dtype, "dtype of \(e.key)", file: file, line: line)
            XCTAssertEqual(t.shape, e.shape, "shape of \(e.key)", file: file, line: line)
            XCTAssertEqual(t.toFloat32(), e.values.map { Float($0) }, "values of \(e.key) in \(name)", file: file, line: line)
        }
    }

    func testPlainStateDict() throws {
        let ckpt = try TorchCheckpoint(path: Fixtures.path("plain.pt"))
        XCTAssertEqual(ckpt.folder, "plain")
        assertMatches(ckpt.tensors, "plain.pt")
    }

    func testClearLoRACheckpointWithWrapperAndScalar() throws {
        let ckpt = try TorchCheckpoint(path: Fixtures.path("clear_lora.pt"))
        assertMatches(ckpt.tensors, "clear_lora.pt")
        guard case let .float(weight)? = ckpt.root["temporal_loss_weight"] else { return XCTFail("temporal_loss_weight missing") }
        XCTAssertEqual(weight, 0.1)
        let state = ckpt.stateDict()
        XCTAssertEqual(state.count, 9)
        XCTAssertEqual(state.first?.key, "pipe.dit.module._orig_mod.blocks.0.self_attn.q.lora_A.default.weight")
        let mapped = try KeyMap.clearLoRA.apply(state).map(\.key)
        XCTAssertEqual(mapped.first, "blocks.0.self_attn.q.lora_A.default.weight")
        XCTAssertTrue(mapped.contains("blocks.0.ffn.0.lora_A.default.weight"))
    }

    func testViewsOffsetsStridesAndDTypes() throws {
        assertMatches(try TorchCheckpoint(path: Fixtures.path("views.pt")).tensors, "views.pt")
    }

    func testManyViewsOfOneStorage() throws {
        let tensors = try TorchCheckpoint(path: Fixtures.path("many_views.pt")).tensors
        XCTAssertEqual(tensors.count, 1100)
        for (i, t) in tensors.enumerated() {
            XCTAssertEqual(t.key, "k\(i)")
            XCTAssertEqual(t.shape, [2])
            XCTAssertEqual(t.toFloat32(), [Float(i), Float(i + 1)])
            XCTAssertTrue(t.buffer === tensors[0].buffer, "views are read in place from the file")
        }
    }

    func testPickleProtocol4() throws {
        assertMatches(try TorchCheckpoint(path: Fixtures.path("proto4.pt")).tensors, "proto4.pt")
    }

    func testZip64LocalHeadersFromPython() throws {
        assertMatches(try TorchCheckpoint(path: Fixtures.path("zip64_local.pt")).tensors, "zip64_local.pt")
    }

    func testFullZip64Records() throws {
        var zip = ZipBuilder()
        zip.zip64 = true
        for (name, data) in try ZipBuilder.entries(of: Fixtures.bytes("plain.pt")) { zip.add(name, data) }
        let bytes = zip.build()
        let archive = try bytes.withUnsafeBytes { try ZipArchive(bytes: $0) }
        XCTAssertEqual(archive.entries.count, try ZipBuilder.entries(of: Fixtures.bytes("plain.pt")).count)
        assertMatches(try checkpoint(bytes).tensors, "plain.pt")

        // A locator that points at the wrong place is refused.
        var broken = bytes
        let locator = broken.count - 22 - 20
        broken[locator + 8] &+= 1
        let error = assertWeightsError(try checkpoint(broken))
        XCTAssertTrue(error?.description.contains("ZIP64") ?? false, "\(String(describing: error))")
    }

    func testSafetensorsWithMetadata() throws {
        let file = try SafetensorsFile(path: Fixtures.path("small.safetensors"))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "fixture"])
        assertMatches(file.tensors, "small.safetensors")
    }

    func testShardedByIndexDirectoryAndList() throws {
        let index = Fixtures.path("sharded/diffusion_pytorch_model.safetensors.index.json")
        assertMatches(try ShardedSafetensors.load(indexPath: index), "sharded")
        assertMatches(try ShardedSafetensors.load(directory: Fixtures.path("sharded")), "sharded")
        let shards = ["diffusion_pytorch_model-00002-of-00002.safetensors", "diffusion_pytorch_model-00001-of-00002.safetensors"]
        assertMatches(try ShardedSafetensors.load(shardPaths: shards.map { Fixtures.path("sharded/" + $0) }), "sharded")
        let dup = Fixtures.path("sharded/" + shards[0])
        let error = assertWeightsError(try ShardedSafetensors.load(shardPaths: [dup, dup]))
        XCTAssertEqual(error, .duplicateKey(key: "blocks.1.ffn.0.weight", reason: "present in more than one shard of \(dup), \(dup)"))
    }

    func testHostileIndexFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-index-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shard = "diffusion_pytorch_model-00001-of-00002.safetensors"
        try FileManager.default.copyItem(atPath: Fixtures.path("sharded/" + shard), toPath: dir + "/" + shard)
        func index(_ json: String) throws -> WeightsError? {
            let path = dir + "/model.safetensors.index.json"
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return assertWeightsError(try ShardedSafetensors.load(indexPath: path))
        }
        guard case .malformed? = try index(#"{"weight_map": {"a": "../../etc/passwd"}}"#) else { return XCTFail("path traversal") }
        guard case .malformed? = try index(#"{"weight_map": {"a": "/etc/passwd"}}"#) else { return XCTFail("absolute path") }
        guard case .malformed? = try index(#"{"metadata": {}}"#) else { return XCTFail("no weight_map") }
        guard case .io? = try index(#"{"weight_map": {"a": "missing.safetensors"}}"#) else { return XCTFail("missing shard") }
        XCTAssertEqual(try index(#"{"weight_map": {"blocks.0.ffn.0.bias": "\#(shard)", "nope": "\#(shard)"}}"#).map { if case let .missingTensor(key, _) = $0 { return key } else { return "" } }, "nope")
        guard case .limitExceeded? = try index(String(repeating: "[", count: 10_000)) else { return XCTFail("deep JSON") }
        guard case .io? = assertWeightsError(try WeightBuffer.map(path: dir)) else { return XCTFail("directory is not a file") }
    }

    func testWeightFileDetectsFormats() throws {
        XCTAssertEqual(try WeightFile.open(Fixtures.path("plain.pt")).format, .torch)
        XCTAssertEqual(try WeightFile.open(Fixtures.path("small.safetensors")).format, .safetensors)
        XCTAssertEqual(try WeightFile.open(Fixtures.path("sharded")).format, .shardDirectory)
        XCTAssertEqual(try WeightFile.open(Fixtures.path("sharded/diffusion_pytorch_model.safetensors.index.json")).format, .safetensorsIndex)
        XCTAssertEqual(try WeightFile.open(Fixtures.path("clear_lora.pt")).stateDict().count, 9)
        let missing = assertWeightsError(try WeightFile.open(Fixtures.path("no-such-file.pt")))
        guard case .io? = missing else { return XCTFail("expected io error, got \(String(describing: missing))") }
        let notWeights = assertWeightsError(try WeightFile.open(Fixtures.path("expected.json")))
        guard case .unsupportedFile? = notWeights else { return XCTFail("expected unsupportedFile, got \(String(describing: notWeights))") }
    }

    func testHalfConversionIsExactForAllBitPatterns() {
        for bits in 0...UInt16.max {
            let mine = HalfFloat.toFloat(bits)
            let reference = Float(Float16(bitPattern: bits))
            if reference.isNaN { XCTAssertTrue(mine.isNaN); continue }
            XCTAssertEqual(mine.bitPattern, reference.bitPattern, "f16 bits \(bits)")
        }
    }

    func testBFloat16RoundingAndWidening() throws {
        XCTAssertEqual(HalfFloat.bfloat16Bits(1.0), 0x3F80)
        XCTAssertEqual(HalfFloat.bfloat16Bits(Float(bitPattern: 0x3F80_8000)), 0x3F80)  // tie → even
        XCTAssertEqual(HalfFloat.bfloat16Bits(Float(bitPattern: 0x3F81_8000)), 0x3F82)  // tie → even (up)
        XCTAssertEqual(HalfFloat.bfloat16Bits(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertTrue(Float(bitPattern: UInt32(HalfFloat.bfloat16Bits(.nan)) << 16).isNaN)
        let t = try SafetensorsWriter.tensor(key: "x", shape: [3], values: [1, -2.5, 3.0e38], dtype: .bf16)
        XCTAssertEqual(t.toFloat32(), [1, -2.5, Float(bitPattern: UInt32(HalfFloat.bfloat16Bits(3.0e38)) << 16)])
        XCTAssertEqual(t.toBFloat16Bits(), [0x3F80, 0xC020, HalfFloat.bfloat16Bits(3.0e38)])
        let f = try SafetensorsWriter.tensor(key: "y", shape: [2], values: [1, Float(bitPattern: 0x3F80_8001)])
        XCTAssertEqual(f.toBFloat16Bits(), [0x3F80, 0x3F81])
    }
}

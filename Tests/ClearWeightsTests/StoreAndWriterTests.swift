// The scoped loader (full-key errors, shapes, unused keys), key maps and the safetensors writer.
import XCTest
@testable import ClearWeights

final class StoreAndWriterTests: XCTestCase {
    private func loraStore() throws -> WeightStore {
        try WeightStore(path: Fixtures.path("clear_lora.pt"), keyMap: .clearLoRA)
    }

    func testScopedLookupAndUnused() throws {
        let store = try loraStore()
        XCTAssertEqual(store.count, 9)
        let block = store.scoped("blocks.0")
        let a = try block.tensor("self_attn.q.lora_A.default.weight", shape: [4, 8])
        XCTAssertEqual(a.key, "blocks.0.self_attn.q.lora_A.default.weight")
        XCTAssertEqual(a.dtype, .bf16)
        XCTAssertEqual(try block.scoped("self_attn").tensor("q.lora_B.default.weight", shape: [-1, 4]).shape, [8, 4])
        XCTAssertNil(try block.optional("self_attn.v.lora_A.default.weight"))
        XCTAssertEqual(store.keys(withPrefix: "blocks.1.").count, 4)
        XCTAssertEqual(store.scoped("blocks.1").keys(withPrefix: "self_attn.k").count, 2)
        XCTAssertEqual(store.unusedKeys.count, 7)
        XCTAssertFalse(store.unusedKeys.contains(a.key))
        XCTAssertTrue(store.unusedReport().hasPrefix("7 of 9 tensors"))
        for key in store.keys { _ = try store.tensor(key) }
        XCTAssertEqual(store.unusedKeys, [])
    }

    func testMissingTensorCarriesFullKeyAndHint() throws {
        let error = assertWeightsError(try loraStore().scoped("blocks.3").tensor("self_attn.q.weight", shape: [1536, 1536]))
        guard case let .missingTensor(key, hint)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(key, "blocks.3.self_attn.q.weight")
        XCTAssertTrue(hint.contains("'blocks.1."), hint)
        XCTAssertTrue(error!.description.contains("blocks.3.self_attn.q.weight"))
    }

    func testShapeMismatchNamesBothShapes() throws {
        let error = assertWeightsError(try loraStore().scoped("blocks.1").tensor("self_attn.k.lora_A.default.weight", shape: [4, 9]))
        XCTAssertEqual(error, .shapeMismatch(key: "blocks.1.self_attn.k.lora_A.default.weight", expected: [4, 9], found: [4, 8]))
        XCTAssertTrue(error!.description.contains("[4, 8]") && error!.description.contains("[4, 9]"), error!.description)
        let rank = assertWeightsError(try loraStore().optional("blocks.1.self_attn.k.lora_A.default.weight", shape: [4]))
        XCTAssertNotNil(rank)
    }

    func testKeyMapRules() throws {
        let map = KeyMap(removing: ["_orig_mod."], stripping: ["model.", "module."], renaming: [("head.head.", "head."), ("exact.key", "renamed")])
        XCTAssertEqual(map.map("module.model._orig_mod.blocks.0.x"), "blocks.0.x")
        XCTAssertEqual(map.map("model.head.head.weight"), "head.weight")
        XCTAssertEqual(map.map("exact.key"), "renamed")
        XCTAssertEqual(KeyMap.wanDiT.map("model.blocks.0.ffn.0.weight"), "blocks.0.ffn.0.weight")
        XCTAssertEqual(KeyMap.clearLoRA.map("pipe.dit.module._orig_mod.blocks.2.ffn.2.lora_B.default.weight"), "blocks.2.ffn.2.lora_B.default.weight")
        let a = try SafetensorsWriter.tensor(key: "module.a", shape: [1], values: [1])
        let b = try SafetensorsWriter.tensor(key: "a", shape: [1], values: [2])
        XCTAssertEqual(assertWeightsError(try WeightStore(tensors: [a, b], keyMap: KeyMap(stripping: ["module."]))),
                       .duplicateKey(key: "a", reason: "both 'module.a' and 'a' map to it"))
    }

    func testUnwrapOrder() throws {
        var pickle = PickleBytes()
        pickle.op(0x7D)  // {
        pickle.op(0x28)
        pickle.string("dit_state_dict"); pickle.op(0x7D); pickle.string("w"); pickle.tensor(storage: "0", numel: 2, offset: 0, size: [2], stride: [1]); pickle.op(0x73)
        pickle.string("other"); pickle.int(3)
        pickle.op(0x75)
        pickle.stop()
        let ckpt = try checkpoint(pickle.archive(storages: ["0": floats([1, 2])]))
        XCTAssertEqual(ckpt.tensors.map(\.key), ["dit_state_dict.w"])
        XCTAssertEqual(ckpt.stateDict().map(\.key), ["w"])
        XCTAssertEqual(ckpt.stateDict().first?.toFloat32(), [1, 2])
        XCTAssertEqual(ckpt.stateDict(wrappers: []).map(\.key), ["dit_state_dict.w"])
    }

    func testWriterRoundTripLayoutAndAtomicWrite() throws {
        let tensors = [
            try SafetensorsWriter.tensor(key: "z.bf16", shape: [3], values: [1, 2, 3], dtype: .bf16),
            try SafetensorsWriter.tensor(key: "a.f32", shape: [2, 2], values: [0.5, -1, 2, 4]),
            try SafetensorsWriter.tensor(key: "m.bf16", shape: [1], values: [7], dtype: .bf16),
            try SafetensorsWriter.tensor(key: "b.f32", shape: [0], values: []),
        ]
        let bytes = try SafetensorsWriter.encode(tensors, metadata: ["step": "10"])
        let headerLength = bytes.withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self)) }
        XCTAssertEqual((8 + headerLength) % 8, 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"step\":\"10\"},\"a.f32\""), header)
        let file = try SafetensorsFile(buffer: WeightBuffer(copying: bytes))
        XCTAssertEqual(file.metadata, ["step": "10"])
        XCTAssertEqual(file.tensors.map(\.key), ["a.f32", "b.f32", "m.bf16", "z.bf16"])
        XCTAssertEqual(file.tensors[0].toFloat32(), [0.5, -1, 2, 4])
        XCTAssertEqual(file.tensors[3].toFloat32(), [1, 2, 3])
        for t in file.tensors { XCTAssertEqual((t.byteRange.lowerBound - 8 - headerLength) % t.dtype.size, 0, t.key) }
        // Packed without gaps: the data section is exactly the tensors' bytes.
        XCTAssertEqual(bytes.count - 8 - headerLength, tensors.reduce(0) { $0 + $1.byteCount })

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearsub-writer-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafetensorsWriter.write(tensors, to: path)
        XCTAssertEqual(try WeightStore(path: path).tensor("m.bf16", shape: [1]).toFloat32(), [7])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        XCTAssertEqual(assertWeightsError(try SafetensorsWriter.encode([tensors[0], tensors[0]])),
                       .duplicateKey(key: "z.bf16", reason: "passed twice to the safetensors writer"))
        XCTAssertNotNil(assertWeightsError(try SafetensorsWriter.tensor(key: "x", shape: [2], values: [1])))
    }
}

final class LoRAAdapterTests: XCTestCase {
    func testPairsRanksAndMerge() throws {
        let tensors = [
            try SafetensorsWriter.tensor(key: "blocks.0.ffn.0.lora_A.default.weight", shape: [1, 3], values: [1, 2, 3]),
            try SafetensorsWriter.tensor(key: "blocks.0.ffn.0.lora_B.default.weight", shape: [2, 1], values: [10, -1], dtype: .bf16),
            try SafetensorsWriter.tensor(key: "blocks.0.ffn.0.weight", shape: [2, 3], values: [0, 0, 0, 1, 1, 1]),
        ]
        let store = try WeightStore(tensors: tensors)
        let adapters = try LoRAAdapters.find(in: store)
        XCTAssertEqual(adapters.map(\.module), ["blocks.0.ffn.0"])
        XCTAssertEqual([adapters[0].rank, adapters[0].inFeatures, adapters[0].outFeatures], [1, 3, 2])
        var w = try store.tensor("blocks.0.ffn.0.weight").toFloat32()
        try adapters[0].merged(into: &w, scale: 0.5)
        XCTAssertEqual(w, [5, 10, 15, 0.5, 0, -0.5])
        XCTAssertEqual(store.unusedKeys, [])
    }

    func testIncompleteAndMismatchedPairsNameTheFullKey() throws {
        let lora = try WeightStore(path: Fixtures.path("clear_lora.pt"), keyMap: .clearLoRA)
        XCTAssertEqual(assertWeightsError(try LoRAAdapters.find(in: lora)).map { if case let .missingTensor(key, _) = $0 { return key } else { return "" } },
                       "blocks.0.ffn.0.lora_B.default.weight")
        let bad = try WeightStore(tensors: [
            try SafetensorsWriter.tensor(key: "m.lora_A.default.weight", shape: [2, 1], values: [1, 2]),
            try SafetensorsWriter.tensor(key: "m.lora_B.default.weight", shape: [1, 3], values: [1, 2, 3]),
        ])
        XCTAssertEqual(assertWeightsError(try LoRAAdapters.find(in: bad)), .shapeMismatch(key: "m.lora_B.default.weight", expected: [-1, 2], found: [1, 3]))
    }
}

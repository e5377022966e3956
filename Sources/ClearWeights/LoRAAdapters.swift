// PEFT LoRA pairs in a checkpoint (shared/spec/wan-clear-reference.md §9.1–§9.3): `<module>.lora_A.<adapter>.weight`
// is A [r, in], `<module>.lora_B.<adapter>.weight` is B [out, r]; the merged weight is W + scale · (B @ A).

/// One LoRA-adapted linear module.
public struct LoRAAdapter: Sendable {
    /// The module's key, e.g. `blocks.0.self_attn.q` (its base weight is `<module>.weight`).
    public let module: String
    /// A ("lora_A", down projection), shape [rank, in].
    public let down: WeightTensor
    /// B ("lora_B", up projection), shape [out, rank].
    public let up: WeightTensor

    public var rank: Int { down.shape[0] }
    public var inFeatures: Int { down.shape[1] }
    public var outFeatures: Int { up.shape[0] }

    /// `base` ([out, in], row-major) + scale · B @ A, in Float. A plain reference loop (O(out·in·rank));
    /// production code may do the same product with a matmul.
    public func merged(into base: inout [Float], scale: Float) throws {
        guard base.count == outFeatures * inFeatures else {
            throw WeightsError.shapeMismatch(key: module + ".weight", expected: [outFeatures, inFeatures], found: [base.count])
        }
        let a = down.toFloat32(), b = up.toFloat32()
        let (n, r) = (inFeatures, rank)
        base.withUnsafeMutableBufferPointer { w in
            for o in 0..<outFeatures {
                for k in 0..<r {
                    let s = scale * b[o * r + k]
                    if s == 0 { continue }
                    let row = k * n
                    for i in 0..<n { w[o * n + i] += s * a[row + i] }
                }
            }
        }
    }
}

public enum LoRAAdapters {
    /// Every `lora_A`/`lora_B` pair of `adapter` in `store`, sorted by module. Both halves are marked used.
    /// A half without its partner, a non-2-D tensor or mismatched ranks throw with the full key.
    public static func find(in store: WeightStore, adapter: String = "default") throws -> [LoRAAdapter] {
        let downSuffix = ".lora_A.\(adapter).weight"
        let modules = store.keys.compactMap { key -> String? in
            key.hasSuffix(downSuffix) ? String(key.dropLast(downSuffix.count)) : nil
        }
        let upSuffix = ".lora_B.\(adapter).weight"
        let moduleSet = Set(modules)
        if let orphan = store.keys.first(where: { $0.hasSuffix(upSuffix) && !moduleSet.contains(String($0.dropLast(upSuffix.count))) }) {
            throw WeightsError.missingTensor(key: String(orphan.dropLast(upSuffix.count)) + downSuffix,
                                             hint: "'\(orphan)' has no lora_A partner; the LoRA checkpoint is incomplete.")
        }
        return try modules.map { module in
            let down = try store.tensor(module + downSuffix, shape: [-1, -1])
            guard store.contains(module + upSuffix) else {
                throw WeightsError.missingTensor(key: module + upSuffix, hint: "'\(module + downSuffix)' has no lora_B partner; the LoRA checkpoint is incomplete.")
            }
            let up = try store.tensor(module + upSuffix, shape: [-1, down.shape[0]])
            return LoRAAdapter(module: module, down: down, up: up)
        }
    }
}

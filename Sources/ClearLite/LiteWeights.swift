// Trainable parameters of the lite network: seeded initialisation (He-uniform, as torch's
// kaiming_uniform for ReLU nets), loading through `WeightStore` (a missing or mis-shaped tensor
// fails with its full key) and saving as safetensors (design §4, issue 4 "shipped weights").
import ClearTensor
import ClearWeights
import Foundation

public final class LiteWeights {
    public let layers: [LiteLayer]
    /// "<layer>.weight" / "<layer>.bias" → parameter.
    public private(set) var parameters: [String: Parameter] = [:]

    /// Fresh weights for `layers`, reproducible from `seed`.
    public init(layers: [LiteLayer], seed: UInt64) throws {
        self.layers = layers
        for (i, l) in layers.enumerated() { initialise(l, index: i, seed: seed, zeroed: false) }
    }

    /// He-uniform weight (seeded by the layer's index) or all zeros, and a zero bias.
    private func initialise(_ l: LiteLayer, index i: Int, seed: UInt64, zeroed: Bool) {
        let fanIn = Float(l.inChannels * l.kernel * l.kernel)
        let bound = (6 / fanIn).squareRoot()
        let w = zeroed ? Tensor(shape: l.weightShape, dtype: .f32, zeroed: true)
            : Tensor.random(shape: l.weightShape, seed: seed &* 1_000_003 &+ UInt64(i), lo: -bound, hi: bound)
        parameters[l.name + ".weight"] = Parameter(w, name: l.name + ".weight")
        parameters[l.name + ".bias"] = Parameter(Tensor(shape: [l.outChannels], dtype: .f32, zeroed: true), name: l.name + ".bias")
    }

    /// Fresh parameters (seeded He-uniform, zero bias, as `init(layers:seed:)`) for the layers
    /// named in `names`, with the weights of `zeroed` set to 0: a restoration network whose last
    /// layer starts at 0 predicts no residual at first, so training starts from the fill instead
    /// of pushing the last ReLU layer's units to zero (the v5 network's `res.d1` died that way).
    public func reinitialise(_ names: [String], zeroed: Set<String>, seed: UInt64) throws {
        for (i, l) in layers.enumerated() where names.contains(l.name) {
            initialise(l, index: i, seed: seed, zeroed: zeroed.contains(l.name))
        }
    }

    /// Weights for `layers` read from `store`; every tensor must exist with its exact shape.
    public init(layers: [LiteLayer], store: WeightStore) throws {
        self.layers = layers
        for l in layers {
            let scope = store.scoped(l.name)
            for (key, shape) in [("weight", l.weightShape), ("bias", [l.outChannels])] {
                let wt = try scope.tensor(key, shape: shape)
                let t = try Tensor(shape: shape, values: wt.toFloat32())
                parameters[l.name + "." + key] = Parameter(t, name: l.name + "." + key)
            }
        }
    }

    /// `base`'s parameters (shared) and fresh ones for `extra`, as `init(layers:seed:)` makes them
    /// (the weights of `zeroed` at 0): a hole network (`LiteArchitecture.hole`) added to trained weights.
    public init(extending base: LiteWeights, with extra: [LiteLayer], seed: UInt64, zeroed: Set<String> = []) {
        layers = base.layers + extra
        parameters = base.parameters
        for l in extra { initialise(l, index: layers.firstIndex(of: l)!, seed: seed, zeroed: zeroed.contains(l.name)) }
    }

    /// The engine's weights in `path`: the occlusion head and the restoration network, and the hole
    /// network when the file holds it (`hole.out.weight`); every tensor of those layers must exist
    /// with its exact shape.
    public static func engine(path: String) throws -> LiteWeights {
        guard FileManager.default.fileExists(atPath: path) else { throw LiteError.missingWeights(path) }
        let store = try WeightStore(path: path)
        let hole = store.contains("hole.out.weight") ? LiteArchitecture.hole : []
        return try LiteWeights(layers: LiteArchitecture.engineLayers + hole, store: store)
    }

    /// Whether these weights hold the hole network.
    public var hasHoleNetwork: Bool { layers.contains { $0.name == "hole.out" } }

    public convenience init(layers: [LiteLayer], path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw LiteError.missingWeights(path) }
        try self.init(layers: layers, store: WeightStore(path: path))
    }

    /// Parameters in layer order (weight, bias), as the optimizer takes them.
    public var ordered: [Parameter] {
        layers.flatMap { [parameters[$0.name + ".weight"]!, parameters[$0.name + ".bias"]!] }
    }

    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    public func weight(_ layer: String) -> Parameter { parameters[layer + ".weight"]! }
    public func bias(_ layer: String) -> Parameter { parameters[layer + ".bias"]! }

    /// Writes every parameter (f32) to `path` atomically (temporary name, then rename).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        let tensors = try ordered.map { p in
            try SafetensorsWriter.tensor(key: p.name, shape: p.value.shape, values: p.value.floats())
        }
        let tmp = path + ".partial"
        try SafetensorsWriter.write(tensors, metadata: metadata, to: tmp)
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
    }
}

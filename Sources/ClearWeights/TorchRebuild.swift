// Symbolic evaluation of the allowed torch globals (spec §10.2 "Globals", "Persistent ids", "Tensor view"):
// persistent ids ('storage', StorageType, key, location, numel) become storages in `data/<key>`;
// _rebuild_tensor_v2 / _rebuild_tensor become contiguous WeightTensor views (strided views are copied,
// within a budget of the file size); _rebuild_parameter* return their tensor; OrderedDict() is a dict.

struct TorchResolver: PickleResolver {
    let buffer: WeightBuffer
    let archive: ZipArchive
    /// The archive folder holding data.pkl, with a trailing "/".
    let folder: String
    /// Bytes that may still be allocated to materialise strided views (starts at the file size).
    var materialiseBudget: Int
    private var storages: [String: TorchStorage] = [:]

    static let maxDims = 64

    init(buffer: WeightBuffer, archive: ZipArchive, folder: String) {
        self.buffer = buffer
        self.archive = archive
        self.folder = folder
        self.materialiseBudget = buffer.count
    }

    mutating func persistentLoad(_ pid: PickleValue, offset: Int) throws -> PickleValue {
        func fail(_ reason: String) -> WeightsError { .pickle(reason: "persistent id: \(reason)", offset: offset) }
        guard case let .tuple(t) = pid, t.items.count == 5 else { throw fail("expected ('storage', type, key, location, numel)") }
        guard case let .string(tag) = t.items[0], tag == "storage" else { throw fail("only 'storage' ids are supported") }
        guard case let .global(.storageType(dtype), _) = t.items[1] else { throw fail("second item is a \(t.items[1].typeName), expected a torch storage type") }
        guard case let .string(key) = t.items[2] else { throw fail("storage key is a \(t.items[2].typeName), expected a string") }
        guard case let .int(numel) = t.items[4], numel >= 0 else { throw fail("storage size is not a non-negative int") }
        if let cached = storages[key], cached.dtype == dtype, cached.numel == numel { return .storage(cached) }
        guard let entry = archive.entry(named: folder + "data/" + key) else {
            throw fail("storage '\(key)' has no entry '\(folder)data/\(key)' in the archive")
        }
        guard let bytes = CheckedSize.multiply(numel, dtype.size), bytes <= entry.dataRange.count else {
            throw fail("storage '\(key)' declares \(numel) \(dtype.torchStorageName) elements but its entry holds \(entry.dataRange.count) bytes")
        }
        let storage = TorchStorage(key: key, dtype: dtype, numel: numel,
                                   byteRange: entry.dataRange.lowerBound..<(entry.dataRange.lowerBound + bytes))
        storages[key] = storage
        return .storage(storage)
    }

    mutating func call(_ callable: TorchGlobal, name: String, args: [PickleValue], offset: Int) throws -> PickleValue {
        func fail(_ reason: String) -> WeightsError { .pickle(reason: "\(name): \(reason)", offset: offset) }
        switch callable {
        case .orderedDict:
            let dict = PickleDict()
            if args.isEmpty { return .dict(dict) }
            guard args.count == 1, case let .list(pairs) = args[0] else { throw fail("expects () or a list of pairs") }
            for pair in pairs.items {
                guard case let .tuple(kv) = pair, kv.items.count == 2, let k = kv.items[0].hashKey else { throw fail("expects (key, value) pairs") }
                if let i = dict.index[k] { dict.values[i] = kv.items[1]; continue }
                dict.index[k] = dict.keys.count
                dict.keys.append(kv.items[0])
                dict.values.append(kv.items[1])
                dict.depth = max(dict.depth, kv.items[1].depth + 1, kv.items[0].depth + 1)
            }
            return .dict(dict)
        case .rebuildTensorV2, .rebuildTensor:
            let expected = callable == .rebuildTensor ? 4...4 : 6...7
            guard expected.contains(args.count) else { throw fail("expects \(expected) arguments, found \(args.count)") }
            guard case let .storage(storage) = args[0] else { throw fail("first argument is a \(args[0].typeName), expected a storage") }
            guard case let .int(storageOffset) = args[1], storageOffset >= 0 else { throw fail("storage offset is not a non-negative int") }
            let size = try intTuple(args[2], "size", fail)
            let stride = try intTuple(args[3], "stride", fail)
            guard size.count == stride.count else { throw fail("size has \(size.count) dims but stride has \(stride.count)") }
            return .tensor(try view(storage, offset: storageOffset, size: size, stride: stride, fail))
        case .rebuildParameter, .rebuildParameterWithState:
            let expected = callable == .rebuildParameter ? 3 : 4
            guard args.count == expected, case .tensor = args[0] else { throw fail("expects (tensor, requires_grad, hooks\(expected == 4 ? ", state" : ""))") }
            return args[0]
        case .storageType, .dtype:
            throw fail("is not callable")
        }
    }

    private func intTuple(_ value: PickleValue, _ what: String, _ fail: (String) -> WeightsError) throws -> [Int] {
        guard case let .tuple(t) = value else { throw fail("\(what) is a \(value.typeName), expected a tuple of ints") }
        guard t.items.count <= TorchResolver.maxDims else { throw WeightsError.limitExceeded(what: "tensor rank", limit: TorchResolver.maxDims) }
        return try t.items.map {
            guard case let .int(n) = $0, n >= 0 else { throw fail("\(what) holds a negative or non-int value") }
            return n
        }
    }

    /// A contiguous tensor for `storage[offset + Σ i_d·stride_d]`; strided views are copied.
    private mutating func view(_ storage: TorchStorage, offset: Int, size: [Int], stride: [Int],
                               _ fail: (String) -> WeightsError) throws -> WeightTensor {
        let dtype = storage.dtype
        guard let numel = CheckedSize.product(size) else { throw fail("size \(WeightsError.format(size)) overflows") }
        if numel == 0 {
            return try WeightTensor(key: "", dtype: dtype, shape: size, buffer: buffer, byteRange: storage.byteRange.lowerBound..<storage.byteRange.lowerBound)
        }
        var last = offset
        for (n, s) in zip(size, stride) {
            guard let span = CheckedSize.multiply(n - 1, s), let next = CheckedSize.add(last, span) else { throw fail("view extent overflows") }
            last = next
        }
        guard last < storage.numel else {
            throw fail("view reaches element \(last) of storage '\(storage.key)', which has \(storage.numel) elements")
        }
        var contiguous = true
        var expectedStride = 1
        for (n, s) in zip(size, stride).reversed() where n != 1 {
            if s != expectedStride { contiguous = false; break }
            expectedStride *= n
        }
        let byteCount = numel * dtype.size  // ≤ storage bytes when contiguous; checked below otherwise
        if contiguous {
            let start = storage.byteRange.lowerBound + offset * dtype.size
            return try WeightTensor(key: "", dtype: dtype, shape: size, buffer: buffer, byteRange: start..<(start + byteCount))
        }
        guard let bytes = CheckedSize.multiply(numel, dtype.size), bytes <= materialiseBudget else {
            throw WeightsError.limitExceeded(what: "bytes of strided (non-contiguous) tensor views to copy", limit: buffer.count)
        }
        materialiseBudget -= bytes
        let source = buffer.bytes
        let base = storage.byteRange.lowerBound
        let copy = WeightBuffer(count: bytes) { out in
            var index = [Int](repeating: 0, count: size.count)
            var element = offset
            for i in 0..<numel {
                let from = base + element * dtype.size
                for b in 0..<dtype.size { out[i * dtype.size + b] = source[from + b] }
                var d = size.count - 1
                while d >= 0 {
                    index[d] += 1
                    element += stride[d]
                    if index[d] < size[d] { break }
                    element -= stride[d] * size[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return try WeightTensor(key: "", dtype: dtype, shape: size, buffer: copy, byteRange: 0..<bytes)
    }
}

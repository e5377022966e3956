// Writes a flat state dict as a `torch.save` zip (spec §10.2), streaming each tensor's storage:
// stored (uncompressed) entries under `<name>/`, data aligned to 64 bytes through the local header's
// extra field as PyTorch's writer does, `data/<i>` storages, `byteorder` = "little", `version` = "3",
// and `data.pkl`: a protocol-2 pickle of collections.OrderedDict(key → torch._utils._rebuild_tensor_v2(
// persistent ('storage', torch.<Dtype>Storage, "<i>", 'cpu', numel), 0, size, stride, False, OrderedDict())).
// Without ZIP64: the file must stay under 4 GiB (enough for the random-weight bench folders).
import Foundation

public enum TorchZipWriter {
    /// Writes `entries` (bytes from `fill`) to `path` as `torch.save(OrderedDict)` would, archive folder `name`.
    public static func write(_ entries: [SafetensorsStreamWriter.Entry], to path: String, name: String = "archive",
                             fill: (SafetensorsStreamWriter.Entry, UnsafeMutableRawBufferPointer) throws -> Void) throws {
        let sink = try StreamSink(path: path)
        var central: [(name: String, offset: Int, size: Int, crc: UInt32)] = []
        func entry(_ entryName: String, size: Int, body: () throws -> Void) throws {
            let nameBytes = Array(entryName.utf8)
            let start = sink.offset
            let headerEnd = start + 30 + nameBytes.count + 4
            let pad = (64 - headerEnd % 64) % 64
            guard start + 30 + nameBytes.count + 4 + pad + size < 0xFFFF_FFFF else {
                throw WeightsError.io(path: path, reason: "over 4 GiB; this writer does not write ZIP64")
            }
            // Local header with CRC and sizes patched afterwards is not possible on a stream; compute CRC first.
            var local = [UInt8]()
            local += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
            let crcAt = local.count
            local += le32(0) + le32(UInt32(size)) + le32(UInt32(size)) + le16(UInt16(nameBytes.count)) + le16(UInt16(4 + pad))
            local += nameBytes + le16(0x4B46) + le16(UInt16(pad)) + [UInt8](repeating: 0, count: pad)
            try sink.write(local)
            sink.crc.reset()
            try body()
            let crc = sink.crc.value
            // patch the CRC in the local header
            try sink.handle.seek(toOffset: UInt64(start + crcAt))
            try sink.handle.write(contentsOf: Data(le32(crc)))
            try sink.handle.seekToEnd()
            central.append((entryName, start, size, crc))
        }
        var pickle = TorchPickle()
        pickle.beginDict()
        for (i, e) in entries.enumerated() {
            try entry("\(name)/data/\(i)", size: e.byteCount) { try sink.writeFilled(count: e.byteCount) { try fill(e, $0) } }
            pickle.addTensor(key: e.key, storage: "\(i)", dtype: e.dtype, shape: e.shape)
        }
        let pkl = pickle.finish()
        try entry("\(name)/data.pkl", size: pkl.count) { try sink.write(pkl) }
        try entry("\(name)/byteorder", size: 6) { try sink.write(Array("little".utf8)) }
        try entry("\(name)/version", size: 2) { try sink.write(Array("3\n".utf8)) }
        let cdStart = sink.offset
        var cd = [UInt8]()
        for c in central {
            let n = Array(c.name.utf8)
            cd += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0)
            cd += le32(c.crc) + le32(UInt32(c.size)) + le32(UInt32(c.size)) + le16(UInt16(n.count)) + le16(0) + le16(0)
            cd += le16(0) + le16(0) + le32(0) + le32(UInt32(c.offset)) + n
        }
        cd += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(central.count)) + le16(UInt16(central.count))
        cd += le32(UInt32(cd.count)) + le32(UInt32(cdStart)) + le16(0)
        try sink.write(cd)
        try sink.close()
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}

/// The protocol-2 pickle of a flat OrderedDict of tensors, as torch.save writes it.
struct TorchPickle {
    private var out: [UInt8] = []

    private mutating func op(_ b: UInt8) { out.append(b) }
    private mutating func global(_ module: String, _ name: String) { op(0x63); out += Array("\(module)\n\(name)\n".utf8) }
    private mutating func string(_ s: String) { let b = Array(s.utf8); op(0x58); out += TorchZipWriter.le32(UInt32(b.count)) + b }
    private mutating func int(_ v: Int) {
        if v >= 0 && v < 256 { op(0x4B); op(UInt8(v)) } else if v >= 0 && v <= Int(Int32.max) {
            op(0x4A); out += TorchZipWriter.le32(UInt32(v))
        } else {   // LONG1: little-endian two's complement
            var bytes: [UInt8] = []
            var x = v
            repeat { bytes.append(UInt8(truncatingIfNeeded: x)); x >>= 8 } while !(x == 0 && bytes.last! < 0x80) && !(x == -1 && bytes.last! >= 0x80)
            op(0x8A); op(UInt8(bytes.count)); out += bytes
        }
    }
    private mutating func tuple(_ values: [Int]) { op(0x28); for v in values { int(v) }; op(0x74) }
    private mutating func emptyOrderedDict() { global("collections", "OrderedDict"); op(0x29); op(0x52) }

    mutating func beginDict() {
        out = [0x80, 2]
        emptyOrderedDict()
        op(0x28)  // MARK for SETITEMS
    }

    mutating func addTensor(key: String, storage: String, dtype: WeightDType, shape: [Int]) {
        string(key)
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28)  // MARK for the argument tuple
        op(0x28); string("storage"); global("torch", dtype.torchStorageName); string(storage); string("cpu")
        int(shape.reduce(1, *)); op(0x74)
        op(0x51)  // BINPERSID
        int(0)
        tuple(shape)
        var strides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        tuple(strides)
        op(0x89)  // NEWFALSE
        emptyOrderedDict()
        op(0x74)  // TUPLE
        op(0x52)  // REDUCE
    }

    mutating func finish() -> [UInt8] {
        op(0x75)  // SETITEMS
        op(0x2E)  // STOP
        return out
    }
}

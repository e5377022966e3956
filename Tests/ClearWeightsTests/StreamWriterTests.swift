// The streaming writers (`clearsub bench wan`'s model folders) read back by the project's own readers:
// a torch.save-style zip (pickle protocol 2, OrderedDict of _rebuild_tensor_v2, 64-byte aligned stored
// entries, CRC-32) and a safetensors file, in bf16 and f32.
import ClearWeights
import Foundation
import XCTest

final class StreamWriterTests: XCTestCase {
    let entries = [SafetensorsStreamWriter.Entry(key: "blocks.0.attn.q.weight", dtype: .bf16, shape: [3, 5]),
                   SafetensorsStreamWriter.Entry(key: "norm.weight", dtype: .f32, shape: [7]),
                   SafetensorsStreamWriter.Entry(key: "big", dtype: .f32, shape: [300])]

    func fill(_ e: SafetensorsStreamWriter.Entry, _ b: UnsafeMutableRawBufferPointer) {
        let n = e.shape.reduce(1, *)
        for i in 0..<n {
            let v = Float(i) * 0.5 - Float(e.key.count)
            if e.dtype == .bf16 { b.storeBytes(of: UInt16(v.bitPattern >> 16), toByteOffset: 2 * i, as: UInt16.self) }
            else { b.storeBytes(of: v, toByteOffset: 4 * i, as: Float.self) }
        }
    }

    func check(_ path: String) throws {
        let store = try WeightStore(path: path)
        XCTAssertEqual(Set(store.keys), Set(entries.map(\.key)))
        for e in entries {
            let t = try store.tensor(e.key)
            XCTAssertEqual(t.shape, e.shape)
            XCTAssertEqual(t.dtype, e.dtype)
            XCTAssertEqual(t.toFloat32(), (0..<e.shape.reduce(1, *)).map { Float($0) * 0.5 - Float(e.key.count) }, e.key)
        }
    }

    func testTorchZipAndSafetensorsRoundTrip() throws {
        let dir = NSTemporaryDirectory() + "clearsub-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TorchZipWriter.write(entries, to: dir + "/w.pth", name: "w", fill: fill)
        try check(dir + "/w.pth")
        try SafetensorsStreamWriter.write(entries, to: dir + "/w.safetensors", fill: fill)
        try check(dir + "/w.safetensors")
        // the zip's data entries start on 64-byte boundaries, as torch.save writes them
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/w.pth")))
        let zip = try bytes.withUnsafeBytes { try ZipArchive(bytes: $0) }
        XCTAssertEqual(zip.entries.filter { $0.name.hasPrefix("w/data/") }.count, 3)
        for entry in zip.entries where entry.name.contains("/data/") { XCTAssertEqual(entry.dataRange.lowerBound % 64, 0, entry.name) }
    }
}

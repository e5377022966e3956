// Owner of the bytes that tensors view: a read-only mmap of a weights file (Glibc mmap), or an owned
// heap copy (in-memory parsing, materialised non-contiguous torch views). See shared/design.md §2.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Immutable bytes that stay valid for the lifetime of this object. Tensors keep their buffer alive.
public final class WeightBuffer: @unchecked Sendable {
    /// The bytes. Never written after initialisation, so sharing across threads is safe.
    public let bytes: UnsafeRawBufferPointer
    private let mapped: Bool

    /// Maps `path` read-only. An empty file gives an empty buffer (the parsers then report it as truncated).
    public static func map(path: String) throws -> WeightBuffer {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw WeightsError.io(path: path, reason: WeightBuffer.errnoText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WeightsError.io(path: path, reason: WeightBuffer.errnoText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsError.io(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 { return WeightBuffer(copying: []) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw WeightsError.io(path: path, reason: "mmap failed: \(WeightBuffer.errnoText())")
        }
        return WeightBuffer(bytes: UnsafeRawBufferPointer(start: base, count: size), mapped: true)
    }

    /// An owned copy of `source`.
    public convenience init(copying source: some Collection<UInt8>) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        _ = UnsafeMutableRawBufferPointer(rebasing: storage[0..<source.count]).initializeMemory(as: UInt8.self, from: source)
        self.init(bytes: UnsafeRawBufferPointer(rebasing: storage[0..<source.count]), mapped: false, allocation: storage)
    }

    /// An owned buffer of `count` bytes filled by `fill` (used to materialise strided views).
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 64)
        let used = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
        do { try fill(used) } catch { storage.deallocate(); throw error }
        self.bytes = UnsafeRawBufferPointer(used)
        self.mapped = false
        self.allocation = storage
    }

    private let allocation: UnsafeMutableRawBufferPointer?

    private init(bytes: UnsafeRawBufferPointer, mapped: Bool, allocation: UnsafeMutableRawBufferPointer? = nil) {
        self.bytes = bytes
        self.mapped = mapped
        self.allocation = allocation
    }

    deinit {
        if mapped, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
        allocation?.deallocate()
    }

    var count: Int { bytes.count }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

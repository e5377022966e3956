// A uniquely named directory under the system temporary directory (TMPDIR), deleted with its
// contents by `remove()` or when the object goes away. For benchmarks and tests.
import Foundation

public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    /// Creates `$TMPDIR/clearsub-LABEL-<pid>-<random>`.
    public init(label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("clearsub-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Sorted names of the entries of the directory, or of its subdirectory `sub`.
    public func listing(_ sub: String = "") -> [String] {
        let p = sub.isEmpty ? url.path : path(sub)
        return ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? []).sorted()
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }

    deinit { remove() }
}

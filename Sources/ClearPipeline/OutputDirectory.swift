// Checking (before any work) and creating (once work starts) the output directory.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum OutputDirectory {
    /// Throws unless `dir` is, or can be created as, a writable directory. Writes nothing.
    public static func check(_ dir: URL) throws {
        var isDir: ObjCBool = false
        var probe = dir.standardizedFileURL
        // Walk up to the nearest existing ancestor: it must be a directory we may write into.
        while !FileManager.default.fileExists(atPath: probe.path, isDirectory: &isDir) {
            let parent = probe.deletingLastPathComponent()
            if parent.path == probe.path { break }
            probe = parent
        }
        guard isDir.boolValue else {
            let what = probe.path == dir.standardizedFileURL.path ? "it is a file" : "\(probe.path) is a file, not a directory"
            throw PipelineError.outputDirUnusable(dir.path, reason: what)
        }
        guard access(probe.path, W_OK | X_OK) == 0 else {
            throw PipelineError.outputDirUnusable(dir.path, reason: "\(probe.path) is not writable")
        }
    }

    /// Creates `dir` (and its parents) if missing.
    public static func create(_ dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw PipelineError.outputDirUnusable(dir.path, reason: "cannot create it")
        }
    }
}

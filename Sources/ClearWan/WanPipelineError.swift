// Errors of the wan engine's pipeline (model folder, frames, options), each saying what to do.

public enum WanPipelineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Files the model folder lacks: (what, where it is expected).
    case missingFiles(folder: String, missing: [WanModelFile])
    case unsupportedSize(width: Int, height: Int, reason: String)
    case invalidChunk(String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .missingFiles(let folder, let missing):
            let list = missing.map { "\($0.what) (expected at \($0.expected))" }.joined(separator: "; ")
            return "the Wan model folder \(folder) is incomplete: missing \(list); download "
                + "Wan2.1-Fun-V1.1-1.3B-Control into it (see docs/wan.md)"
        case .unsupportedSize(let w, let h, let reason):
            return "unsupported frame size \(w)x\(h) for the wan engine: \(reason)"
        case .invalidChunk(let s): return "wan engine: \(s)"
        case .invalidOption(let s): return "wan engine: \(s)"
        }
    }
}

/// One required file of the model folder.
public struct WanModelFile: Sendable, Equatable {
    public let what: String
    public let expected: String
    public init(what: String, expected: String) { self.what = what; self.expected = expected }
}

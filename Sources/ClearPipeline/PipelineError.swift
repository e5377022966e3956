// Typed errors of the pipeline layer. Each message is one line: what is wrong and what to do.
import Foundation

public enum PipelineError: Error, CustomStringConvertible, Equatable, Sendable {
    case cancelled
    case noEngineInstalled(hint: String)
    case engineNotInstalled(String, available: [String])
    /// An engine that exists but is switched off in this build (e.g. experimental): name and how to enable it.
    case engineDisabled(String, hint: String)
    case invalidWindow(engine: String, chunkSize: Int, overlap: Int)
    case engineContract(engine: String, detail: String)
    case outputExists(String)
    case outputIsInput(String)
    case duplicateOutputName(String, first: String, second: String)
    case outputDirUnusable(String, reason: String)
    case writeFailed(String, detail: String)

    public var description: String {
        switch self {
        case .cancelled:
            return "interrupted; partial outputs were removed"
        case .noEngineInstalled(let hint):
            return "no removal engine is installed yet (\(hint)); nothing was written"
        case .engineNotInstalled(let n, let avail):
            return "the '\(n)' engine is not installed in this build (available: \(avail.joined(separator: ", "))); nothing was written"
        case .engineDisabled(let n, let hint):
            return "the '\(n)' engine is disabled (\(hint)); nothing was written"
        case .invalidWindow(let e, let c, let o):
            return "engine \(e) asks for chunk size \(c) with overlap \(o); need chunk size ≥ 1 and 0 ≤ overlap < chunk size"
        case .engineContract(let e, let d):
            return "engine \(e) broke its contract: \(d)"
        case .outputExists(let p):
            return "\(p) already exists; pass --overwrite to replace it, or choose another --output-dir"
        case .outputIsInput(let p):
            return "\(p) is both an input and an output; choose another --output-dir"
        case .duplicateOutputName(let name, let a, let b):
            return "\(a) and \(b) would both write \(name); process them into different --output-dir folders"
        case .outputDirUnusable(let p, let r):
            return "output directory \(p) cannot be used (\(r)); pass a writable --output-dir"
        case .writeFailed(let p, let d):
            return "could not write \(p) (\(d)); check free space and permissions"
        }
    }
}

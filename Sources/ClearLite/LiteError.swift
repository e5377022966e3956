// Typed, one-line errors of the lite engine and its training (design §4–§5).
import Foundation

public enum LiteError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingWeights(String)
    case badWeights(String)
    case frameSizeMismatch(expected: String, got: String)
    case frameTooSmall(width: Int, height: Int)
    case emptyChunk
    case chunkTooLong(Int, max: Int)
    case outputsOutOfChunk(Range<Int>, chunk: Int)
    case noTrainingData(String)
    case unreadableImage(String)
    case trainingFailed(String)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .missingWeights(let p): return "lite weights not found at \(p); reinstall clearsub or pass a weights file"
        case .badWeights(let m): return "lite weights are unusable: \(m)"
        case .frameSizeMismatch(let e, let g): return "lite engine: frames in one chunk differ in size (expected \(e), got \(g))"
        case .frameTooSmall(let w, let h): return "lite engine: frame \(w)x\(h) is too small (need at least 16x16)"
        case .emptyChunk: return "lite engine: empty chunk"
        case .chunkTooLong(let n, let m): return "lite engine: chunk of \(n) frames exceeds its chunk size \(m)"
        case .outputsOutOfChunk(let r, let n): return "lite engine: frames \(r.lowerBound)..<\(r.upperBound) to clean lie outside the chunk of \(n) frames"
        case .invalidSetting(let m): return "lite engine: \(m)"
        case .noTrainingData(let d): return "no training data in \(d); run tools/fetch_training_data.sh first"
        case .unreadableImage(let p): return "cannot read training image \(p) (expected binary PPM, P6, 8-bit)"
        case .trainingFailed(let m): return "training failed: \(m)"
        }
    }
}

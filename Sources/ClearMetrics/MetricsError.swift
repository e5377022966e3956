// Typed errors of the Metrics layer. Each message is one line: what is wrong and what to do.

public enum MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `role` ("candidate" or "mask") has another frame size than the reference.
    case sizeMismatch(role: String, path: String, width: Int, height: Int, referenceWidth: Int, referenceHeight: Int)
    /// `role` has another number of frames than the reference (`frames` may be a lower bound,
    /// shown as "N+" when `atLeast`).
    case frameCountMismatch(role: String, path: String, frames: Int, atLeast: Bool, referenceFrames: Int)
    case invalidMaxFrames(Int)
    /// `--region` text that is not "x,y,w,h".
    case invalidRegion(String)
    /// The region does not lie inside the frame.
    case regionOutsideFrame(PixelRect, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .sizeMismatch(role, path, w, h, rw, rh):
            return "\(role) \(path) is \(w)x\(h) but the reference is \(rw)x\(rh); compare videos of the same size (scale the \(role) to \(rw)x\(rh) first)"
        case let .frameCountMismatch(role, path, n, atLeast, rn):
            return "\(role) \(path) has \(n)\(atLeast ? "+" : "") frames but the reference has \(rn); compare videos with the same frames (same trim, no dropped or added frames), or limit both with --max-frames"
        case let .invalidMaxFrames(n):
            return "--max-frames must be at least 1 (got \(n))"
        case let .invalidRegion(text):
            return "--region '\(text)' is not x,y,w,h; pass four integers (left, top, width, height; width and height at least 1), e.g. --region 0,0,320,120"
        case let .regionOutsideFrame(r, w, h):
            return "--region \(r) reaches beyond the \(w)x\(h) frame; pass a rectangle with x+w <= \(w) and y+h <= \(h)"
        }
    }
}

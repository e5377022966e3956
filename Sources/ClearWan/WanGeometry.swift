// Model resolution and the cover-resize + centre-crop that maps a source frame onto it.
// Matches: CLEAR `inference.py` (silent-commit/CLEAR d2a99b0) target-size rule and its torchvision
// resize + CenterCrop (spec shared/spec/wan-clear-reference.md §2.1–§2.2): pixel cap with
// int() truncation, multiples of 16 by floor, short side ≤ 720, cover scale max(W_t/w₀, H_t/h₀),
// resized size by Python round (half to even), crop offsets int(round((h − H_t)/2)).
// clearsub addition: the pixel cap is `--max-pixels` (CLEAR's is fixed at 1280·720 = 921 600).
import Foundation

/// Where a source frame of `sourceWidth`×`sourceHeight` goes: cover-resized to `resizedWidth`×`resizedHeight`,
/// then the `modelWidth`×`modelHeight` window at (`cropLeft`, `cropTop`) is what the model sees.
public struct WanGeometry: Sendable, Equatable, CustomStringConvertible {
    public let sourceWidth: Int, sourceHeight: Int
    public let resizedWidth: Int, resizedHeight: Int
    public let cropLeft: Int, cropTop: Int
    public let modelWidth: Int, modelHeight: Int

    /// The short side CLEAR caps at 720.
    public static let shortSideCap = 720
    /// CLEAR's pixel cap, 1280·720.
    public static let defaultMaxPixels = 921_600

    /// True when the model sees the source frame unchanged.
    public var isIdentity: Bool { resizedWidth == sourceWidth && resizedHeight == sourceHeight && cropLeft == 0 && cropTop == 0
        && modelWidth == sourceWidth && modelHeight == sourceHeight }

    public var description: String {
        isIdentity ? "\(modelWidth)x\(modelHeight)"
            : "\(sourceWidth)x\(sourceHeight) -> resize \(resizedWidth)x\(resizedHeight) -> crop \(modelWidth)x\(modelHeight)+\(cropLeft)+\(cropTop)"
    }

    public init(sourceWidth: Int, sourceHeight: Int, maxPixels: Int = WanGeometry.defaultMaxPixels) throws {
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw WanPipelineError.unsupportedSize(width: sourceWidth, height: sourceHeight, reason: "empty frame")
        }
        let (w0, h0) = (sourceWidth, sourceHeight)
        let (tw, th) = WanGeometry.targetSize(width: w0, height: h0, maxPixels: maxPixels)
        guard tw >= 16, th >= 16 else {
            throw WanPipelineError.unsupportedSize(width: w0, height: h0, reason: "the wan engine needs at least 16 pixels on each side")
        }
        self.sourceWidth = w0; self.sourceHeight = h0
        modelWidth = tw; modelHeight = th
        if tw == w0 && th == h0 {
            resizedWidth = w0; resizedHeight = h0; cropLeft = 0; cropTop = 0
            return
        }
        let sigma = max(Double(tw) / Double(w0), Double(th) / Double(h0))
        resizedHeight = max(th, Int((Double(h0) * sigma).rounded(.toNearestOrEven)))
        resizedWidth = max(tw, Int((Double(w0) * sigma).rounded(.toNearestOrEven)))
        cropTop = Int((Double(resizedHeight - th) / 2).rounded(.toNearestOrEven))
        cropLeft = Int((Double(resizedWidth - tw) / 2).rounded(.toNearestOrEven))
    }

    /// Spec §2.1: (width, height) of the model input for a w₀×h₀ source.
    public static func targetSize(width w0: Int, height h0: Int, maxPixels: Int = defaultMaxPixels) -> (width: Int, height: Int) {
        var (w, h) = (w0, h0)
        if w0 * h0 > maxPixels {
            let s = (Double(w0 * h0) / Double(maxPixels)).squareRoot()
            h = Int(Double(h0) / s); w = Int(Double(w0) / s)
        }
        h = h / 16 * 16; w = w / 16 * 16
        let cap = shortSideCap
        if h0 > w0 {
            if w > cap { let old = w; w = cap; h = Int(Double(h) * Double(cap) / Double(old)) / 16 * 16 }
        } else if h > cap {
            let old = h; h = cap; w = Int(Double(w) * Double(cap) / Double(old)) / 16 * 16
        }
        return (w, h)
    }
}

// Peak signal-to-noise ratio of 8-bit RGB frames (MAX = 255): PSNR = 10·log10(255² / MSE), the MSE
// taken over all three channels. Squared errors are summed exactly in integers, so per-frame,
// whole-clip and masked values are exact up to the final logarithm. Identical frames give
// +infinity; `PSNR.cap` (100 dB) is the value reported for them when a finite number is needed
// (averaging, JSON).
import ClearMedia
import Foundation

/// An exact running sum of squared 8-bit differences and the number of samples it covers.
public struct SquaredError: Sendable, Equatable {
    public var sum: Int = 0
    public var count: Int = 0

    public init(sum: Int = 0, count: Int = 0) {
        self.sum = sum
        self.count = count
    }

    public static func + (a: SquaredError, b: SquaredError) -> SquaredError {
        SquaredError(sum: a.sum + b.sum, count: a.count + b.count)
    }

    public static func += (a: inout SquaredError, b: SquaredError) { a = a + b }

    /// Mean squared error, nil when no samples.
    public var mse: Double? { count > 0 ? Double(sum) / Double(count) : nil }

    /// PSNR in dB (+infinity for zero error), nil when no samples.
    public var psnr: Double? { mse.map(PSNR.psnr(mse:)) }
}

public enum PSNR {
    /// Value reported instead of +infinity for identical frames (dB).
    public static let cap = 100.0

    /// 10·log10(255² / mse); +infinity when mse == 0.
    public static func psnr(mse: Double) -> Double {
        mse <= 0 ? .infinity : 10 * log10(255.0 * 255.0 / mse)
    }

    /// `value` limited to `cap` (for +infinity and anything above 100 dB).
    public static func capped(_ value: Double) -> Double { min(value, cap) }

    /// Squared error of two frames of the same size, over all pixels and channels.
    public static func squaredError(_ a: RGBFrame, _ b: RGBFrame) -> SquaredError {
        precondition(a.width == b.width && a.height == b.height, "PSNR: frame sizes differ")
        let w = a.width
        let parts: [Int] = a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                let sa = UnsafeBufferPointerBox(pa), sb = UnsafeBufferPointerBox(pb)
                return Parallel.mapRows(a.height) { rows in
                    var s = 0
                    let lo = rows.lowerBound * w * 3, hi = rows.upperBound * w * 3
                    for i in lo..<hi {
                        let d = Int(sa.base[i]) - Int(sb.base[i])
                        s += d * d
                    }
                    return s
                }
            }
        }
        return SquaredError(sum: parts.reduce(0, +), count: w * a.height * 3)
    }

    /// PSNR of one frame pair (+infinity when identical).
    public static func psnr(_ a: RGBFrame, _ b: RGBFrame) -> Double {
        squaredError(a, b).psnr!
    }

    /// Squared errors split by a binary mask (one byte per pixel, non-zero = inside): the pixels
    /// inside and outside, all three channels of each.
    public static func maskedSquaredError(_ a: RGBFrame, _ b: RGBFrame, mask: BinaryMask)
        -> (inside: SquaredError, outside: SquaredError)
    {
        precondition(a.width == b.width && a.height == b.height && mask.width == a.width && mask.height == a.height,
                     "PSNR: frame and mask sizes differ")
        let w = a.width
        let parts: [(Int, Int, Int)] = a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                mask.bits.withUnsafeBufferPointer { pm in
                    let sa = UnsafeBufferPointerBox(pa), sb = UnsafeBufferPointerBox(pb), sm = UnsafeBufferPointerBox(pm)
                    return Parallel.mapRows(a.height) { rows in
                        var sIn = 0, sOut = 0, nIn = 0
                        for p in (rows.lowerBound * w)..<(rows.upperBound * w) {
                            let d0 = Int(sa.base[3 * p]) - Int(sb.base[3 * p])
                            let d1 = Int(sa.base[3 * p + 1]) - Int(sb.base[3 * p + 1])
                            let d2 = Int(sa.base[3 * p + 2]) - Int(sb.base[3 * p + 2])
                            let e = d0 * d0 + d1 * d1 + d2 * d2
                            if sm.base[p] != 0 { sIn += e; nIn += 1 } else { sOut += e }
                        }
                        return (sIn, sOut, nIn)
                    }
                }
            }
        }
        let sIn = parts.reduce(0) { $0 + $1.0 }, sOut = parts.reduce(0) { $0 + $1.1 }
        let nIn = parts.reduce(0) { $0 + $1.2 }, n = w * a.height
        return (SquaredError(sum: sIn, count: 3 * nIn), SquaredError(sum: sOut, count: 3 * (n - nIn)))
    }
}

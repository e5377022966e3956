// Structural similarity (Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment: from error
// visibility to structural similarity", IEEE TIP 2004) on luma Y = 0.299R + 0.587G + 0.114B
// (0–255 scale): 11 × 11 circular-symmetric Gaussian window, σ = 1.5 (normalised to sum 1),
// C1 = (0.01·255)², C2 = (0.03·255)², population (biased) variances, and — as in the paper's
// reference implementation (`filter2(window, img, 'valid')`) — the SSIM map is evaluated only where
// the window lies entirely inside the frame (the "valid" region, (W − 10) × (H − 10) pixels). The
// frame's SSIM is the mean of that map. This equals scikit-image's
// structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
// data_range=255), which also discards a 5-pixel border before averaging.
import ClearMedia
import Foundation

public enum SSIM {
    public static let windowRadius = 5
    public static let sigma = 1.5
    public static let c1 = (0.01 * 255.0) * (0.01 * 255.0)
    public static let c2 = (0.03 * 255.0) * (0.03 * 255.0)

    /// The normalised 1-D Gaussian (the 2-D window is its outer product).
    public static let kernel: [Float] = Filter.gaussianKernel(sigma: sigma, radius: windowRadius)

    /// SSIM of two RGB frames (on their luma); nil when a side is shorter than the 11-pixel window.
    public static func ssim(_ a: RGBFrame, _ b: RGBFrame) -> Double? {
        ssim(Luma.plane(a), Luma.plane(b))
    }

    /// SSIM of two luma planes of the same size (0–255 scale); nil when a side is < 11 pixels.
    public static func ssim(_ a: Plane, _ b: Plane) -> Double? {
        precondition(a.width == b.width && a.height == b.height, "SSIM: plane sizes differ")
        let k = kernel.count, r = windowRadius
        let w = a.width, h = a.height
        guard w >= k, h >= k else { return nil }
        let vw = w - 2 * r, vh = h - 2 * r
        // Horizontal valid pass of the five moments x, y, x², y², xy (centred at 128 so the
        // second moments keep their precision in Float), all rows of the frame.
        let moments = (0..<5).map { _ in Plane(width: vw, height: h) }
        let kb = kernel
        Parallel.forRows(h) { rows in
            kb.withUnsafeBufferPointer { kp in
                for y in rows {
                    let pa = a.data + y * w, pb = b.data + y * w
                    let m0 = moments[0].data + y * vw, m1 = moments[1].data + y * vw
                    let m2 = moments[2].data + y * vw, m3 = moments[3].data + y * vw
                    let m4 = moments[4].data + y * vw
                    for x in 0..<vw {
                        var sx: Float = 0, sy: Float = 0, sxx: Float = 0, syy: Float = 0, sxy: Float = 0
                        for i in 0..<k {
                            let u = pa[x + i] - 128, v = pb[x + i] - 128, c = kp[i]
                            sx += c * u
                            sy += c * v
                            sxx += c * u * u
                            syy += c * v * v
                            sxy += c * u * v
                        }
                        m0[x] = sx; m1[x] = sy; m2[x] = sxx; m3[x] = syy; m4[x] = sxy
                    }
                }
            }
        }
        // Vertical valid pass and the SSIM map, summed per row chunk in Double.
        let c1 = Float(self.c1), c2 = Float(self.c2)
        let sums: [Double] = Parallel.mapRows(vh) { rows in
            kb.withUnsafeBufferPointer { kp in
                var total = 0.0
                var acc = [Float](repeating: 0, count: 5 * vw)
                for y in rows {
                    for j in 0..<acc.count { acc[j] = 0 }
                    acc.withUnsafeMutableBufferPointer { ap in
                        for i in 0..<k {
                            let c = kp[i]
                            for m in 0..<5 {
                                let src = moments[m].data + (y + i) * vw
                                let dst = ap.baseAddress! + m * vw
                                for x in 0..<vw { dst[x] += c * src[x] }
                            }
                        }
                        let base = ap.baseAddress!
                        var rowSum = 0.0
                        for x in 0..<vw {
                            let mx = base[x], my = base[vw + x]
                            let vx = base[2 * vw + x] - mx * mx
                            let vy = base[3 * vw + x] - my * my
                            let cxy = base[4 * vw + x] - mx * my
                            let ux = mx + 128, uy = my + 128
                            let num = (2 * ux * uy + c1) * (2 * cxy + c2)
                            let den = (ux * ux + uy * uy + c1) * (vx + vy + c2)
                            rowSum += Double(num / den)
                        }
                        total += rowSum
                    }
                }
                return total
            }
        }
        return sums.reduce(0, +) / Double(vw * vh)
    }
}

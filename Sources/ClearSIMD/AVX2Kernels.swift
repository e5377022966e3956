// The AVX2 builds of a few kernels (CKernels/avx2.c), for CPUs without AVX-512: the background-plate
// kernels (PlateKernels.swift) and a 3×3 convolution with one output channel (`conv3x3ToOne`).
// Only for CPUs where `usable` is true.
import CKernels

public enum AVX2Kernels {
    /// The CPU and OS run AVX2 and FMA.
    public static let usable: Bool = cs_avx2_usable() != 0
    /// The most input channels `conv3x3ToOne` takes.
    public static let conv3x3ToOneMaxChannels = Int(CS_CONV_TO_ONE_MAX_CHANNELS)

    /// out[y·w + x] = bias + Σ weight[(ch·3 + dy)·3 + dx] · x[((y+dy−1)·w + x+dx−1)·c + ch] (zero
    /// padding) for the output rows `rows` of a channels-last f32 image [h, w, c], c ≤
    /// `conv3x3ToOneMaxChannels`; weight in PyTorch layout [1, c, 3, 3].
    public static func conv3x3ToOne(_ x: UnsafePointer<Float>, height h: Int, width w: Int, channels c: Int,
                                    weight: UnsafePointer<Float>, bias: Float, into out: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        precondition(usable && c >= 1 && c <= conv3x3ToOneMaxChannels && rows.lowerBound >= 0 && rows.upperBound <= h,
                     "AVX2Kernels.conv3x3ToOne: \(c) channels, rows \(rows) of \(h)")
        cs_avx2_conv3x3_to_one(x, h, w, c, weight, bias, out, rows.lowerBound, rows.upperBound)
    }
}

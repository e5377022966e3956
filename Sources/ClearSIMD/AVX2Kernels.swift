// The AVX2 builds of a few kernels (CKernels/avx2.c), for CPUs without AVX-512: the background-plate
// kernels (PlateKernels.swift) and 3×3 convolutions with one to four output channels (`conv3x3Few`).
// Only for CPUs where `usable` is true.
import CKernels

public enum AVX2Kernels {
    /// The CPU and OS run AVX2 and FMA.
    public static let usable: Bool = cs_avx2_usable() != 0
    /// The most input and output channels `conv3x3Few` takes.
    public static let conv3x3FewMaxChannels = Int(CS_CONV_FEW_MAX_CHANNELS)
    public static let conv3x3FewMaxOutputs = Int(CS_CONV_FEW_MAX_OUTPUTS)

    /// out[(y·w + x)·o + k] = bias[k] + Σ weight[((k·c + ch)·3 + dy)·3 + dx] · x[((y+dy−1)·w + x+dx−1)·c + ch]
    /// (zero padding) for the output rows `rows` of a channels-last f32 image [h, w, c] into a
    /// channels-last [h, w, o], c ≤ `conv3x3FewMaxChannels`, o ≤ `conv3x3FewMaxOutputs`; weight in
    /// PyTorch layout [o, c, 3, 3].
    public static func conv3x3Few(_ x: UnsafePointer<Float>, height h: Int, width w: Int, channels c: Int, outputs o: Int,
                                  weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                  rows: Range<Int>) {
        precondition(usable && c >= 1 && c <= conv3x3FewMaxChannels && o >= 1 && o <= conv3x3FewMaxOutputs
                     && rows.lowerBound >= 0 && rows.upperBound <= h,
                     "AVX2Kernels.conv3x3Few: \(c) → \(o) channels, rows \(rows) of \(h)")
        cs_avx2_conv3x3_few(x, h, w, c, o, weight, bias, out, rows.lowerBound, rows.upperBound)
    }
}

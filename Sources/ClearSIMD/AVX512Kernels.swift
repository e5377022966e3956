// The kernel set on AVX-512: the C builds of the same kernels (CKernels, one target
// attribute per function). Only for CPUs where `usable` is true; KernelDispatch (ClearTensor)
// checks. Lane order: the C kernels read and write every dtype in natural order, so they ignore
// ElementPointer.split.
import CKernels

public enum AVX512Kernels: KernelSet {
    public static let name = "avx512"
    public static let wide = true
    /// The CPU and OS run AVX-512 F/BW/VL/DQ.
    public static let usable: Bool = cs_avx512_usable() != 0

    /// Lets the bf16 activations and scale-shift round with AVX512_BF16's VCVTNEPS2BF16 when the
    /// CPU has it (the default); false forces the integer rounding (tests). Returns whether the
    /// instruction is now in use.
    @discardableResult
    public static func allowBF16Instructions(_ allow: Bool) -> Bool { cs_avx512_allow_bf16_instructions(allow ? 1 : 0) != 0 }

    public static func activation(_ act: ActivationKernel, _ src: ElementPointer, _ dst: ElementPointer, _ range: Range<Int>) {
        let kind: Int32
        switch act {
        case .silu: kind = Int32(CS_SILU)
        case .sigmoid: kind = Int32(CS_SIGMOID)
        case .relu: kind = Int32(CS_RELU)
        case .geluTanh: kind = Int32(CS_GELU_TANH)
        }
        cs_avx512_activation(kind, src.raw, dst.raw, src.isBF16 ? 1 : 0, range.lowerBound, range.upperBound)
    }
    public static func softmaxRows(_ src: ElementPointer, _ dst: ElementPointer, columns: Int, rows: Range<Int>) {
        cs_avx512_softmax_rows(src.raw, dst.raw, src.isBF16 ? 1 : 0, columns, rows.lowerBound, rows.upperBound)
    }
    public static func rmsNormRows(_ src: ElementPointer, _ dst: ElementPointer, weight: ElementPointer?, columns: Int,
                                   eps: Float, roundBeforeWeight: Bool, rows: Range<Int>) {
        precondition(weight.map { !$0.isBF16 } ?? true, "RMSNorm weights reach the kernels as f32")
        cs_avx512_rms_norm_rows(src.raw, dst.raw, src.isBF16 ? 1 : 0, weight.map { UnsafePointer($0.raw.assumingMemoryBound(to: Float.self)) },
                                columns, eps, roundBeforeWeight ? 1 : 0, rows.lowerBound, rows.upperBound)
    }
    public static func meanInvStd(_ src: ElementPointer, base: Int, count: Int, eps: Float) -> (mean: Float, invStd: Float) {
        var mean: Float = 0, inv: Float = 0
        cs_avx512_mean_inv_std(src.raw, src.isBF16 ? 1 : 0, base, count, eps, &mean, &inv)
        return (mean, inv)
    }
    public static func scaleShift(_ src: ElementPointer, _ dst: ElementPointer, base: Int, count: Int, scale: Float, shift: Float) {
        cs_avx512_scale_shift(src.raw, dst.raw, src.isBF16 ? 1 : 0, base, count, scale, shift)
    }
    public static func binaryRow(_ kind: BinaryKernel, _ a: ElementPointer, _ oa: Int, _ ia: Int, _ b: ElementPointer, _ ob: Int, _ ib: Int,
                                 _ o: ElementPointer, _ oo: Int, _ n: Int) {
        let k: Int32 = kind == .add ? Int32(CS_ADD) : kind == .sub ? Int32(CS_SUB) : Int32(CS_MUL)
        cs_avx512_binary_row(k, a.raw, a.isBF16 ? 1 : 0, oa, Int32(ia), b.raw, b.isBF16 ? 1 : 0, ob, Int32(ib),
                             o.raw, o.isBF16 ? 1 : 0, oo, n)
    }
    public static func toBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        cs_avx512_f32_to_bf16(src, dst, count)
    }
    public static func transpose(_ src: UnsafeRawPointer, srcRowStride: Int, _ dst: UnsafeMutableRawPointer, dstRowStride: Int,
                                 rows: Int, cols: Int, elementSize: Int) {
        precondition(elementSize == 4 || elementSize == 2, "transpose: element size \(elementSize)")
        cs_avx512_transpose(src, srcRowStride, dst, dstRowStride, rows, cols, Int32(elementSize))
    }
}

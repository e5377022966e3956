// One set of the memory-bound kernels, for one instruction set: `PortableKernels` (the Swift
// bodies of KernelBodies.swift, compiled for the build's baseline, SSE2 on x86-64) and
// `AVX512Kernels` (the same kernels in C with AVX-512 target attributes). ClearTensor chooses one
// at run time from the CPU's features (KernelDispatch.swift).

public protocol KernelSet: Sendable {
    /// Short name for logs and benchmarks ("portable", "avx512").
    static var name: String { get }
    /// True when this set is worth preferring to oneDNN's JIT for the exp-heavy ops.
    static var wide: Bool { get }
    static func activation(_ act: ActivationKernel, _ src: ElementPointer, _ dst: ElementPointer, _ range: Range<Int>)
    static func softmaxRows(_ src: ElementPointer, _ dst: ElementPointer, columns: Int, rows: Range<Int>)
    static func rmsNormRows(_ src: ElementPointer, _ dst: ElementPointer, weight: ElementPointer?, columns: Int,
                            eps: Float, roundBeforeWeight: Bool, rows: Range<Int>)
    static func meanInvStd(_ src: ElementPointer, base: Int, count: Int, eps: Float) -> (mean: Float, invStd: Float)
    static func scaleShift(_ src: ElementPointer, _ dst: ElementPointer, base: Int, count: Int, scale: Float, shift: Float)
    static func binaryRow(_ kind: BinaryKernel, _ a: ElementPointer, _ oa: Int, _ ia: Int, _ b: ElementPointer, _ ob: Int, _ ib: Int,
                          _ o: ElementPointer, _ oo: Int, _ n: Int)
    /// dst[i] = bf16 bits of src[i] (round to nearest even, NaN kept quiet), i < count.
    static func toBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int)
}

/// The kernels compiled for the baseline of the build (every x86-64 CPU).
public enum PortableKernels: KernelSet {
    public static let name = "portable"
    public static let wide = false
    public static func activation(_ act: ActivationKernel, _ src: ElementPointer, _ dst: ElementPointer, _ range: Range<Int>) {
        KernelBodies.activation(act, src, dst, range)
    }
    public static func softmaxRows(_ src: ElementPointer, _ dst: ElementPointer, columns: Int, rows: Range<Int>) {
        KernelBodies.softmaxRows(src, dst, columns: columns, rows: rows)
    }
    public static func rmsNormRows(_ src: ElementPointer, _ dst: ElementPointer, weight: ElementPointer?, columns: Int,
                                   eps: Float, roundBeforeWeight: Bool, rows: Range<Int>) {
        KernelBodies.rmsNormRows(src, dst, weight: weight, columns: columns, eps: eps, roundBeforeWeight: roundBeforeWeight, rows: rows)
    }
    public static func meanInvStd(_ src: ElementPointer, base: Int, count: Int, eps: Float) -> (mean: Float, invStd: Float) {
        KernelBodies.meanInvStd(src, base: base, count: count, eps: eps)
    }
    public static func scaleShift(_ src: ElementPointer, _ dst: ElementPointer, base: Int, count: Int, scale: Float, shift: Float) {
        KernelBodies.scaleShift(src, dst, base: base, count: count, scale: scale, shift: shift)
    }
    public static func binaryRow(_ kind: BinaryKernel, _ a: ElementPointer, _ oa: Int, _ ia: Int, _ b: ElementPointer, _ ob: Int, _ ib: Int,
                                 _ o: ElementPointer, _ oo: Int, _ n: Int) {
        KernelBodies.binaryRow(kind, a, oa, ia, b, ob, ib, o, oo, n)
    }
    public static func toBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        var i = 0
        while i + 16 <= count {
            let r = roundedBF16Bits(VMath.load(src + i)) &>> 16
            UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: r), as: SIMD16<UInt16>.self)
            i += 16
        }
        if i < count { VMath.storePartial(VMath.loadPartial(src + i, count - i), dst + i, count - i) }
    }
}

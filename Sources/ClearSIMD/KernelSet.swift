// One set of the memory-bound kernels, for one instruction set: `PortableKernels` (Swift, compiled
// for the build's baseline, SSE2 on x86-64) and `AVX512Kernels` (the same kernels in C with
// AVX-512 target attributes). ClearTensor chooses one at run time from the CPU's features
// (KernelDispatch.swift).

public enum BinaryKernel: Sendable { case add, sub, mul }

public enum ActivationKernel: Sendable { case silu, sigmoid, relu, geluTanh }

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
    /// Transposes a rows × cols block of `elementSize`-byte elements (4 or 2):
    /// dst[j·dstRowStride + i] = src[i·srcRowStride + j] for i < rows, j < cols (strides in elements).
    static func transpose(_ src: UnsafeRawPointer, srcRowStride: Int, _ dst: UnsafeMutableRawPointer, dstRowStride: Int,
                          rows: Int, cols: Int, elementSize: Int)
}

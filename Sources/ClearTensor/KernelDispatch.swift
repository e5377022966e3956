// Chooses, once per process, which set of the memory-bound kernels the ops call: the AVX-512 C
// builds (ClearSIMD.AVX512Kernels) when the CPU has AVX-512 F/BW/VL/DQ, else the portable Swift
// kernels (ClearSIMD.PortableKernels). `CLEARSUB_SIMD=portable` forces the portable set. Also which
// build of the lite engine's background-plate kernels runs (`plateBuild`) and whether its AVX2
// kernels may (`avx2Allowed`).
import ClearSIMD
import Foundation

public enum KernelDispatch {
    /// The set chosen for this CPU (or the one a test has put in place with `using`).
    static var active: any KernelSet.Type { override ?? detected }

    /// Name of the active set: "avx512" or "portable".
    public static var activeName: String { active.name }

    /// Every set this CPU can run, portable first.
    public static var runnable: [any KernelSet.Type] { cpuSupportsWide ? [PortableKernels.self, AVX512Kernels.self] : [PortableKernels.self] }

    /// Runs `body` with `set` as the active kernel set (tests compare the sets this way).
    public static func using<R>(_ set: any KernelSet.Type, _ body: () throws -> R) rethrows -> R {
        try $override.withValue(set, operation: body)
    }

    @TaskLocal static var override: (any KernelSet.Type)?

    static let detected: any KernelSet.Type = {
        if ProcessInfo.processInfo.environment["CLEARSUB_SIMD"] == "portable" { return PortableKernels.self }
        return cpuSupportsWide ? AVX512Kernels.self : PortableKernels.self
    }()

    /// True when the CPU runs AVX-512 F/BW/VL/DQ (CPUID and OS state, checked by the C side).
    public static var cpuSupportsWide: Bool { AVX512Kernels.usable }

    /// The build of the background-plate kernels the lite engine runs (or the one a test has put in
    /// place with `usingPlateBuild`): the AVX-512 build where that kernel set is active, else the
    /// AVX2 build where the CPU has AVX2 and `CLEARSUB_SIMD=portable` is not set, else the Swift
    /// loops. Every build gives the same bits.
    public static var plateBuild: PlateKernelBuild {
        if let plateOverride { return plateOverride }
        if active == AVX512Kernels.self { return .avx512 }
        return avx2Allowed ? .avx2 : .swift
    }

    /// Runs `body` with `build` as the plate kernels' build (tests compare the builds this way).
    public static func usingPlateBuild<R>(_ build: PlateKernelBuild, _ body: () throws -> R) rethrows -> R {
        precondition(build.usable, "KernelDispatch: the \(build) plate build cannot run on this CPU")
        return try $plateOverride.withValue(build, operation: body)
    }

    @TaskLocal static var plateOverride: PlateKernelBuild?

    /// The AVX2 kernels (`AVX2Kernels`) may run: the CPU has AVX2 and FMA, and `CLEARSUB_SIMD=portable`
    /// is not set.
    public static let avx2Allowed: Bool =
        ProcessInfo.processInfo.environment["CLEARSUB_SIMD"] != "portable" && AVX2Kernels.usable
}

extension ElementPointer {
    init(_ t: Tensor, split: Bool = false) { self.init(raw: t.raw, isBF16: t.dtype == .bf16, split: split) }
}

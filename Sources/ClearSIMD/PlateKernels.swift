// The lite engine's background-plate kernels in C (CKernels/plate_kernels.h), built for AVX-512 and
// for AVX2: `BackgroundPlate.record`'s per-pixel step and `BackgroundPlate.blockCounts`' pixel pass,
// integer arithmetic, bit for bit the same as the Swift loops in ClearLite/BackgroundPlate.swift
// (BackgroundPlateTests compares every build this CPU runs with them). ClearTensor's
// KernelDispatch chooses the build (`plateBuild`).
import CKernels

/// Which build of the background-plate kernels runs: the Swift loops, or a C build.
public enum PlateKernelBuild: String, Sendable, CaseIterable {
    case swift, avx2, avx512

    /// The CPU runs this build.
    public var usable: Bool {
        switch self {
        case .swift: return true
        case .avx2: return AVX2Kernels.usable
        case .avx512: return AVX512Kernels.usable
        }
    }
}

public enum PlateKernels {
    /// `BackgroundPlate.record`'s step for the pixels in `range` (`build` is .avx2 or .avx512).
    public static func record(_ build: PlateKernelBuild, range: Range<Int>, src: UnsafePointer<UInt8>, near: UnsafePointer<UInt8>,
                              rgb: UnsafeMutablePointer<UInt8>, known: UnsafeMutablePointer<UInt8>,
                              anchor: UnsafeMutablePointer<UInt8>, run: UnsafeMutablePointer<UInt8>,
                              last: UnsafeMutablePointer<Int16>, mean: UnsafeMutablePointer<UInt16>,
                              seen: UnsafeMutablePointer<Int32>?, changed: UnsafeMutablePointer<Int32>?,
                              weights: UnsafePointer<Int32>, need: Int, tolerance: Int, holdRun: Int, limit: Int,
                              moved: Int, now: Int32) {
        precondition(build != .swift && build.usable, "PlateKernels.record: the \(build) build cannot run here")
        let f = build == .avx512 ? cs_avx512_plate_record : cs_avx2_plate_record
        f(range.lowerBound, range.upperBound, src, near, rgb, known, anchor, run, last, mean, seen, changed,
          weights, Int32(need), Int32(tolerance), Int32(holdRun), Int32(limit), Int32(moved), now)
    }

    /// `BackgroundPlate.blockCounts`' pixel pass over `count` blocks (`build` is .avx2 or .avx512).
    public static func blockCounts(_ build: PlateKernelBuild, blocks: UnsafePointer<Int32>, count: Int, blocksPerRow: Int, block: Int,
                                   width: Int, height: Int, frame: UnsafePointer<UInt8>, plate: UnsafePointer<UInt8>,
                                   near: UnsafePointer<UInt8>, known: UnsafePointer<UInt8>, tolerance: Int,
                                   changed: UnsafePointer<Int32>?, earliest: Double,
                                   same: UnsafeMutablePointer<Int32>, n: UnsafeMutablePointer<Int32>,
                                   list: UnsafeMutablePointer<Int32>?, listCount: UnsafeMutablePointer<Int32>?) {
        precondition(build != .swift && build.usable, "PlateKernels.blockCounts: the \(build) build cannot run here")
        let f = build == .avx512 ? cs_avx512_plate_block_counts : cs_avx2_plate_block_counts
        f(blocks, count, blocksPerRow, block, width, height, frame, plate, near, known, Int32(tolerance),
          changed, earliest, same, n, list, listCount)
    }
}

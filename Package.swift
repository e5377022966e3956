// swift-tools-version:6.0
// clearsub — mask-free video subtitle removal (a Swift implementation of CLEAR, arXiv 2603.21901).
// Layout follows shared/design.md §2: one target per layer, one system-library target per C library.
import Foundation
import PackageDescription

// Opt-in CPU-specific code generation for the Swift kernels of the Tensor layer:
// CLEARSUB_TARGET_CPU=native (or znver4, skylake-avx512, …) compiles ClearTensor for that CPU and
// defines CLEARSUB_WIDE_SIMD, which routes the exp-heavy elementwise ops (SiLU, GELU, softmax) to
// the Swift SIMD kernels instead of oneDNN. Unset (the default), the build is portable x86-64 and
// those ops use oneDNN's runtime-dispatched JIT kernels. The binary then only runs on CPUs with
// the chosen instruction set.
let targetCPU = ProcessInfo.processInfo.environment["CLEARSUB_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 }
let tensorSettings: [SwiftSetting] = targetCPU.map { [.unsafeFlags(["-target-cpu", $0]), .define("CLEARSUB_WIDE_SIMD")] } ?? []

let package = Package(
    name: "clearsub",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "clearsub", targets: ["clearsub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries (Debian: libdnnl-dev, libass-dev).
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CLibass", path: "Sources/CLibass", pkgConfig: "libass",
                       providers: [.apt(["libass-dev"])]),

        // Layers, bottom to top.
        .target(name: "ClearTensor", dependencies: ["CDNNL"], swiftSettings: tensorSettings),
        .target(name: "ClearWeights", dependencies: ["ClearTensor"]),
        .target(name: "ClearMedia"),
        .target(name: "ClearSubtitles", dependencies: ["CLibass", "ClearMedia"]),
        .target(name: "ClearMetrics", dependencies: ["ClearMedia"]),
        .target(name: "ClearPipeline", dependencies: ["ClearMedia"]),
        .target(name: "ClearWan", dependencies: ["ClearTensor", "ClearWeights", "ClearPipeline"]),
        .target(name: "ClearLite", dependencies: ["ClearTensor", "ClearWeights", "ClearMedia", "ClearPipeline", "ClearSubtitles"], resources: [.copy("Weights")]),
        .executableTarget(name: "clearsub", dependencies: [
            "ClearTensor", "ClearWeights", "ClearMedia", "ClearSubtitles", "ClearMetrics", "ClearPipeline",
            "ClearWan",
            "ClearLite",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "ClearTensorTests", dependencies: ["ClearTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearWeightsTests", dependencies: ["ClearWeights", "ClearTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearMediaTests", dependencies: ["ClearMedia"]),
        .testTarget(name: "ClearSubtitlesTests", dependencies: ["ClearSubtitles", "ClearMedia"]),
        .testTarget(name: "ClearMetricsTests", dependencies: ["ClearMetrics", "ClearMedia"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearPipelineTests", dependencies: ["ClearPipeline", "ClearMedia"]),
        .testTarget(name: "ClearWanTests", dependencies: ["ClearWan", "ClearTensor", "ClearWeights"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearLiteTests", dependencies: ["ClearLite", "ClearMedia", "ClearPipeline", "ClearTensor"]),
        .testTarget(name: "CLITests", dependencies: ["clearsub", "ClearMedia"]),
    ]
)

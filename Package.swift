// swift-tools-version:6.0
// clearsub — mask-free video subtitle removal (a Swift implementation of CLEAR, arXiv 2603.21901).
// Layout follows shared/design.md §2: one target per layer, one system-library target per C library.
import Foundation
import PackageDescription

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
        // Memory-bound kernels: portable Swift, plus C builds of the same kernels with AVX-512
        // target attributes (and AVX2 builds of a few of the lite engine's), chosen at run time
        // (ClearTensor/KernelDispatch.swift).
        .target(name: "CKernels"),
        .target(name: "ClearSIMD", dependencies: ["CKernels"]),
        .target(name: "ClearTensor", dependencies: ["CDNNL", "ClearSIMD"]),
        .target(name: "ClearWeights", dependencies: ["ClearTensor"]),
        .target(name: "ClearMedia"),
        .target(name: "ClearSubtitles", dependencies: ["CLibass", "ClearMedia"]),
        .target(name: "ClearMetrics", dependencies: ["ClearMedia"]),
        .target(name: "ClearPipeline", dependencies: ["ClearMedia"]),
        .target(name: "ClearWan", dependencies: ["ClearTensor", "ClearWeights", "ClearPipeline"]),
        .target(name: "ClearLite", dependencies: ["ClearSIMD", "ClearTensor", "ClearWeights", "ClearMedia", "ClearPipeline", "ClearSubtitles", "ClearMetrics"], resources: [.copy("Weights")]),
        .executableTarget(name: "clearsub", dependencies: [
            "ClearTensor", "ClearWeights", "ClearMedia", "ClearSubtitles", "ClearMetrics", "ClearPipeline",
            "ClearWan",
            "ClearLite",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "ClearTensorTests", dependencies: ["ClearTensor", "ClearSIMD"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearWeightsTests", dependencies: ["ClearWeights", "ClearTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearMediaTests", dependencies: ["ClearMedia"]),
        .testTarget(name: "ClearSubtitlesTests", dependencies: ["ClearSubtitles", "ClearMedia"]),
        .testTarget(name: "ClearMetricsTests", dependencies: ["ClearMetrics", "ClearMedia"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearPipelineTests", dependencies: ["ClearPipeline", "ClearMedia"]),
        .testTarget(name: "ClearWanTests", dependencies: ["ClearWan", "ClearTensor", "ClearWeights"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClearLiteTests", dependencies: ["ClearLite", "ClearSIMD", "ClearMedia", "ClearPipeline", "ClearTensor", "ClearSubtitles"]),
        .testTarget(name: "CLITests", dependencies: ["clearsub", "ClearMedia", "ClearLite"]),
    ]
)

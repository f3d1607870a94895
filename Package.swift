// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (arrows point down only):
//   CKernels -> Kernels -> ModelFiles -> Tokenization -> Models -> Generation -> muse (CLI)
// Engine modules import no server or networking package.
let package = Package(
    name: "MuseSpark",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "muse", targets: ["muse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Quantized and FP32 hot loops in C: per-function AVX2/FMA/F16C with runtime dispatch
        // and a scalar twin for each (Swift never emits vpmaddubsw; see README "Performance").
        .target(name: "CKernels", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "Kernels", dependencies: ["CKernels"]),
        .target(name: "ModelFiles", dependencies: ["Kernels"]),
        .target(name: "Tokenization", dependencies: ["ModelFiles"]),
        .target(name: "Models", dependencies: ["Kernels", "ModelFiles", "Tokenization"]),
        .target(name: "Generation", dependencies: ["Kernels", "Models", "Tokenization"]),
        .executableTarget(
            name: "muse",
            dependencies: [
                "Generation", "Models", "ModelFiles", "Tokenization", "Kernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Seeded test inputs and the installed model's path, shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels", "TestSupport"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "Kernels", "TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "ModelFiles", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFiles", "Kernels", "Tokenization", "TestSupport"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Models", "Tokenization", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)

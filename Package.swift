// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (arrows point down only):
//   CKernels -> Kernels -> ModelFiles -> Tokenization -> Models -> Generation -> Server -> muse (CLI)
//   CSQLite, CPostgres -> Storage -> PartnerAccess -> Server
//   Imaging (image codecs, OCR) -> Vision (EfficientNet tagger, ViT + projector) -> Server
//   Storage -> Shopping (recommender) -> Server
// Engine modules import no server or networking package; only Server and muse see Hummingbird.
// Storage and the product modules (PartnerAccess, ...) are plain Swift: no server types.
let package = Package(
    name: "MuseSpark",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "muse", targets: ["muse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
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
        // The system's SQLite and libpq (Debian's libsqlite3-dev, libpq-dev; installed by scripts/setup.sh).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // One SQL store, SQLite embedded by default or PostgreSQL shared by replicas, with migrations.
        .target(name: "Storage", dependencies: ["CSQLite", "CPostgres"]),
        // Partner keys (hashed), per-key rate limits and the usage ledger, on Storage.
        .target(name: "PartnerAccess", dependencies: ["Storage", .product(name: "Crypto", package: "swift-crypto")]),
        // Nutri-Score 2023, NOVA and product nutrition facts (plain Swift; the seeing issue builds on it).
        .target(name: "Nutrition"),
        // OpenID Connect sign-in: discovery, PKCE, ID-token validation against the provider's JWKS.
        .target(name: "Identity", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Images in: JPEG/PNG/WebP decoding with the system's codecs, EXIF orientation, limits, OCR bridge.
        .target(name: "Imaging"),
        // Perception models on images: the EfficientNet-Lite0 tagger, the ViT/SigLIP encoder + projector.
        .target(name: "Vision", dependencies: ["Kernels", "ModelFiles", "Imaging"]),
        // Shopping mode: catalogue, creators, communities, follows, the recommender (plain Swift, on Storage).
        .target(name: "Shopping", dependencies: ["Storage"]),
        // Evaluation suites, scorers, statistics and reports (plain Swift; `muse eval` runs them over HTTP).
        .target(name: "Evaluation", dependencies: ["Nutrition", .product(name: "Crypto", package: "swift-crypto")]),
        // The OpenAI-compatible HTTP API: one scheduler owns the model, routes speak OpenAI's JSON.
        .target(
            name: "Server",
            dependencies: [
                "Generation", "Models", "ModelFiles", "Tokenization", "PartnerAccess", "Storage",
                "Imaging", "Vision", "Shopping", "Nutrition",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "muse",
            dependencies: [
                "Generation", "Models", "ModelFiles", "Tokenization", "Kernels", "Server", "PartnerAccess", "Storage", "Nutrition", "Evaluation",
                "Imaging", "Vision", "Shopping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Seeded test inputs and the installed model's path, shared by the test targets.
        .target(name: "TestSupport", dependencies: ["Storage"], path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels", "TestSupport"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "Kernels", "TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "ModelFiles", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFiles", "Kernels", "Tokenization", "TestSupport"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Models", "Tokenization", "Kernels", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: []),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "PartnerAccess", "TestSupport"]),
        .testTarget(name: "NutritionTests", dependencies: ["Nutrition"]),
        // TestOIDCProvider (a loopback OpenID provider) runs on Hummingbird, in the tests only.
        .testTarget(name: "IdentityTests", dependencies: [
            "Identity",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Imaging", "Kernels", "ModelFiles", "TestSupport"]),
        .testTarget(name: "ShoppingTests", dependencies: ["Shopping", "Storage", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Nutrition"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Generation", "TestSupport", "PartnerAccess", "Storage", "Shopping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (arrows point down only):
//   CKernels -> Kernels -> ModelFiles -> Tokenization -> Models -> Generation -> Server -> muse (CLI)
//   CSQLite, CPostgres -> Storage -> PartnerAccess -> Server
//   Imaging (image codecs, OCR) -> Vision (EfficientNet tagger, ViT + projector) -> Server
//   Storage -> Shopping (recommender) -> Server
//   Storage -> Accounts (users, sessions, conversations, memory); Identity (OpenID Connect) -> Server
//   Storage -> Messaging (WhatsApp / Messenger / Instagram webhooks, outbox) -> Server
//   CEspeakNG, CPocketSphinx -> Speech (synthesis, recognition, WAV) -> Server (/v1/look)
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
        // Web accounts: users, OpenID identities, local passwords (scrypt), sessions, conversations,
        // memory, consents, export and deletion (plain Swift, on Storage).
        .target(name: "Accounts", dependencies: [
            "Storage", "Shopping",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Images in: JPEG/PNG/WebP decoding with the system's codecs, EXIF orientation, limits, OCR bridge.
        // Debian's libjpeg-turbo, libpng and libwebp behind a small C shim: libjpeg's fatal errors
        // are caught with setjmp/longjmp inside C, so a corrupt file is a status code, never an exit.
        .target(name: "CImageCodecs", linkerSettings: [
            .linkedLibrary("jpeg"), .linkedLibrary("png16"), .linkedLibrary("webp"),
        ]),
        // Debian's Tesseract 5 (libtesseract-dev, with tesseract-ocr-eng) through its C API.
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev"])]),
        .target(name: "Imaging", dependencies: ["CImageCodecs", "CTesseract"]),
        // Perception models on images: the EfficientNet-Lite0 tagger, the ViT/SigLIP encoder + projector.
        .target(name: "Vision", dependencies: ["Kernels", "ModelFiles", "Imaging"]),
        // Shelf photos ranked by nutrition: the product catalogue (on Storage), OCR text grouped
        // into packs, catalogue matching, Nutri-Score ranking, and the evaluation on a generated set.
        .target(name: "Shelf", dependencies: ["Imaging", "Nutrition", "Storage"]),
        // Shopping mode: catalogue, creators, communities, follows, the recommender (plain Swift, on Storage).
        .target(name: "Shopping", dependencies: ["Storage"]),
        // Messaging surfaces: Meta webhook payloads, signatures, de-duplication, the persistent outbox.
        .target(name: "Messaging", dependencies: ["Storage", .product(name: "Crypto", package: "swift-crypto")]),
        // espeak-ng's C API (Debian's libespeak-ng-dev): synthesis to WAV, sentence by sentence.
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        // pocketsphinx's C API (Debian 12's libpocketsphinx-dev, 5prealpha, with pocketsphinx-en-us): recognition.
        .systemLibrary(name: "CPocketSphinx", pkgConfig: "pocketsphinx", providers: [.apt(["libpocketsphinx-dev"])]),
        .target(name: "Speech", dependencies: ["CEspeakNG", "CPocketSphinx"]),
        // Evaluation suites, scorers, statistics and reports (plain Swift and a SwiftNIO HTTP client; `muse eval` runs them over HTTP).
        .target(name: "Evaluation", dependencies: [
            "Nutrition", "Shelf", "Shopping", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The OpenAI-compatible HTTP API: one scheduler owns the model, routes speak OpenAI's JSON.
        .target(
            name: "Server",
            dependencies: [
                "Generation", "Models", "ModelFiles", "Tokenization", "PartnerAccess", "Storage",
                "Imaging", "Vision", "Shopping", "Nutrition", "Messaging", "Shelf", "Accounts", "Identity", "Speech", "Evaluation",
                .product(name: "Crypto", package: "swift-crypto"),
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
                "Imaging", "Vision", "Shopping", "Messaging", "Shelf", "Speech", "Accounts", "Identity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Seeded test inputs and the installed model's path, shared by the test targets.
        // FakeGraphAPI (Meta's Graph API on loopback, for the messaging tests) runs on Hummingbird.
        .target(name: "TestSupport", dependencies: [
            "Storage", "Kernels", "ModelFiles",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels", "TestSupport"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "Kernels", "TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "ModelFiles", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFiles", "Kernels", "Tokenization", "TestSupport"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Models", "ModelFiles", "Tokenization", "Kernels", "TestSupport"]),
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
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Shopping", "Storage", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], exclude: ["Fixtures"]),
        .testTarget(name: "ShelfTests", dependencies: ["Shelf", "Imaging", "Nutrition", "Storage", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Imaging", "Kernels", "ModelFiles", "TestSupport"]),
        .testTarget(name: "ShoppingTests", dependencies: ["Shopping", "Storage", "TestSupport"]),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "Storage", "TestSupport"]),
        .testTarget(name: "SpeechTests", dependencies: ["Speech"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Nutrition", "Shelf", "Shopping"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Generation", "TestSupport", "PartnerAccess", "Storage", "Shelf", "Messaging", "Tokenization", "Accounts", "Shopping",
                "Models", "Vision", "ModelFiles", "Kernels", "Speech", "Nutrition", "Evaluation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

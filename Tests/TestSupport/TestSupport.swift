import Foundation

/// SplitMix64: a small seeded generator, so every test run sees the same inputs.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where scripts/setup.sh installs the default model: `$MUSE_MODEL`, else
/// `$MUSE_CACHE/models/...` with MUSE_CACHE defaulting to ~/.cache/muse.
public enum TestModel {
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["MUSE_MODEL"], !path.isEmpty { return path }
        return modelsFolder + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// The second architecture's file (Gemma 3 270M Q4_K_M), installed by scripts/setup.sh.
    public static var gemma3Path: String { modelsFolder + "/gemma-3-270m-q4_k_m.gguf" }

    /// The image tagger's folder (EfficientNet-Lite0 safetensors and ImageNet class names).
    public static var efficientNetFolder: String { modelsFolder + "/efficientnet-lite0" }

    /// Sample photos scripts/setup.sh extracts from the scikit-image wheel (chelsea.png, coffee.png).
    public static var testImagesFolder: String { cacheFolder + "/test-images" }

    static var modelsFolder: String { cacheFolder + "/models" }

    static var cacheFolder: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/muse"
    }
}

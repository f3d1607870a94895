import ModelFiles

/// How the encoder's patch features become language-model embeddings.
public enum VisionProjector: Sendable, Equatable {
    /// SmolVLM/Idefics3: pixel shuffle (each `scaleFactor` x `scaleFactor` patch square
    /// concatenated into one token), then one linear layer without bias (`mm.model.fc.weight`).
    case pixelShuffle(scaleFactor: Int)
    /// LLaVA: linear, GELU, linear on every patch (`mm.0.*`, `mm.2.*`).
    case mlp
}

/// The feed-forward activation of the encoder blocks.
public enum VisionActivation: Sendable, Equatable {
    /// tanh-approximated GELU (SigLIP's gelu_pytorch_tanh; llama.cpp's `clip.use_gelu = true`).
    case gelu
    /// x * sigmoid(1.702 x) (OpenAI CLIP's quick_gelu; llama.cpp's default).
    case quickGelu
}

/// A ViT/SigLIP encoder's hyper-parameters, read from a llama.cpp "mmproj" GGUF file's metadata
/// (keys as written by llama.cpp's converters, tools/mtmd/clip-impl.h).
public struct VisionEncoderConfiguration: Sendable, Equatable {
    public let imageSize: Int
    public let patchSize: Int
    public let embeddingLength: Int
    public let feedForwardLength: Int
    public let blockCount: Int
    public let headCount: Int
    public let layerNormEpsilon: Float
    public let imageMean: [Float]
    public let imageStd: [Float]
    public let activation: VisionActivation
    public let projector: VisionProjector

    public var gridSize: Int { imageSize / patchSize }
    public var patchCount: Int { gridSize * gridSize }
    public var headDimension: Int { embeddingLength / headCount }

    /// Embeddings an image becomes: one per patch, or one per pixel-shuffled square.
    public var outputTokens: Int {
        switch projector {
        case .mlp: return patchCount
        case .pixelShuffle(let s): return patchCount / (s * s)
        }
    }

    enum Key {
        static let projectorType = "clip.projector_type", hasVision = "clip.has_vision_encoder"
        static let useGelu = "clip.use_gelu"
        static let embedding = "clip.vision.embedding_length", feedForward = "clip.vision.feed_forward_length"
        static let blocks = "clip.vision.block_count", heads = "clip.vision.attention.head_count"
        static let epsilon = "clip.vision.attention.layer_norm_epsilon"
        static let imageSize = "clip.vision.image_size", patchSize = "clip.vision.patch_size"
        static let mean = "clip.vision.image_mean", std = "clip.vision.image_std"
        static let scaleFactor = "clip.vision.projector.scale_factor"
    }

    init(file: GGUFFile) throws(VisionError) {
        do {
            if file.metadata[Key.hasVision] != nil, try !file.bool(Key.hasVision) {
                throw VisionError.invalidConfiguration("the file has no vision encoder (\(Key.hasVision) is false)")
            }
            let type = try file.string(Key.projectorType)
            switch type {
            case "idefics3": projector = .pixelShuffle(scaleFactor: try file.int(Key.scaleFactor))
            case "mlp": projector = .mlp
            default: throw VisionError.invalidConfiguration("projector type '\(type)' (supported: idefics3, mlp)")
            }
            let useGelu = file.metadata[Key.useGelu] == nil ? false : try file.bool(Key.useGelu)
            activation = useGelu ? .gelu : .quickGelu
            embeddingLength = try file.int(Key.embedding)
            feedForwardLength = try file.int(Key.feedForward)
            blockCount = try file.int(Key.blocks)
            headCount = try file.int(Key.heads)
            layerNormEpsilon = Float(try file.float(Key.epsilon))
            imageSize = try file.int(Key.imageSize)
            patchSize = try file.int(Key.patchSize)
            imageMean = try file.floatArray(Key.mean)
            imageStd = try file.floatArray(Key.std)
        } catch let error as VisionError {
            throw error
        } catch let error as ModelFileError {
            throw .file(error)
        } catch {
            throw .invalidConfiguration("\(error)")
        }
        try validate()
    }

    private func validate() throws(VisionError) {
        guard embeddingLength > 0, feedForwardLength > 0, blockCount > 0, headCount > 0,
              embeddingLength % headCount == 0 else {
            throw .invalidConfiguration("embedding \(embeddingLength), feed-forward \(feedForwardLength), "
                                        + "\(blockCount) blocks, \(headCount) heads")
        }
        guard patchSize > 0, imageSize >= patchSize, imageSize % patchSize == 0 else {
            throw .invalidConfiguration("image size \(imageSize) is not a whole number of \(patchSize)-pixel patches")
        }
        guard imageMean.count == 3, imageStd.count == 3, imageStd.allSatisfy({ $0 > 0 }),
              layerNormEpsilon > 0 else {
            throw .invalidConfiguration("image mean/std need 3 values (std positive) and epsilon must be positive")
        }
        if case .pixelShuffle(let s) = projector, s < 1 || gridSize % s != 0 {
            throw .invalidConfiguration("a \(gridSize)x\(gridSize) patch grid cannot be shuffled by \(s)")
        }
    }
}

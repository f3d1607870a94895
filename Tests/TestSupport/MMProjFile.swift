import Kernels
import ModelFiles

/// A small llama.cpp "mmproj" GGUF file's hyper-parameters and metadata, as llama.cpp's converter
/// writes them, for tests that need a vision encoder (VisionTests against the NumPy reference,
/// ServerTests feeding images to the default text model).
public struct MMProjShape: Sendable {
    public var projector: String          // "idefics3" or "mlp"
    public var imageSize: Int, patchSize: Int
    public var embedding: Int, heads: Int, feedForward: Int, blocks: Int
    public var epsilon: Float
    public var useGelu: Bool
    public var scaleFactor: Int?          // idefics3's pixel shuffle
    public var imageMean: [Float], imageStd: [Float]

    public init(projector: String, imageSize: Int, patchSize: Int, embedding: Int, heads: Int, feedForward: Int,
                blocks: Int, epsilon: Float, useGelu: Bool, scaleFactor: Int?, imageMean: [Float], imageStd: [Float]) {
        self.projector = projector
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.embedding = embedding
        self.heads = heads
        self.feedForward = feedForward
        self.blocks = blocks
        self.epsilon = epsilon
        self.useGelu = useGelu
        self.scaleFactor = scaleFactor
        self.imageMean = imageMean
        self.imageStd = imageStd
    }

    /// The `clip.*` keys llama.cpp reads (tools/mtmd/clip-impl.h).
    public func writeMetadata(into writer: inout GGUFWriter, projectorType: String? = nil) {
        writer.set("general.architecture", .string("clip"))
        writer.set("clip.has_vision_encoder", .bool(true))
        writer.set("clip.projector_type", .string(projectorType ?? projector))
        writer.set("clip.use_gelu", .bool(useGelu))
        writer.set("clip.vision.image_size", .uint32(UInt32(imageSize)))
        writer.set("clip.vision.patch_size", .uint32(UInt32(patchSize)))
        writer.set("clip.vision.embedding_length", .uint32(UInt32(embedding)))
        writer.set("clip.vision.feed_forward_length", .uint32(UInt32(feedForward)))
        writer.set("clip.vision.block_count", .uint32(UInt32(blocks)))
        writer.set("clip.vision.attention.head_count", .uint32(UInt32(heads)))
        writer.set("clip.vision.attention.layer_norm_epsilon", .float32(epsilon))
        writer.set("clip.vision.image_mean", .array(.float32, imageMean.map { .float32($0) }))
        writer.set("clip.vision.image_std", .array(.float32, imageStd.map { .float32($0) }))
        if let scaleFactor { writer.set("clip.vision.projector.scale_factor", .uint32(UInt32(scaleFactor))) }
    }

    /// A whole Idefics3 (SmolVLM) mmproj file with seeded random F32 weights whose projector makes
    /// `outputWidth`-wide embeddings; weights scaled by `scale` / sqrt(inputs), so the rows stay
    /// about as large as a text model's token embeddings.
    public func randomIdefics3File(outputWidth: Int, seed: UInt64, scale: Float = 0.05) throws -> [UInt8] {
        var random = SeededGenerator(seed: seed)
        var writer = GGUFWriter()
        writeMetadata(into: &writer, projectorType: "idefics3")
        let e = embedding, p = patchSize, patches = (imageSize / patchSize) * (imageSize / patchSize)
        let s = scaleFactor ?? 1
        func add(_ name: String, _ dimensions: [Int], fill: Float? = nil) throws {
            let count = dimensions.reduce(1, *)
            let spread = scale / Float(dimensions[0]).squareRoot()
            let values = (0..<count).map { _ in fill ?? Float.random(in: -spread...spread, using: &random) }
            try writer.addTensor(name: name, dimensions: dimensions, type: .f32,
                                 data: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        }
        try add("v.patch_embd.weight", [p, p, 3, e])
        try add("v.patch_embd.bias", [e])
        try add("v.position_embd.weight", [e, patches])
        for i in 0..<blocks {
            for part in ["attn_q", "attn_k", "attn_v", "attn_out"] {
                try add("v.blk.\(i).\(part).weight", [e, e])
                try add("v.blk.\(i).\(part).bias", [e])
            }
            try add("v.blk.\(i).ffn_up.weight", [e, feedForward])
            try add("v.blk.\(i).ffn_up.bias", [feedForward])
            try add("v.blk.\(i).ffn_down.weight", [feedForward, e])
            try add("v.blk.\(i).ffn_down.bias", [e])
            for norm in ["ln1", "ln2"] {
                try add("v.blk.\(i).\(norm).weight", [e], fill: 1)
                try add("v.blk.\(i).\(norm).bias", [e], fill: 0)
            }
        }
        try add("v.post_ln.weight", [e], fill: 1)
        try add("v.post_ln.bias", [e], fill: 0)
        try add("mm.model.fc.weight", [e * s * s, outputWidth])
        return writer.bytes()
    }
}

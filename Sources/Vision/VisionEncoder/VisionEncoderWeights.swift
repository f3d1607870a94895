import Kernels
import ModelFiles

/// llama.cpp's mmproj tensor names (tools/mtmd/clip-impl.h: TN_PATCH_EMBD, TN_POS_EMBD, TN_ATTN_Q,
/// TN_LN_1, TN_FFN_UP, TN_LN_PRE, TN_LN_POST, TN_LLAVA_PROJ, TN_MM_PROJECTOR), in one place.
enum VisionTensorNames {
    static let patchEmbedding = "v.patch_embd.weight", patchBias = "v.patch_embd.bias"
    static let positions = "v.position_embd.weight"
    static let preNorm = "v.pre_ln", postNorm = "v.post_ln"
    static func block(_ i: Int, _ part: String) -> String { "v.blk.\(i).\(part)" }
    static let query = "attn_q", key = "attn_k", value = "attn_v", output = "attn_out"
    static let norm1 = "ln1", norm2 = "ln2", up = "ffn_up", down = "ffn_down"
    /// Idefics3's connector projection (after the pixel shuffle).
    static let shuffleProjection = "mm.model.fc.weight"
    /// LLaVA's two-layer MLP projector (index 1 is the activation, which has no weights).
    static let mlpFirst = "mm.0", mlpSecond = "mm.2"
}

/// y = x W^T (+ b); W [out, in] in any kernel type.
struct VisionLinear: Sendable {
    let weight: WeightMatrix
    let bias: [Float]?   // [out]
}

struct VisionNorm: Sendable {
    let weight: [Float], bias: [Float]   // [embedding]
}

struct VisionBlockWeights: Sendable {
    let norm1: VisionNorm, query: VisionLinear, key: VisionLinear, value: VisionLinear, output: VisionLinear
    let norm2: VisionNorm, up: VisionLinear, down: VisionLinear
}

/// Every weight of the encoder and projector, read from an mmproj GGUF in which each tensor must be
/// used and have the expected dimensions. Matrices stay in the mapping (the file must outlive them).
struct VisionEncoderWeights: Sendable {
    let patchEmbedding: VisionLinear   // [embedding, 3 * patch * patch], columns (channel, y, x)
    let positions: [Float]             // [patches, embedding]
    let preNorm: VisionNorm?, postNorm: VisionNorm?
    let blocks: [VisionBlockWeights]
    let projector: [VisionLinear]      // applied in order, the activation between them
    /// The language model's embedding length: what each image token becomes.
    let outputDimension: Int

    init(file: GGUFFile, configuration c: VisionEncoderConfiguration) throws(VisionError) {
        typealias N = VisionTensorNames
        var binder = GGUFBinder(file: file)
        let e = c.embeddingLength, p = c.patchSize
        let patchWeight = try binder.matrix(N.patchEmbedding, rows: e, cols: 3 * p * p, dimensions: [p, p, 3, e])
        patchEmbedding = VisionLinear(weight: patchWeight, bias: try binder.optionalFloats(N.patchBias, dimensions: [e]))
        positions = try binder.floats(N.positions, dimensions: [e, c.patchCount])
        preNorm = try Self.optionalNorm(&binder, N.preNorm, e)
        var blocks: [VisionBlockWeights] = []
        for i in 0..<c.blockCount {
            func linear(_ part: String, out: Int, in inputs: Int) throws(VisionError) -> VisionLinear {
                VisionLinear(weight: try binder.matrix(N.block(i, part) + ".weight", rows: out, cols: inputs),
                             bias: try binder.floats(N.block(i, part) + ".bias", dimensions: [out]))
            }
            func norm(_ part: String) throws(VisionError) -> VisionNorm {
                VisionNorm(weight: try binder.floats(N.block(i, part) + ".weight", dimensions: [e]),
                           bias: try binder.floats(N.block(i, part) + ".bias", dimensions: [e]))
            }
            blocks.append(VisionBlockWeights(
                norm1: try norm(N.norm1), query: try linear(N.query, out: e, in: e), key: try linear(N.key, out: e, in: e),
                value: try linear(N.value, out: e, in: e), output: try linear(N.output, out: e, in: e),
                norm2: try norm(N.norm2), up: try linear(N.up, out: c.feedForwardLength, in: e),
                down: try linear(N.down, out: e, in: c.feedForwardLength)))
        }
        self.blocks = blocks
        postNorm = try Self.optionalNorm(&binder, N.postNorm, e)
        switch c.projector {
        case .pixelShuffle(let s):
            let width = e * s * s
            let textDimension = try Self.outputRows(file, N.shuffleProjection, inputs: width)
            projector = [VisionLinear(weight: try binder.matrix(N.shuffleProjection, rows: textDimension, cols: width), bias: nil)]
            outputDimension = textDimension
        case .mlp:
            let hidden = try Self.outputRows(file, N.mlpFirst + ".weight", inputs: e)
            let textDimension = try Self.outputRows(file, N.mlpSecond + ".weight", inputs: hidden)
            projector = [
                VisionLinear(weight: try binder.matrix(N.mlpFirst + ".weight", rows: hidden, cols: e),
                             bias: try binder.floats(N.mlpFirst + ".bias", dimensions: [hidden])),
                VisionLinear(weight: try binder.matrix(N.mlpSecond + ".weight", rows: textDimension, cols: hidden),
                             bias: try binder.floats(N.mlpSecond + ".bias", dimensions: [textDimension])),
            ]
            outputDimension = textDimension
        }
        try binder.finish()
    }

    private static func optionalNorm(_ binder: inout GGUFBinder, _ prefix: String, _ e: Int) throws(VisionError) -> VisionNorm? {
        guard binder.has(prefix + ".weight") || binder.has(prefix + ".bias") else { return nil }
        return VisionNorm(weight: try binder.floats(prefix + ".weight", dimensions: [e]),
                          bias: try binder.floats(prefix + ".bias", dimensions: [e]))
    }

    /// A projection's output size (the language model's width is not in the vision metadata
    /// reliably, so it is read off the matrix), once its input size is checked.
    private static func outputRows(_ file: GGUFFile, _ name: String, inputs: Int) throws(VisionError) -> Int {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions.count == 2, info.dimensions[0] == inputs, info.dimensions[1] > 0 else {
            throw .badShape(tensor: name, expected: [inputs, -1], actual: info.dimensions)
        }
        return info.dimensions[1]
    }
}

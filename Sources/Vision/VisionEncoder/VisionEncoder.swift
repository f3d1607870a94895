import Foundation
import Imaging
import Kernels
import ModelFiles

/// An image as language-model input: `tokens` embeddings of `dimension` floats, [tokens, dimension].
public struct ImageEmbeddings: Sendable, Equatable {
    public let tokens: Int
    public let dimension: Int
    public let values: [Float]
}

/// A ViT/SigLIP vision encoder and its projector, from a llama.cpp "mmproj" GGUF file (bring your
/// own weights): patch embedding (a stride-p convolution as a matmul), learned position
/// embeddings, optional pre-norm, pre-norm transformer blocks (bidirectional attention, GELU
/// MLP), optional post-norm, then the Idefics3 pixel-shuffle connector or LLaVA's MLP.
/// Matrices may be F32, F16 or quantized (the Kernels matmul); everything else runs in F32.
/// Thread-safe: each call has its own buffers.
public final class VisionEncoder: @unchecked Sendable {
    public let configuration: VisionEncoderConfiguration
    let weights: VisionEncoderWeights
    let file: GGUFFile   // keeps the mapping (and every weight pointer) alive
    let pool: ThreadPool

    public convenience init(path: String, pool: ThreadPool) throws(VisionError) {
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw .file(error) }
        try self.init(file: file, pool: pool)
    }

    public init(file: GGUFFile, pool: ThreadPool) throws(VisionError) {
        configuration = try VisionEncoderConfiguration(file: file)
        weights = try VisionEncoderWeights(file: file, configuration: configuration)
        self.file = file
        self.pool = pool
    }

    /// The language model's embedding length the projector produces.
    public var outputDimension: Int { weights.outputDimension }

    /// The image's embeddings, the whole image resized to imageSize x imageSize first (one
    /// view; llama.cpp's Idefics3 preprocessing adds tiles, which callers can encode as images).
    public func encode(_ image: RGBImage) throws(VisionError) -> ImageEmbeddings {
        let c = configuration, n = c.patchCount, e = c.embeddingLength
        let image = try image.fitted(to: c.imageSize)
        let math = VisionMath(pool: pool)
        var h = try math.linear(weights.patchEmbedding, patches(image), rows: n)   // [patches, embedding]
        for i in h.indices { h[i] += weights.positions[i] }
        if let norm = weights.preNorm { math.layerNorm(&h, rows: n, norm, eps: c.layerNormEpsilon) }
        for block in weights.blocks {
            var y = h
            math.layerNorm(&y, rows: n, block.norm1, eps: c.layerNormEpsilon)
            let q = try math.linear(block.query, y, rows: n), k = try math.linear(block.key, y, rows: n)
            let v = try math.linear(block.value, y, rows: n)
            let attended = try math.attention(q: q, k: k, v: v, tokens: n, heads: c.headCount, headDimension: c.headDimension)
            math.addInPlace(&h, try math.linear(block.output, attended, rows: n))
            y = h
            math.layerNorm(&y, rows: n, block.norm2, eps: c.layerNormEpsilon)
            var inner = try math.linear(block.up, y, rows: n)
            math.activate(&inner, c.activation)
            math.addInPlace(&h, try math.linear(block.down, inner, rows: n))
        }
        if let norm = weights.postNorm { math.layerNorm(&h, rows: n, norm, eps: c.layerNormEpsilon) }
        switch c.projector {
        case .pixelShuffle(let s):
            let shuffled = pixelShuffle(h, grid: c.gridSize, embedding: e, scale: s)
            let out = try math.linear(weights.projector[0], shuffled, rows: c.outputTokens)
            return ImageEmbeddings(tokens: c.outputTokens, dimension: outputDimension, values: out)
        case .mlp:
            var hidden = try math.linear(weights.projector[0], h, rows: n)
            // LLaVA's projector GELU is the tanh form in llama.cpp (ggml_gelu), whatever the encoder uses.
            math.activate(&hidden, .gelu)
            let out = try math.linear(weights.projector[1], hidden, rows: n)
            return ImageEmbeddings(tokens: n, dimension: outputDimension, values: out)
        }
    }

    /// [patches, 3 * p * p]: each patch's normalised pixels in the conv weight's (channel, y, x)
    /// order, patches row by row.
    func patches(_ image: RGBImage) -> [Float] {
        let c = configuration, p = c.patchSize, grid = c.gridSize, width = image.width
        var scale = [Float](repeating: 0, count: 3), offset = scale
        for channel in 0..<3 {
            // (x / 255 - mean) / std as one multiply-add.
            scale[channel] = 1 / (255 * c.imageStd[channel])
            offset[channel] = -c.imageMean[channel] / c.imageStd[channel]
        }
        var out = [Float](repeating: 0, count: c.patchCount * 3 * p * p)
        image.pixels.withUnsafeBufferPointer { pixels in
            for py in 0..<grid {
                for px in 0..<grid {
                    var index = (py * grid + px) * 3 * p * p
                    for channel in 0..<3 {
                        for y in 0..<p {
                            for x in 0..<p {
                                let pixel = Float(pixels[((py * p + y) * width + px * p + x) * 3 + channel])
                                out[index] = pixel * scale[channel] + offset[channel]
                                index += 1
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Idefics3's pixel shuffle: token (Y, X) of the (grid/s)^2 output concatenates the patches
    /// (Y*s + dy, X*s + dx) for dy, then dx, in 0..<s: [(grid/s)^2, embedding * s * s]. The same
    /// order as HF's Idefics3Connector.pixel_shuffle and llama.cpp's build_patch_merge_permute.
    func pixelShuffle(_ h: [Float], grid: Int, embedding e: Int, scale s: Int) -> [Float] {
        let outGrid = grid / s, width = e * s * s
        var out = [Float](repeating: 0, count: outGrid * outGrid * width)
        for y in 0..<outGrid {
            for x in 0..<outGrid {
                for dy in 0..<s {
                    for dx in 0..<s {
                        let source = ((y * s + dy) * grid + x * s + dx) * e
                        let target = (y * outGrid + x) * width + (dy * s + dx) * e
                        for i in 0..<e { out[target + i] = h[source + i] }
                    }
                }
            }
        }
        return out
    }
}

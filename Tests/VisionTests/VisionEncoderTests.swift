import Foundation
import Imaging
import Kernels
import ModelFiles
import Testing
import TestSupport
import Vision

/// Small randomly initialised encoders, written as llama.cpp mmproj GGUF files with GGUFWriter,
/// against the NumPy reference of scripts/reference/vit_reference.py (Tests/Fixtures/vit-tiny.json):
/// an Idefics3/SmolVLM one (SigLIP, post-norm, tanh GELU, pixel shuffle + linear) and a LLaVA one
/// (pre-norm, quick GELU, MLP projector).
@Suite struct VisionEncoderTests {
    /// The reference runs in float64; we run float32 through two blocks, attention and the
    /// projector, with outputs of magnitude ~1: 1e-4 absolute is float32 rounding with margin,
    /// far below what a wrong permutation, norm or activation would give (~0.1 and more).
    static let embeddingTolerance: Float = 1e-4

    @Test(arguments: ["idefics3", "mlp"])
    func matchesNumPyReference(_ name: String) throws {
        let fixture = try TinyVisionEncoderFixture.load(name)
        let encoder = try VisionEncoder(file: fixture.file(), pool: ThreadPool(threadCount: 2))
        let embeddings = try encoder.encode(fixture.image)
        #expect(embeddings.tokens == fixture.embeddings.count)
        #expect(embeddings.dimension == fixture.embeddings[0].count)
        #expect(embeddings.values.count == fixture.embeddings.count * fixture.embeddings[0].count)
        var worst: Float = 0
        for (t, row) in fixture.embeddings.enumerated() {
            for (i, expected) in row.enumerated() {
                worst = max(worst, abs(embeddings.values[t * embeddings.dimension + i] - expected))
            }
        }
        #expect(worst <= Self.embeddingTolerance, "largest difference \(worst)")
    }

    @Test func readsTheConfigurationFromMetadata() throws {
        let fixture = try TinyVisionEncoderFixture.load("idefics3")
        let encoder = try VisionEncoder(file: fixture.file(), pool: ThreadPool(threadCount: 1))
        let c = encoder.configuration
        #expect(c.projector == .pixelShuffle(scaleFactor: 2))
        #expect(c.activation == .gelu)
        #expect(c.patchCount == 36)
        #expect(c.outputTokens == 9)
        #expect(encoder.outputDimension == 20)
    }

    @Test func f16MatricesGiveNearlyTheSameEmbeddings() throws {
        let fixture = try TinyVisionEncoderFixture.load("idefics3")
        let f32 = try VisionEncoder(file: fixture.file(), pool: ThreadPool(threadCount: 1)).encode(fixture.image)
        let f16 = try VisionEncoder(file: fixture.file(matrixType: .f16), pool: ThreadPool(threadCount: 1)).encode(fixture.image)
        let worst = zip(f32.values, f16.values).map { abs($0 - $1) }.max() ?? .infinity
        // F16 weights (11-bit mantissa) and the F16-rounded activations of the F16 matmul: ~1e-3.
        #expect(worst > 0 && worst < 2e-2, "largest difference \(worst)")
    }

    /// A file with one thing wrong, and the error loading it must give.
    enum BrokenFile: CaseIterable {
        case missingTensor, unusedTensor, unknownProjector

        func file(_ fixture: TinyVisionEncoderFixture) throws -> GGUFFile {
            switch self {
            case .missingTensor: return try fixture.file(dropping: "v.blk.1.attn_k.bias")
            case .unusedTensor: return try fixture.file(extra: "v.blk.2.ln1.weight")
            case .unknownProjector: return try fixture.file(projectorType: "resampler")
            }
        }

        var expected: VisionError {
            switch self {
            case .missingTensor: return .missingTensor("v.blk.1.attn_k.bias")
            case .unusedTensor: return .unusedTensors(["v.blk.2.ln1.weight"])
            case .unknownProjector: return .invalidConfiguration("projector type 'resampler' (supported: idefics3, mlp)")
            }
        }
    }

    @Test(arguments: BrokenFile.allCases)
    func rejectsABrokenFile(_ broken: BrokenFile) throws {
        let file = try broken.file(try TinyVisionEncoderFixture.load("mlp"))
        #expect(throws: broken.expected) { try VisionEncoder(file: file, pool: ThreadPool(threadCount: 1)) }
    }

    @Test func resizesAnImageOfAnotherSize() throws {
        let fixture = try TinyVisionEncoderFixture.load("idefics3")
        let encoder = try VisionEncoder(file: fixture.file(), pool: ThreadPool(threadCount: 1))
        // Every source pixel of a 2x2 image is one colour: enlarged, it stays that colour.
        let small = try #require(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 200, count: 12)))
        let large = try #require(RGBImage(width: 24, height: 24, pixels: [UInt8](repeating: 200, count: 24 * 24 * 3)))
        #expect(try encoder.encode(small) == encoder.encode(large))
    }
}

/// One case of Tests/Fixtures/vit-tiny.json, written into an mmproj GGUF on demand.
struct TinyVisionEncoderFixture {
    struct Configuration: Decodable {
        let projector: String
        let image_size: Int, patch_size: Int, embd: Int, heads: Int, ff: Int, blocks: Int
        let eps: Double
        let use_gelu: Bool
        let scale_factor: Int?
        let image_mean: [Double], image_std: [Double]
    }
    struct Tensor: Decodable { let dimensions: [Int], values: [Double] }
    private struct Case: Decodable {
        let configuration: Configuration
        let tensors: [String: Tensor]
        let image: [UInt8]
        let embeddings: [[Double]]
    }
    struct Invalid: Error { let reason: String }

    let configuration: Configuration
    let tensors: [String: Tensor]
    let image: RGBImage
    let embeddings: [[Float]]

    static func load(_ name: String) throws -> TinyVisionEncoderFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/vit-tiny.json")
        let cases = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
        guard let raw = cases[name] else { throw Invalid(reason: "no case \(name)") }
        let size = raw.configuration.image_size
        guard let image = RGBImage(width: size, height: size, pixels: raw.image) else { throw Invalid(reason: "image size") }
        return TinyVisionEncoderFixture(configuration: raw.configuration, tensors: raw.tensors, image: image,
                                        embeddings: raw.embeddings.map { $0.map { Float($0) } })
    }

    /// The mmproj file: metadata as llama.cpp's converter writes it, 2-D matrices in `matrixType`,
    /// everything else F32.
    func file(matrixType: TensorType = .f32, dropping: String? = nil, extra: String? = nil,
              projectorType: String? = nil) throws -> GGUFFile {
        let c = configuration
        var writer = GGUFWriter()
        MMProjShape(projector: c.projector, imageSize: c.image_size, patchSize: c.patch_size, embedding: c.embd,
                    heads: c.heads, feedForward: c.ff, blocks: c.blocks, epsilon: Float(c.eps), useGelu: c.use_gelu,
                    scaleFactor: c.scale_factor, imageMean: c.image_mean.map { Float($0) },
                    imageStd: c.image_std.map { Float($0) }).writeMetadata(into: &writer, projectorType: projectorType)
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) where name != dropping {
            let values = tensor.values.map { Float($0) }
            let isMatrix = tensor.dimensions.count == 2 && name != "v.position_embd.weight"
            if isMatrix && matrixType == .f16 {
                try writer.addTensor(name: name, dimensions: tensor.dimensions, type: .f16, data: halfBytes(values))
            } else {
                try writer.addTensor(name: name, dimensions: tensor.dimensions, type: .f32, data: floatBytes(values))
            }
        }
        if let extra { try writer.addTensor(name: extra, dimensions: [c.embd], type: .f32, data: floatBytes(.init(repeating: 1, count: c.embd))) }
        return try GGUFFile(bytes: writer.bytes())
    }
}

/// Little-endian F16 bytes.
func halfBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value -> [UInt8] in
        let bits = floatToHalf(value)
        return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
    }
}

import Foundation
import Imaging
import Kernels
import ModelFiles
import Testing
import Vision

/// A small randomly initialised EfficientNet-Lite (every kind of block, an odd image size) against
/// the NumPy reference of scripts/reference/efficientnet_reference.py, whose weights, input and
/// outputs are Tests/Fixtures/efficientnet-tiny.json.
@Suite struct EfficientNetTests {
    /// The reference runs in float64 with unfolded batch norm; we run float32 with folded weights
    /// and a different summation order, through ~20 layers: agreement to 1e-4 absolute on logits
    /// of magnitude ~1 leaves room for that rounding and none for a wrong tap, pad or channel.
    static let logitTolerance: Float = 1e-4
    static let probabilityTolerance: Float = 2e-5

    @Test func tinyNetworkMatchesNumPyReference() throws {
        let fixture = try TinyEfficientNetFixture.load()
        let network = try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 2))
        let logits = try network.logits(fixture.image)
        #expect(logits.count == fixture.logits.count)
        for (ours, theirs) in zip(logits, fixture.logits) { #expect(abs(ours - theirs) <= Self.logitTolerance) }
        let probabilities = try network.probabilities(fixture.image)
        for (ours, theirs) in zip(probabilities, fixture.probabilities) {
            #expect(abs(ours - theirs) <= Self.probabilityTolerance)
        }
    }

    @Test func resultDoesNotDependOnThreadCount() throws {
        let fixture = try TinyEfficientNetFixture.load()
        let one = try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 1))
        let three = try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 3))
        #expect(try one.logits(fixture.image) == three.logits(fixture.image))
    }

    @Test func reusedBuffersLeaveNoTraceOfTheLastImage() throws {
        let fixture = try TinyEfficientNetFixture.load()
        let network = try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 1))
        let first = try network.logits(fixture.image)
        let n = fixture.configuration.imageSize
        let other = try #require(RGBImage(width: n, height: n, pixels: fixture.image.pixels.map { 255 - $0 }))
        #expect(try network.logits(other) != first)
        #expect(try network.logits(fixture.image) == first)
    }

    @Test func rejectsAnImageOfTheWrongSize() throws {
        let fixture = try TinyEfficientNetFixture.load()
        let network = try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 1))
        let image = try #require(RGBImage(width: 4, height: 3, pixels: [UInt8](repeating: 9, count: 36)))
        #expect(throws: VisionError.wrongImageSize(width: 4, height: 3, expected: fixture.configuration.imageSize)) {
            try network.logits(image)
        }
    }

    @Test func loadingFailsOnAMissingTensor() throws {
        let fixture = try TinyEfficientNetFixture.load(dropping: "_blocks.2._bn1.running_var")
        #expect(throws: VisionError.missingTensor("_blocks.2._bn1.running_var")) {
            try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 1))
        }
    }

    @Test func loadingFailsOnAnUnusedTensor() throws {
        let fixture = try TinyEfficientNetFixture.load(extra: "_blocks.9._bn0.weight")
        #expect(throws: VisionError.unusedTensors(["_blocks.9._bn0.weight"])) {
            try EfficientNet(file: fixture.file, configuration: fixture.configuration, pool: ThreadPool(threadCount: 1))
        }
    }

    @Test func loadingFailsOnAMisShapedTensor() throws {
        let fixture = try TinyEfficientNetFixture.load()
        // The fixture's weights for a network whose stem is one channel wider.
        let c = fixture.configuration
        var blocks = c.blocks
        let first = blocks[0]
        blocks[0] = MBConvBlockSpec(kernel: first.kernel, stride: first.stride, expand: first.expand,
                                    inputChannels: c.stemChannels + 1, outputChannels: first.outputChannels)
        let wider = try EfficientNetConfiguration(imageSize: c.imageSize, stemChannels: c.stemChannels + 1,
                                                  headChannels: c.headChannels, classes: c.classes, blocks: blocks)
        #expect(throws: VisionError.badShape(tensor: "_conv_stem.weight", expected: [c.stemChannels + 1, 3, 3, 3],
                                             actual: [c.stemChannels, 3, 3, 3])) {
            try EfficientNet(file: fixture.file, configuration: wider, pool: ThreadPool(threadCount: 1))
        }
    }

    @Test func configurationRejectsBlocksThatDoNotChain() {
        let block = MBConvBlockSpec(kernel: 3, stride: 1, expand: 1, inputChannels: 16, outputChannels: 16)
        #expect(throws: VisionError.invalidConfiguration("block 0 takes 16 channels, gets 8")) {
            try EfficientNetConfiguration(imageSize: 32, stemChannels: 8, headChannels: 8, classes: 2, blocks: [block])
        }
    }

    @Test func lite0HasTheReferenceLayout() {
        let lite0 = EfficientNetConfiguration.lite0
        #expect(lite0.blocks.count == 16)
        // DATA.md: stride 2 at blocks 1, 3, 5, 11 (0-based).
        #expect(lite0.blocks.indices.filter { lite0.blocks[$0].stride == 2 } == [1, 3, 5, 11])
        #expect(lite0.blocks.map(\.kernel) == [3, 3, 3, 5, 5, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 3])
        #expect(lite0.blocks.last?.outputChannels == 320)
    }
}

/// Tests/Fixtures/efficientnet-tiny.json turned into a safetensors file, configuration and image.
struct TinyEfficientNetFixture {
    let file: SafeTensorsFile
    let configuration: EfficientNetConfiguration
    let image: RGBImage
    let logits: [Float]
    let probabilities: [Float]

    private struct Raw: Decodable {
        struct Block: Decodable { let kernel: Int, stride: Int, expand: Int, input: Int, output: Int }
        struct Configuration: Decodable {
            let image_size: Int, stem: Int, head: Int, classes: Int
            let blocks: [Block]
        }
        struct Tensor: Decodable { let shape: [Int], values: [Double] }
        let configuration: Configuration
        let tensors: [String: Tensor]
        let image: [UInt8]
        let logits: [Double]
        let probabilities: [Double]
    }

    struct Invalid: Error { let reason: String }

    static func load(dropping: String? = nil, extra: String? = nil) throws -> TinyEfficientNetFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/efficientnet-tiny.json")
        let raw = try JSONDecoder().decode(Raw.self, from: Data(contentsOf: url))
        var writer = SafeTensorsWriter()
        for (name, tensor) in raw.tensors.sorted(by: { $0.key < $1.key }) where name != dropping {
            try writer.addTensor(name: name, dtype: .f32, shape: tensor.shape, data: floatBytes(tensor.values.map { Float($0) }))
        }
        if let extra { try writer.addTensor(name: extra, dtype: .f32, shape: [1], data: floatBytes([1])) }
        let c = raw.configuration
        let configuration = try EfficientNetConfiguration(
            imageSize: c.image_size, stemChannels: c.stem, headChannels: c.head, classes: c.classes,
            blocks: c.blocks.map { MBConvBlockSpec(kernel: $0.kernel, stride: $0.stride, expand: $0.expand,
                                                   inputChannels: $0.input, outputChannels: $0.output) })
        guard let image = RGBImage(width: c.image_size, height: c.image_size, pixels: raw.image) else {
            throw Invalid(reason: "fixture image has \(raw.image.count) bytes")
        }
        return TinyEfficientNetFixture(file: try SafeTensorsFile(bytes: try writer.bytes()), configuration: configuration,
                                       image: image, logits: raw.logits.map { Float($0) },
                                       probabilities: raw.probabilities.map { Float($0) })
    }
}

/// Little-endian F32 bytes, as safetensors and GGUF store them.
func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value -> [UInt8] in
        let bits = value.bitPattern
        return [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
    }
}

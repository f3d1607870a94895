/// One inverted-residual (MBConv) block: expand 1x1 (when `expand` > 1), depthwise k x k with
/// `stride`, project 1x1; the input is added back when stride is 1 and the channels match.
public struct MBConvBlockSpec: Sendable, Equatable {
    public let kernel: Int
    public let stride: Int
    public let expand: Int
    public let inputChannels: Int
    public let outputChannels: Int

    public init(kernel: Int, stride: Int, expand: Int, inputChannels: Int, outputChannels: Int) {
        self.kernel = kernel
        self.stride = stride
        self.expand = expand
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }

    public var expandedChannels: Int { inputChannels * expand }
    public var hasResidual: Bool { stride == 1 && inputChannels == outputChannels }
}

/// An EfficientNet-Lite network: stem conv 3x3 stride 2, MBConv blocks, head conv 1x1, global
/// average pool, fully connected classifier. Lite variants have no squeeze-excite and use ReLU6.
public struct EfficientNetConfiguration: Sendable, Equatable {
    public let imageSize: Int
    public let stemChannels: Int
    public let headChannels: Int
    public let classes: Int
    public let blocks: [MBConvBlockSpec]

    /// TF EfficientNet-Lite's BatchNorm epsilon (batch_norm_epsilon=1e-3 in efficientnet_builder).
    public static let batchNormEpsilon: Float = 1e-3
    /// The stem's kernel and stride (fixed in every EfficientNet).
    static let stemKernel = 3, stemStride = 2

    public init(imageSize: Int, stemChannels: Int, headChannels: Int, classes: Int,
                blocks: [MBConvBlockSpec]) throws(VisionError) {
        guard imageSize > 0, stemChannels > 0, headChannels > 0, classes > 0, !blocks.isEmpty else {
            throw .invalidConfiguration("sizes must be positive and there must be at least one block")
        }
        var channels = stemChannels
        for (index, block) in blocks.enumerated() {
            guard block.inputChannels == channels else {
                throw .invalidConfiguration("block \(index) takes \(block.inputChannels) channels, gets \(channels)")
            }
            guard block.kernel > 0, block.kernel % 2 == 1, block.stride == 1 || block.stride == 2,
                  block.expand >= 1, block.outputChannels > 0 else {
                throw .invalidConfiguration("block \(index): kernel \(block.kernel), stride \(block.stride), expand \(block.expand)")
            }
            channels = block.outputChannels
        }
        self.imageSize = imageSize
        self.stemChannels = stemChannels
        self.headChannels = headChannels
        self.classes = classes
        self.blocks = blocks
    }

    /// EfficientNet-Lite0 (width 1.0, depth 1.0, 224x224): the stages of the TF reference
    /// (efficientnet_lite_builder: r1_k3_s11_e1_i32_o16, r2_k3_s22_e6_i16_o24, r2_k5_s22_e6_i24_o40,
    /// r3_k3_s22_e6_i40_o80, r3_k5_s11_e6_i80_o112, r4_k5_s22_e6_i112_o192, r1_k3_s11_e6_i192_o320),
    /// stem 32 and head 1280 kept fixed as Lite does, 1000 ImageNet classes.
    public static let lite0: EfficientNetConfiguration = {
        let stages: [(repeats: Int, kernel: Int, stride: Int, expand: Int, input: Int, output: Int)] = [
            (1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
            (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320),
        ]
        var blocks: [MBConvBlockSpec] = []
        for stage in stages {
            for index in 0..<stage.repeats {
                blocks.append(MBConvBlockSpec(kernel: stage.kernel, stride: index == 0 ? stage.stride : 1,
                                              expand: stage.expand, inputChannels: index == 0 ? stage.input : stage.output,
                                              outputChannels: stage.output))
            }
        }
        // The table above is consistent by construction; a failure here is a typo in it.
        guard let lite0 = try? EfficientNetConfiguration(imageSize: 224, stemChannels: 32, headChannels: 1280,
                                                         classes: 1000, blocks: blocks)
        else { preconditionFailure("EfficientNet-Lite0 table is inconsistent") }
        return lite0
    }()
}

/// TensorFlow's "same" padding: the output has ceil(size / stride) positions and the padding a
/// kernel needs for that is split with the odd pixel after (bottom/right), unlike PyTorch's
/// symmetric padding. EfficientNet-Lite was trained in TF, so its weights expect this.
enum SamePadding {
    static func outputSize(_ size: Int, stride: Int) -> Int { (size + stride - 1) / stride }

    /// Padding before the first input pixel (top or left).
    static func before(_ size: Int, kernel: Int, stride: Int) -> Int {
        max((outputSize(size, stride: stride) - 1) * stride + kernel - size, 0) / 2
    }
}

import Kernels

/// ReLU6 (min(max(x, 0), 6)), EfficientNet-Lite's activation, or none (the projection convs).
enum ConvActivation { case relu6, none }

/// The spatial size of an NHWC activation.
struct FeatureSize: Equatable {
    let height: Int, width: Int
    var pixels: Int { height * width }

    func strided(_ stride: Int) -> FeatureSize {
        FeatureSize(height: SamePadding.outputSize(height, stride: stride), width: SamePadding.outputSize(width, stride: stride))
    }
}

/// NHWC convolutions: dense ones as (im2col +) matmul on the Kernels module's F32 routine,
/// depthwise ones as a loop over taps with the channel vector innermost (contiguous, so the
/// compiler vectorises it). Output rows are split over the pool; nothing allocates.
struct ConvolutionKernels {
    let pool: ThreadPool
    let scratch: MatmulScratch

    /// output [size', out] = conv(input [size, in]) + bias, then the activation. A kernel larger than
    /// 1 (or a stride) goes through `columns`, which must hold size'.pixels * k * k * in floats.
    func dense(_ conv: DenseConv, input: UnsafePointer<Float>, size: FeatureSize, output: UnsafeMutablePointer<Float>,
               columns: UnsafeMutablePointer<Float>, activation: ConvActivation) {
        let outSize = size.strided(conv.stride)
        var source = input
        if conv.kernel != 1 || conv.stride != 1 {
            im2col(input, size: size, channels: conv.inputChannels, kernel: conv.kernel, stride: conv.stride, into: columns)
            source = UnsafePointer(columns)
        }
        matmul(conv.matrix, input: source, tokens: outSize.pixels, output: output, scratch: scratch, pool: pool)
        biasActivate(output, rows: outSize.pixels, bias: conv.bias, channels: conv.outputChannels, activation: activation)
    }

    /// Rows [size'.pixels, k * k * channels] of input patches, taps (ky, kx) outer and channels inner,
    /// zeros where a tap falls in the "same" padding.
    func im2col(_ input: UnsafePointer<Float>, size: FeatureSize, channels: Int, kernel: Int, stride: Int,
                into columns: UnsafeMutablePointer<Float>) {
        let outSize = size.strided(stride)
        let top = SamePadding.before(size.height, kernel: kernel, stride: stride)
        let left = SamePadding.before(size.width, kernel: kernel, stride: stride)
        let rowLength = kernel * kernel * channels
        pool.chunks(outSize.height) { oy, _ in
            for ox in 0..<outSize.width {
                var target = columns + (oy * outSize.width + ox) * rowLength
                for ky in 0..<kernel {
                    let iy = oy * stride - top + ky
                    for kx in 0..<kernel {
                        let ix = ox * stride - left + kx
                        if iy >= 0, iy < size.height, ix >= 0, ix < size.width {
                            target.update(from: input + (iy * size.width + ix) * channels, count: channels)
                        } else {
                            target.update(repeating: 0, count: channels)
                        }
                        target += channels
                    }
                }
            }
        }
    }

    /// output [size', channels] = depthwise conv(input [size, channels]) + bias, then ReLU6.
    func depthwise(_ conv: DepthwiseConv, input: UnsafePointer<Float>, size: FeatureSize, output: UnsafeMutablePointer<Float>) {
        let outSize = size.strided(conv.stride)
        let k = conv.kernel, stride = conv.stride, channels = conv.channels
        let top = SamePadding.before(size.height, kernel: k, stride: stride)
        let left = SamePadding.before(size.width, kernel: k, stride: stride)
        let weight = UnsafePointer(conv.weight.pointer), bias = UnsafePointer(conv.bias.pointer)
        pool.chunks(outSize.height) { oy, _ in
            for ox in 0..<outSize.width {
                let target = output + (oy * outSize.width + ox) * channels
                target.update(from: bias, count: channels)
                for ky in 0..<k {
                    let iy = oy * stride - top + ky
                    guard iy >= 0, iy < size.height else { continue }
                    for kx in 0..<k {
                        let ix = ox * stride - left + kx
                        guard ix >= 0, ix < size.width else { continue }
                        let source = input + (iy * size.width + ix) * channels
                        let tap = weight + (ky * k + kx) * channels
                        for c in 0..<channels { target[c] += tap[c] * source[c] }
                    }
                }
                for c in 0..<channels { target[c] = min(max(target[c], 0), 6) }
            }
        }
    }

    /// x[r, c] = activation(x[r, c] + bias[c]) for rows [rows, channels].
    func biasActivate(_ x: UnsafeMutablePointer<Float>, rows: Int, bias: FloatBuffer, channels: Int, activation: ConvActivation) {
        let b = UnsafePointer(bias.pointer)
        let chunk = Self.rowsPerChunk
        pool.chunks((rows + chunk - 1) / chunk) { index, _ in
            for r in (index * chunk)..<min(rows, (index + 1) * chunk) {
                let row = x + r * channels
                switch activation {
                case .relu6: for c in 0..<channels { row[c] = min(max(row[c] + b[c], 0), 6) }
                case .none: for c in 0..<channels { row[c] += b[c] }
                }
            }
        }
    }

    /// Rows per pool chunk in `biasActivate`: enough work per dispatch to be worth one.
    static let rowsPerChunk = 256
}

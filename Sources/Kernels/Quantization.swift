import CKernels

/// Decodes `count` elements of `type` from `source` into `into` (f32).
/// `count` must be a multiple of the type's block size and the type decodable (`canDequantize`).
public func dequantize(type: TensorType, source: UnsafeRawPointer, count: Int, into: UnsafeMutablePointer<Float>) {
    let status = ck_dequantize(Int32(type.rawValue), source, into, Int64(count))
    precondition(status == CK_OK, "dequantize \(count) elements of \(type): status \(status)")
}

/// Checked variant of `dequantize` for data whose type or size comes from a file.
public func dequantizeChecked(type: TensorType, source: UnsafeRawPointer, count: Int,
                              into: UnsafeMutablePointer<Float>) throws(KernelError) {
    guard type.canDequantize else { throw .unsupportedType(type, operation: "dequantize") }
    guard count >= 0, count % type.blockSize == 0 else {
        throw .invalidShape("\(count) elements is not a whole number of \(type) blocks")
    }
    dequantize(type: type, source: source, count: count, into: into)
}

/// Encodes `count` floats as `type` into `into` (`type.byteCount(elements: count)` bytes), with
/// the active backend. Activation types round as ggml's x86 backend does; the K-quant encoders
/// are simple min/max fits (valid, not ggml's optimised search).
public func quantize(type: TensorType, source: UnsafePointer<Float>, count: Int,
                     into: UnsafeMutableRawPointer) throws(KernelError) {
    try quantize(type: type, source: source, count: count, into: into, backend: .active)
}

/// `quantize` with an explicit backend (parity tests).
public func quantize(type: TensorType, source: UnsafePointer<Float>, count: Int,
                     into: UnsafeMutableRawPointer, backend: KernelBackend) throws(KernelError) {
    guard type.canQuantize else { throw .unsupportedType(type, operation: "quantize") }
    guard count >= 0, count % type.blockSize == 0 else {
        throw .invalidShape("\(count) elements is not a whole number of \(type) blocks")
    }
    if backend == .avx2 && !KernelBackend.avx2Available { throw .backendUnavailable(backend) }
    let status = ck_quantize_backend(Int32(type.rawValue), source, into, Int64(count), backend.cValue)
    guard status == CK_OK else { throw .invalidShape("quantize \(type): status \(status)") }
}

/// One dot product of a weight row (`weightType`, `count` elements) with an activation row
/// already encoded as `weightType.activationType`.
public func vectorDot(weightType: TensorType, count: Int, weights: UnsafeRawPointer, activations: UnsafeRawPointer,
                      backend: KernelBackend = .active) throws(KernelError) -> Float {
    guard weightType.hasKernels else { throw .unsupportedType(weightType, operation: "vectorDot") }
    if backend == .avx2 && !KernelBackend.avx2Available { throw .backendUnavailable(backend) }
    var result: Float = 0
    let status = ck_vec_dot(Int32(weightType.rawValue), Int32(clamping: count), weights, activations, &result,
                            backend.cValue)
    guard status == CK_OK else { throw .invalidShape("\(count) elements for a \(weightType) dot product") }
    return result
}

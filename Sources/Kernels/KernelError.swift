/// Errors of the Kernels module.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The tensor type has no kernel for the requested operation.
    case unsupportedType(TensorType, operation: String)
    /// A count or shape does not fit the type's blocks or the operation's contract.
    case invalidShape(String)
    /// The AVX2 backend was requested on a CPU without AVX2, FMA and F16C.
    case backendUnavailable(KernelBackend)

    public var description: String {
        switch self {
        case let .unsupportedType(type, operation):
            return "tensor type \(type) is not supported by \(operation)"
        case let .invalidShape(message):
            return "invalid shape: \(message)"
        case let .backendUnavailable(backend):
            return "kernel backend \(backend) is not available on this CPU"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a model file could not be read. Each case names what is wrong and where.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(String)
    case cannotOpen(String, errno: Int32)
    case cannotWrite(String, errno: Int32)
    case badMagic(found: UInt32)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    case implausibleCount(what: String, value: UInt64, offset: Int, limit: Int)
    case unknownValueType(key: String, type: UInt32)
    case unknownTensorType(tensor: String, type: UInt32)
    case duplicateKey(String)
    case duplicateTensor(String)
    case invalidAlignment(Int)
    case invalidTensor(name: String, reason: String)
    case missingMetadata(String)
    case wrongMetadataType(key: String, expected: String, found: String)
    case invalidHeader(String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "file not found: \(path)"
        case .cannotOpen(let path, let code): return "cannot open \(path): \(systemMessage(code))"
        case .cannotWrite(let path, let code): return "cannot write \(path): \(systemMessage(code))"
        case .badMagic(let found):
            return "not a model file: magic 0x\(String(found, radix: 16)) is not GGUF"
        case .unsupportedVersion(let version): return "unsupported GGUF version \(version) (2 and 3 are read)"
        case .truncated(let what, let offset, let needed, let available):
            return "file truncated reading \(what) at byte \(offset): \(needed) bytes needed, \(available) left"
        case .implausibleCount(let what, let value, let offset, let limit):
            return "implausible \(what) \(value) at byte \(offset) (at most \(limit) possible)"
        case .unknownValueType(let key, let type): return "metadata '\(key)' has unknown value type \(type)"
        case .unknownTensorType(let tensor, let type): return "tensor '\(tensor)' has unknown type \(type)"
        case .duplicateKey(let key): return "metadata key '\(key)' appears twice"
        case .duplicateTensor(let name): return "tensor '\(name)' appears twice"
        case .invalidAlignment(let value): return "general.alignment \(value) is not a power of two"
        case .invalidTensor(let name, let reason): return "tensor '\(name)': \(reason)"
        case .missingMetadata(let key): return "metadata '\(key)' is missing"
        case .wrongMetadataType(let key, let expected, let found):
            return "metadata '\(key)' should be \(expected), found \(found)"
        case .invalidHeader(let reason): return "invalid header: \(reason)"
        }
    }
}

/// The C library's text for an errno value, with the number for searching.
private func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
}

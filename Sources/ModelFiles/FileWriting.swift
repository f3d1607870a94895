#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `contents` to `path`, replacing any file there.
func writeFile(_ contents: [UInt8], to path: String) throws(ModelFileError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw .cannotWrite(path, errno: errno) }
    let failure: Int32? = contents.withUnsafeBytes { buffer in
        guard let base = buffer.baseAddress else { return nil }
        var written = 0
        while written < buffer.count {
            let result = write(descriptor, base + written, buffer.count - written)
            guard result > 0 else { return errno }
            written += result
        }
        return nil
    }
    let closed = close(descriptor)
    if let code = failure { throw .cannotWrite(path, errno: code) }
    guard closed == 0 else { throw .cannotWrite(path, errno: errno) }
}

import CKernels

/// A read-only matrix of `rows` rows of `cols` elements, each row a run of `type` blocks
/// (as stored in a GGUF file). It does not own `data`: the mapping must outlive it.
public struct WeightMatrix: @unchecked Sendable {
    public let type: TensorType
    public let rows: Int
    public let cols: Int
    public let data: UnsafeRawPointer // [rows, rowBytes]

    public init(type: TensorType, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard type.hasKernels else { throw .unsupportedType(type, operation: "matmul") }
        guard rows > 0, cols > 0, rows <= Int(Int32.max), cols <= Int(Int32.max) else {
            throw .invalidShape("matrix \(rows) x \(cols) of \(type) needs positive sizes below 2^31")
        }
        let blockSize = max(type.blockSize, type.activationType?.blockSize ?? 1)
        guard cols % blockSize == 0 else {
            throw .invalidShape("\(type) rows need a multiple of \(blockSize) columns, got \(cols)")
        }
        guard let rowBytes = type.byteCount(elements: cols),
              rows.multipliedReportingOverflow(by: rowBytes).overflow == false
        else { throw .invalidShape("matrix \(rows) x \(cols) of \(type) is too large") }
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// Bytes of one row.
    public var rowBytes: Int { cols / type.blockSize * type.bytesPerBlock }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows * rowBytes }
}

/// Decodes row `row` of `w` into `into[0..<w.cols]` (embedding lookup).
/// `row` must be in 0..<w.rows (callers validate token ids).
public func dequantizeRow(_ w: WeightMatrix, row: Int, into: UnsafeMutablePointer<Float>) {
    precondition(row >= 0 && row < w.rows, "row \(row) outside 0..<\(w.rows)")
    let status = ck_dequantize(Int32(w.type.rawValue), w.data + row * w.rowBytes, into, Int64(w.cols))
    precondition(status == CK_OK, "dequantize \(w.type): status \(status)")
}

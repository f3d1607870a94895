import Kernels
import ModelFiles

/// Hands out a model file's tensors by name, checking shape and type, and remembers which were
/// taken so loading can fail on any tensor the architecture did not use (strict loading).
struct TensorBinder {
    let file: GGUFFile
    private var used: Set<String> = []

    init(file: GGUFFile) { self.file = file }

    /// A matrix of `rows` rows of `cols` elements: GGUF dimensions `[cols, rows]`.
    mutating func matrix(_ name: String, rows: Int, cols: Int) throws(ModelError) -> WeightMatrix {
        let info = try take(name, dimensions: [cols, rows])
        return try weightMatrix(info, rows: rows, cols: cols)
    }

    /// Like `matrix`, but nil when the file lacks the tensor.
    mutating func optionalMatrix(_ name: String, rows: Int, cols: Int) throws(ModelError) -> WeightMatrix? {
        guard file.tensor(named: name) != nil else { return nil }
        return try matrix(name, rows: rows, cols: cols)
    }

    /// An F32 vector of `count` elements (norm weights).
    mutating func vector(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float> {
        let info = try take(name, dimensions: [count])
        guard info.type == .f32 else {
            throw .unsupportedTensorType(tensor: name, type: "\(info.type) (norm weights must be F32)")
        }
        let bytes = file.data(for: info)
        guard let base = bytes.baseAddress, bytes.count == count * MemoryLayout<Float>.size,
              Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
        else { throw .wrongShape(tensor: name, expected: [count], found: info.dimensions) }
        return base.assumingMemoryBound(to: Float.self)
    }

    /// Fails on every tensor of the file that no `matrix`/`vector` call took.
    func finish() throws(ModelError) {
        let unused = file.tensors.map(\.name).filter { !used.contains($0) }
        if !unused.isEmpty { throw .unusedTensors(unused) }
    }

    private mutating func take(_ name: String, dimensions: [Int]) throws(ModelError) -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions == dimensions else {
            throw .wrongShape(tensor: name, expected: dimensions, found: info.dimensions)
        }
        used.insert(name)
        return info
    }

    private func weightMatrix(_ info: GGUFTensorInfo, rows: Int, cols: Int) throws(ModelError) -> WeightMatrix {
        guard let base = file.data(for: info).baseAddress else { throw .missingTensor(info.name) }
        do {
            return try WeightMatrix(type: info.type, rows: rows, cols: cols, data: base)
        } catch {
            throw .unsupportedTensorType(tensor: info.name, type: "\(info.type)")
        }
    }
}

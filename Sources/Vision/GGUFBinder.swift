import Kernels
import ModelFiles

/// Hands out a GGUF file's tensors by name, checking dimensions, and remembers which were taken so
/// loading can fail on any tensor the network did not use (strict loading).
struct GGUFBinder {
    let file: GGUFFile
    private var used: Set<String> = []

    init(file: GGUFFile) { self.file = file }

    func has(_ name: String) -> Bool { file.tensor(named: name) != nil }

    /// A matrix of `rows` rows of `cols` elements in any type the matmul kernels take (F32, F16,
    /// Q8_0, ...), pointing into the mapping. GGUF dimensions: `[cols, rows]`, or `dimensions`
    /// when the tensor is a convolution kernel stored with more axes.
    mutating func matrix(_ name: String, rows: Int, cols: Int, dimensions: [Int]? = nil) throws(VisionError) -> WeightMatrix {
        let info = try take(name, dimensions: dimensions ?? [cols, rows])
        guard let base = file.data(for: info).baseAddress else { throw .missingTensor(name) }
        do {
            return try WeightMatrix(type: info.type, rows: rows, cols: cols, data: base)
        } catch {
            throw .unsupportedTensorType(tensor: name, type: "\(info.type)")
        }
    }

    /// The tensor's elements as F32 (dequantized if stored otherwise): biases, norms, embeddings.
    mutating func floats(_ name: String, dimensions: [Int]) throws(VisionError) -> [Float] {
        let rowLength = dimensions[0], rows = dimensions.dropFirst().reduce(1, *)
        let matrix = try matrix(name, rows: rows, cols: rowLength, dimensions: dimensions)
        var values = [Float](repeating: 0, count: rows * rowLength)
        values.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            for r in 0..<rows { dequantizeRow(matrix, row: r, into: base + r * rowLength) }
        }
        return values
    }

    /// Like `floats`, but nil when the file lacks the tensor (optional parts such as pre-norms).
    mutating func optionalFloats(_ name: String, dimensions: [Int]) throws(VisionError) -> [Float]? {
        has(name) ? try floats(name, dimensions: dimensions) : nil
    }

    /// Fails on every tensor of the file that was not taken.
    func finish() throws(VisionError) {
        let unused = file.tensors.map(\.name).filter { !used.contains($0) }
        if !unused.isEmpty { throw .unusedTensors(unused) }
    }

    private mutating func take(_ name: String, dimensions: [Int]) throws(VisionError) -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name) }
        guard info.dimensions == dimensions else { throw .badShape(tensor: name, expected: dimensions, actual: info.dimensions) }
        used.insert(name)
        return info
    }
}

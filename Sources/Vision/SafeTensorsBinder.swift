import ModelFiles

/// Hands out a safetensors file's F32 tensors by name, checking shape and type, and remembers
/// which were taken so loading can fail on any tensor the network did not use (strict loading).
struct SafeTensorsBinder {
    let file: SafeTensorsFile
    private var used: Set<String> = []

    init(file: SafeTensorsFile) { self.file = file }

    /// The F32 tensor `name` of exactly `shape`, as a pointer into the mapping.
    mutating func tensor(_ name: String, _ shape: [Int]) throws(VisionError) -> UnsafePointer<Float> {
        guard let info = file.tensors[name] else { throw .missingTensor(name) }
        guard info.shape == shape else { throw .badShape(tensor: name, expected: shape, actual: info.shape) }
        guard info.dtype == .f32 else { throw .unsupportedTensorType(tensor: name, type: info.dtype.rawValue) }
        let bytes = file.data(for: info)
        guard let base = bytes.baseAddress, bytes.count == info.elementCount * MemoryLayout<Float>.size,
              Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
        else { throw .unsupportedTensorType(tensor: name, type: "unaligned F32") }
        used.insert(name)
        return base.assumingMemoryBound(to: Float.self)
    }

    /// Fails on every tensor of the file that no `tensor` call took.
    func finish() throws(VisionError) {
        let unused = file.names.filter { !used.contains($0) }
        if !unused.isEmpty { throw .unusedTensors(unused) }
    }
}

/// A fixed-size, zero-initialised Float array at a stable address: weights the loader computes
/// (folded batch norm, permuted kernels) and per-call activations, handed to the C kernels as
/// raw pointers without Array's copy-on-write and exclusivity checks in the hot loops.
final class FloatBuffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            pointer.update(from: base, count: values.count)
        }
    }

    deinit {
        pointer.deallocate()
    }
}

/// A 64-byte aligned scratch buffer that grows when a call needs more than was planned at init
/// (so it allocates only then, never on a steady hot path). Not thread-safe.
final class GrowableBuffer {
    static let alignment = 64
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: Self.alignment)
    }

    deinit { pointer.deallocate() }

    func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        pointer.deallocate()
        capacity = bytes
        pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.alignment)
    }
}

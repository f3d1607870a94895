/// A fixed-size, 64-byte aligned, zeroed buffer owned by a session; allocated once, never on the hot path.
final class ScratchBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    /// Cache-line alignment, so SIMD loads never split lines at a row start.
    private static var alignment: Int { 64 }

    init(count: Int) {
        self.count = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: self.count * MemoryLayout<Element>.stride,
                                                   alignment: Self.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: self.count * MemoryLayout<Element>.stride)
        pointer = raw.bindMemory(to: Element.self, capacity: self.count)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

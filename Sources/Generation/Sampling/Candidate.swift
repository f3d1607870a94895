/// One vocabulary entry while the filters run: its id and current logit. Eight bytes, so the
/// whole vocabulary (49,152 entries for SmolLM2) stays within L2 while it is scanned.
struct Candidate: Sendable, Equatable {
    var logit: Float
    var id: Int32

    /// The one order every filter uses: higher logit first, equal logits broken by lower id.
    /// Callers never store NaN logits (they become -infinity), so this order is total.
    @inline(__always)
    func ranksAbove(_ other: Candidate) -> Bool {
        logit > other.logit || (logit == other.logit && id < other.id)
    }
}

/// Partial selection without a full sort: the best k of n in O(n log k) time and no allocation.
enum CandidateSelection {
    /// Rearranges `buffer` so that its first `k` entries are its best `k`, best first; the rest
    /// keep the others in no particular order.
    static func moveBestToFront(_ k: Int, of buffer: UnsafeMutableBufferPointer<Candidate>) {
        let count = buffer.count
        let kept = min(k, count)
        guard kept > 0 else { return }
        let heap = UnsafeMutableBufferPointer(rebasing: buffer[..<kept])
        // The kept entries form a heap whose root is the worst of them, so each remaining entry
        // costs one comparison unless it beats that root.
        buildHeap(heap)
        var index = kept
        while index < count {
            if buffer[index].ranksAbove(heap[0]) {
                buffer.swapAt(0, index)
                siftDown(heap, heapCount: kept, from: 0)
            }
            index += 1
        }
        sortHeapBestFirst(heap)
    }

    /// Arranges `heap` so that every parent ranks at or below its children: the root is the worst.
    static func buildHeap(_ heap: UnsafeMutableBufferPointer<Candidate>) {
        var node = heap.count / 2 - 1
        while node >= 0 {
            siftDown(heap, heapCount: heap.count, from: node)
            node -= 1
        }
    }

    /// Heap sort of a `buildHeap` heap: moving the worst to the back leaves it best first.
    static func sortHeapBestFirst(_ heap: UnsafeMutableBufferPointer<Candidate>) {
        var end = heap.count - 1
        while end > 0 {
            heap.swapAt(0, end)
            siftDown(heap, heapCount: end, from: 0)
            end -= 1
        }
    }

    /// Restores the heap property below `start`: every parent ranks at or below its children.
    @inline(__always)
    static func siftDown(_ heap: UnsafeMutableBufferPointer<Candidate>, heapCount: Int, from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heapCount else { return }
            var worse = left
            let right = left + 1
            if right < heapCount, heap[left].ranksAbove(heap[right]) { worse = right }
            guard heap[parent].ranksAbove(heap[worse]) else { return }
            heap.swapAt(parent, worse)
            parent = worse
        }
    }
}

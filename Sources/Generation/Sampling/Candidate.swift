import Foundation

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

    /// The best `k` logits, as candidates best first in `buffer[..<k]`, in one pass over `logits`
    /// without loading the vocabulary as candidates first. The result is the one `moveBestToFront`
    /// gives on the loaded candidates less their -infinity and NaN entries (the order is total).
    /// Returns false, with `buffer` in no useful state, unless more than `k` logits are finite or
    /// +infinity (a bias banned most of the vocabulary; with exactly `k` the top-k stage does not
    /// run at all): the caller then takes the general path.
    static func moveBestLogitsToFront(_ k: Int, of logits: UnsafeBufferPointer<Float>,
                                      into buffer: UnsafeMutableBufferPointer<Candidate>) -> Bool {
        guard k > 0, k <= buffer.count else { return false }
        var filled = 0
        var index = 0
        while filled < k, index < logits.count {
            let logit = logits[index]
            if logit > -.infinity {  // false for NaN too
                buffer[filled] = Candidate(logit: logit, id: Int32(truncatingIfNeeded: index))
                filled += 1
            }
            index += 1
        }
        guard filled == k else { return false }
        let heap = UnsafeMutableBufferPointer(rebasing: buffer[..<k])
        buildHeap(heap)
        var worst = heap[0].logit
        var beyondK = false  // a (k+1)-th logit that is not -infinity or NaN
        // Ids rise along the scan, so a logit equal to the worst kept one ranks below it: only a
        // strictly larger logit enters (NaN compares false and never does).
        while index < logits.count {
            let logit = logits[index]
            if logit > worst {
                heap[0] = Candidate(logit: logit, id: Int32(truncatingIfNeeded: index))
                siftDown(heap, heapCount: k, from: 0)
                worst = heap[0].logit
                beyondK = true
            } else if !beyondK, logit > -.infinity {
                beyondK = true
            }
            index += 1
        }
        guard beyondK else { return false }
        sortHeapBestFirst(heap)
        return true
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

    /// Rearranges `buffer` so that its first entries are the fewest best ones whose weights
    /// exp(logit - maximum) sum to at least `target`, in no particular order; returns how many.
    /// Quickselect guided by mass: expected O(n), and the result equals the prefix of a full
    /// best-first sort (up to summation rounding). Returns `buffer.count` if the whole buffer
    /// falls short of `target`.
    static func moveBestByMassToFront(_ target: Double, maximum: Float, of buffer: UnsafeMutableBufferPointer<Candidate>) -> Int {
        var low = 0
        var high = buffer.count
        var massBefore = 0.0  // weight of buffer[..<low], all of which rank above buffer[low...]
        while low < high {
            let pivotIndex = medianOfThree(buffer, low, low + (high - low) / 2, high - 1)
            buffer.swapAt(pivotIndex, high - 1)
            let pivot = buffer[high - 1]
            var store = low
            var massAbovePivot = 0.0
            for index in low..<(high - 1) where buffer[index].ranksAbove(pivot) {
                massAbovePivot += Double(exp(buffer[index].logit - maximum))
                buffer.swapAt(store, index)
                store += 1
            }
            buffer.swapAt(store, high - 1)
            if massBefore + massAbovePivot >= target {
                high = store  // the answer lies among the entries above the pivot
                continue
            }
            massBefore += massAbovePivot + Double(exp(pivot.logit - maximum))
            if massBefore >= target { return store + 1 }
            low = store + 1
        }
        return high
    }

    private static func medianOfThree(
        _ buffer: UnsafeMutableBufferPointer<Candidate>, _ first: Int, _ second: Int, _ third: Int
    ) -> Int {
        let (a, b, c) = (buffer[first], buffer[second], buffer[third])
        if a.ranksAbove(b) {
            if b.ranksAbove(c) { return second }
            return a.ranksAbove(c) ? third : first
        }
        if a.ranksAbove(c) { return first }
        return b.ranksAbove(c) ? third : second
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

import Foundation

/// log(softmax(logits)) at temperature 1: `into[i] = logits[i] - max - log(sum exp(logits - max))`.
///
/// Subtracting the maximum keeps every exponent <= 0 (no overflow); the sum runs in Double so a
/// 49k-entry vocabulary loses no precision (the exponentials are Float: Double `exp` costs twice
/// as much per entry and gains nothing once the result is stored as Float). NaN logits count as -infinity. The normaliser always
/// covers the whole row, but only the first `min(logits.count, into.count)` entries are written,
/// so a short `into` is never overrun; a row whose every logit is -infinity gets -infinity.
public func logSoftmax(_ logits: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
    let count = min(logits.count, output.count)
    let normalizer = logSumExp(logits)
    for index in 0..<count {
        let logit = logits[index]
        output[index] = logit.isNaN || normalizer == -.infinity
            ? -.infinity
            : Float(Double(logit) - normalizer)
    }
}

/// The `k` most likely tokens with their log-probabilities at temperature 1, computed from the
/// raw logits (before any bias, penalty or filter), as OpenAI and llama.cpp report them.
/// Sorted by log-probability, highest first; equal ones list the lower id first.
public func topLogprobs(_ logits: UnsafeBufferPointer<Float>, k: Int) -> [(id: Int, logprob: Float)] {
    let kept = min(max(k, 0), logits.count)
    guard kept > 0 else { return [] }
    let normalizer = logSumExp(logits)
    var best = [Candidate]()
    best.reserveCapacity(kept)
    for index in 0..<kept {
        best.append(Candidate(logit: sanitized(logits[index]), id: Int32(truncatingIfNeeded: index)))
    }
    best.withUnsafeMutableBufferPointer { heap in
        // Streams the row through a heap of the best `kept` seen so far (root: the worst of them),
        // so the whole vocabulary is never copied or sorted.
        CandidateSelection.buildHeap(heap)
        for index in kept..<logits.count {
            let candidate = Candidate(logit: sanitized(logits[index]), id: Int32(truncatingIfNeeded: index))
            if candidate.ranksAbove(heap[0]) {
                heap[0] = candidate
                CandidateSelection.siftDown(heap, heapCount: kept, from: 0)
            }
        }
        CandidateSelection.sortHeapBestFirst(heap)
    }
    return best.map { candidate in
        let logprob = normalizer == -.infinity ? -Float.infinity : Float(Double(candidate.logit) - normalizer)
        return (id: Int(candidate.id), logprob: logprob)
    }
}

/// log(sum exp(logits)), max-subtracted; each exponential in Float (all are <= 1, so Float's
/// relative precision holds), the sum in Double; NaN counts as -infinity; all -infinity gives -infinity.
func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Double {
    var maximum = -Float.infinity
    for logit in logits where logit > maximum { maximum = logit }
    guard maximum > -.infinity else { return -.infinity }
    guard maximum < .infinity else { return .infinity }
    var sum = 0.0
    for logit in logits where logit > -.infinity {
        sum += Double(exp(logit - maximum))
    }
    return Double(maximum) + log(sum)
}

@inline(__always)
private func sanitized(_ logit: Float) -> Float {
    logit.isNaN ? -.infinity : logit
}

import Foundation

/// The truncation stages of the chain, on a buffer of candidates, in order: top-k, top-p, min-p.
/// Each stage keeps a prefix of the buffer; none allocates.
enum CandidateFilters {
    /// Runs the stages the parameters turn on; returns how many candidates (a prefix of
    /// `buffer`) survive, 0 only when every logit is -infinity. When top-k or top-p ran, the
    /// survivors are sorted best first.
    static func apply(_ parameters: SamplingParameters, to buffer: UnsafeMutableBufferPointer<Candidate>) -> Int {
        var active = buffer.count
        var sorted = false
        // Tokens with a -infinity logit (banned by a bias) can never be drawn: drop them first.
        active = keepWhere(buffer, active: active) { $0.logit > -.infinity }
        guard active > 0 else { return 0 }

        if parameters.topK > 0, parameters.topK < active {
            CandidateSelection.moveBestToFront(parameters.topK, of: buffer)
            active = parameters.topK
            sorted = true
        }
        if parameters.topP < 1, parameters.topP > 0 {
            active = topP(parameters.topP, buffer: UnsafeMutableBufferPointer(rebasing: buffer[..<active]), sorted: sorted)
            sorted = true
        }
        if parameters.minP > 0, parameters.minP <= 1 {
            active = minP(parameters.minP, buffer: UnsafeMutableBufferPointer(rebasing: buffer[..<active]), sorted: sorted)
        }
        return active
    }

    /// Keeps the smallest best-first prefix whose probability (softmax at temperature 1 over
    /// `buffer`) reaches `p`, the crossing token included.
    static func topP(_ p: Float, buffer: UnsafeMutableBufferPointer<Candidate>, sorted: Bool) -> Int {
        let count = buffer.count
        let maximum = sorted ? buffer[0].logit : Sampler.maximumLogit(UnsafeBufferPointer(buffer))
        let total = buffer.reduce(0.0) { $0 + exp(Double($1.logit - maximum)) }
        let target = Double(p) * total
        var window = sorted ? count : min(Sampler.topPInitialWindow, count)
        while true {
            if !sorted { CandidateSelection.moveBestToFront(window, of: buffer) }
            var cumulative = 0.0
            for index in 0..<window {
                cumulative += exp(Double(buffer[index].logit - maximum))
                if cumulative >= target { return index + 1 }
            }
            // Rounding can leave the full sum a hair short of p * total: then everything stays.
            if window == count { return count }
            window = min(window * Sampler.topPWindowGrowth, count)
        }
    }

    /// Keeps the candidates whose probability is at least `p` times the largest one's, that is
    /// whose logit is at least max + log(p). The best candidate always survives.
    static func minP(_ p: Float, buffer: UnsafeMutableBufferPointer<Candidate>, sorted: Bool) -> Int {
        let maximum = sorted ? buffer[0].logit : Sampler.maximumLogit(UnsafeBufferPointer(buffer))
        let threshold = maximum + log(p)
        if sorted {
            var kept = 1
            while kept < buffer.count, buffer[kept].logit >= threshold { kept += 1 }
            return kept
        }
        return keepWhere(buffer, active: buffer.count) { $0.logit >= threshold }
    }

    /// Moves the first `active` entries that satisfy `keep` to the front, in their order.
    private static func keepWhere(
        _ buffer: UnsafeMutableBufferPointer<Candidate>, active: Int, _ keep: (Candidate) -> Bool
    ) -> Int {
        var kept = 0
        for index in 0..<active where keep(buffer[index]) {
            buffer[kept] = buffer[index]
            kept += 1
        }
        return kept
    }
}

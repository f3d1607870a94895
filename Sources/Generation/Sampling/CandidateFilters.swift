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
        return applyAfterTopK(parameters, to: UnsafeMutableBufferPointer(rebasing: buffer[..<active]), sorted: sorted)
    }

    /// The stages after top-k (top-p, min-p) on `buffer`, whose entries are all finite or
    /// +infinity; `sorted`: it is best first. Returns how many of its entries survive.
    static func applyAfterTopK(_ parameters: SamplingParameters, to buffer: UnsafeMutableBufferPointer<Candidate>,
                               sorted: Bool) -> Int {
        var active = buffer.count
        var sorted = sorted
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
    /// `buffer`) reaches `p`, the crossing token included. Survivors end up sorted best first.
    static func topP(_ p: Float, buffer: UnsafeMutableBufferPointer<Candidate>, sorted: Bool) -> Int {
        let count = buffer.count
        let maximum = sorted ? buffer[0].logit : Sampler.maximumLogit(UnsafeBufferPointer(buffer))
        let total = buffer.reduce(0.0) { $0 + Double(exp($1.logit - maximum)) }
        let target = Double(p) * total
        if sorted { return prefixReaching(target, maximum: maximum, in: buffer) ?? count }
        // Peaked rows (the usual case) reach p within a small window of the best candidates;
        // flat ones fall back to a mass-guided quickselect instead of sorting everything.
        let window = min(Sampler.topPInitialWindow, count)
        CandidateSelection.moveBestToFront(window, of: buffer)
        if let kept = prefixReaching(target, maximum: maximum, in: UnsafeMutableBufferPointer(rebasing: buffer[..<window])) {
            return kept
        }
        let kept = CandidateSelection.moveBestByMassToFront(target, maximum: maximum, of: buffer)
        CandidateSelection.moveBestToFront(kept, of: UnsafeMutableBufferPointer(rebasing: buffer[..<kept]))
        return kept
    }

    /// Length of the shortest prefix of a best-first `buffer` whose weight reaches `target`,
    /// or nil when the whole buffer falls short.
    private static func prefixReaching(
        _ target: Double, maximum: Float, in buffer: UnsafeMutableBufferPointer<Candidate>
    ) -> Int? {
        var cumulative = 0.0
        for index in buffer.indices {
            cumulative += Double(exp(buffer[index].logit - maximum))
            if cumulative >= target { return index + 1 }
        }
        return nil
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

import Foundation

/// Chooses the next token from a row of logits, in llama.cpp's default order:
/// logit bias -> repetition / frequency / presence penalties -> (greedy: argmax) -> top-k ->
/// top-p -> min-p -> temperature -> softmax -> seeded draw.
///
/// Top-p and min-p see probabilities at temperature 1, as in llama.cpp, where the temperature
/// stage comes after them. Buffers are kept between calls: after the first call for a given
/// vocabulary size, sampling allocates nothing.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var random: SeededRandom
    private var candidates: [Candidate] = []  // [vocab]; the first `active` are the survivors
    private var tokenCounts: [Int32] = []     // [vocab] occurrences in the penalty window; all zero between calls
    private var windowTokens: [Int] = []      // distinct ids counted in this call, to reset tokenCounts
    private let biases: [(id: Int, bias: Float)]  // logitBias sorted by id, so application order is fixed

    /// Top-p without top-k first looks for p among this many of the best candidates: a typical
    /// LLM row reaches p = 0.95 within a few hundred tokens, and selecting them costs little more
    /// than one scan. Flatter rows fall back to a quickselect over the whole row.
    static let topPInitialWindow = 256

    /// `parameters` should have passed `validate()`; out-of-range values turn their stage off
    /// rather than crash (a NaN top-p is ignored, a negative top-k means no top-k, ...).
    public init(parameters: SamplingParameters) {
        self.parameters = parameters
        random = SeededRandom(seed: parameters.seed)
        biases = parameters.logitBias.sorted { $0.key < $1.key }.map { (id: $0.key, bias: $0.value) }
    }

    /// Picks a token id. `logits` is one row, [vocab]; it is modified in place (bias and
    /// penalties). `history` holds the tokens so far (prompt and generated), oldest first; ids
    /// outside the vocabulary are ignored. An empty row returns 0; a row whose every logit is
    /// -infinity or NaN returns the lowest id, 0.
    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>, history: some Collection<Int>) -> Int {
        guard !logits.isEmpty else { return 0 }
        applyLogitBias(logits)
        applyPenalties(logits, history: history)
        if parameters.isGreedy { return Self.argmax(UnsafeBufferPointer(logits)) }
        let active = filterCandidates(UnsafeBufferPointer(logits))
        guard active > 0 else { return Self.argmax(UnsafeBufferPointer(logits)) }
        let temperature = parameters.temperature
        let draw = random.nextUnitInterval()
        return candidates.withUnsafeBufferPointer { all in
            Self.pick(draw, from: UnsafeBufferPointer(rebasing: all[..<active]), temperature: temperature)
        }
    }

    /// The distribution `sample` would draw from for these inputs: surviving ids with their
    /// probabilities after temperature, best first when a top-k or top-p stage ran (otherwise in
    /// id order). Greedy parameters give the argmax with probability 1. Draws no random number;
    /// allocates the result, so it is meant for tests and inspection, not the decode loop.
    public mutating func distribution(
        logits: UnsafeMutableBufferPointer<Float>, history: some Collection<Int>
    ) -> [(id: Int, probability: Float)] {
        guard !logits.isEmpty else { return [] }
        applyLogitBias(logits)
        applyPenalties(logits, history: history)
        let active = parameters.isGreedy ? 0 : filterCandidates(UnsafeBufferPointer(logits))
        guard active > 0 else { return [(id: Self.argmax(UnsafeBufferPointer(logits)), probability: 1)] }
        let temperature = parameters.temperature
        return candidates.withUnsafeBufferPointer { all in
            let survivors = UnsafeBufferPointer(rebasing: all[..<active])
            let maximum = Self.maximumLogit(survivors)
            let total = survivors.reduce(0.0) { $0 + Self.weight($1.logit, maximum, temperature) }
            return survivors.map { candidate in
                let probability = Self.weight(candidate.logit, maximum, temperature) / total
                return (id: Int(candidate.id), probability: Float(probability))
            }
        }
    }

    /// The lowest id among the largest logits; NaN never wins. All -infinity or NaN gives 0.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        var bestLogit = -Float.infinity
        for index in logits.indices where logits[index] > bestLogit {
            best = index
            bestLogit = logits[index]
        }
        return best
    }

    private func applyLogitBias(_ logits: UnsafeMutableBufferPointer<Float>) {
        for (id, bias) in biases where id >= 0 && id < logits.count {
            logits[id] += bias
        }
    }

    private mutating func applyPenalties(_ logits: UnsafeMutableBufferPointer<Float>, history: some Collection<Int>) {
        let repetition = parameters.repetitionPenalty
        let frequency = parameters.frequencyPenalty
        let presence = parameters.presencePenalty
        let window = parameters.penaltyLastN
        let anyPenalty = (repetition != 1 && repetition > 0) || frequency != 0 || presence != 0
        guard anyPenalty, window != 0, window >= -1, !history.isEmpty else { return }
        let vocabularySize = logits.count
        if tokenCounts.count != vocabularySize {
            tokenCounts = Array(repeating: 0, count: vocabularySize)
        }
        windowTokens.removeAll(keepingCapacity: true)
        if window > 0 { windowTokens.reserveCapacity(window) }
        let recent = window == -1 ? history[...] : history.suffix(window)
        for token in recent where token >= 0 && token < vocabularySize {
            if tokenCounts[token] == 0 { windowTokens.append(token) }
            tokenCounts[token] += 1
        }
        for token in windowTokens {
            let count = tokenCounts[token]
            tokenCounts[token] = 0
            var logit = logits[token]
            if repetition != 1 && repetition > 0 {
                // Dividing a negative logit would raise it, so negative ones are multiplied.
                logit = logit > 0 ? logit / repetition : logit * repetition
            }
            // OpenAI's definition: each occurrence costs `frequency`, being present costs `presence` once.
            logit -= Float(count) * frequency + presence
            logits[token] = logit
        }
    }

    /// Loads every logit as a candidate and runs top-k, top-p and min-p; returns how many of
    /// `candidates` survive (0 when every logit is -infinity or NaN).
    private mutating func filterCandidates(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let vocabularySize = logits.count
        if candidates.count != vocabularySize {
            candidates = Array(repeating: Candidate(logit: 0, id: 0), count: vocabularySize)
        }
        let parameters = self.parameters
        return candidates.withUnsafeMutableBufferPointer { buffer in
            // Top-k straight from the logits (the default chain): one pass, no copy of the
            // vocabulary; the same survivors in the same order as the general path below.
            let k = parameters.topK
            if k > 0, k < vocabularySize, CandidateSelection.moveBestLogitsToFront(k, of: logits, into: buffer) {
                return CandidateFilters.applyAfterTopK(parameters, to: UnsafeMutableBufferPointer(rebasing: buffer[..<k]),
                                                       sorted: true)
            }
            for index in 0..<vocabularySize {
                let logit = logits[index]
                buffer[index] = Candidate(logit: logit.isNaN ? -.infinity : logit, id: Int32(truncatingIfNeeded: index))
            }
            return CandidateFilters.apply(parameters, to: buffer)
        }
    }

    /// The candidate whose cumulative probability first exceeds `draw` (uniform in [0, 1)).
    private static func pick(_ draw: Double, from survivors: UnsafeBufferPointer<Candidate>, temperature: Float) -> Int {
        let maximum = maximumLogit(survivors)
        let total = survivors.reduce(0.0) { $0 + weight($1.logit, maximum, temperature) }
        let target = draw * total
        var cumulative = 0.0
        var lastPossible = Int(survivors[0].id)
        for candidate in survivors {
            let candidateWeight = weight(candidate.logit, maximum, temperature)
            guard candidateWeight > 0 else { continue }
            cumulative += candidateWeight
            lastPossible = Int(candidate.id)
            if cumulative > target { return lastPossible }
        }
        // Rounding can leave `target` a hair above the final sum; the last possible token is right.
        return lastPossible
    }

    static func maximumLogit(_ survivors: UnsafeBufferPointer<Candidate>) -> Float {
        survivors.reduce(-Float.infinity) { max($0, $1.logit) }
    }

    /// Unnormalised probability exp((logit - max) / T), returned as Double so that sums over a
    /// whole vocabulary keep their precision; -infinity logits weigh exactly 0 at any temperature.
    @inline(__always)
    static func weight(_ logit: Float, _ maximum: Float, _ temperature: Float) -> Double {
        guard logit > -.infinity else { return 0 }
        return Double(exp((logit - maximum) / temperature))
    }
}

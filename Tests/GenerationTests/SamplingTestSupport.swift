import Foundation
import Generation

/// Runs one `sample` call on a copy of `logits`.
func sampleToken(_ sampler: inout Sampler, _ logits: [Float], history: [Int] = []) -> Int {
    var row = logits
    return row.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: history) }
}

/// The logits after one greedy `sample` call applied bias and penalties in place.
func logitsAfterSampling(_ parameters: SamplingParameters, _ logits: [Float], history: [Int]) -> [Float] {
    var sampler = Sampler(parameters: parameters)
    var row = logits
    _ = row.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: history) }
    return row
}

/// The surviving ids and probabilities `sample` would draw from.
func samplingDistribution(
    _ parameters: SamplingParameters, _ logits: [Float], history: [Int] = []
) -> [(id: Int, probability: Float)] {
    var sampler = Sampler(parameters: parameters)
    var row = logits
    return row.withUnsafeMutableBufferPointer { sampler.distribution(logits: $0, history: history) }
}

/// Parameters with every filter off, so a test turns on exactly the stage it checks.
func unfiltered(temperature: Float = 1, seed: UInt64 = 7) -> SamplingParameters {
    SamplingParameters(temperature: temperature, topK: 0, topP: 1, minP: 0, seed: seed)
}

/// Softmax in Double, the reference the sampler's probabilities are checked against.
func referenceSoftmax(_ logits: [Float], temperature: Double = 1) -> [Double] {
    let maximum = Double(logits.max() ?? 0)
    let weights = logits.map { Foundation.exp((Double($0) - maximum) / temperature) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
}

/// Deterministic logits: uniform in [-range, range), rounded to `step` so that ties occur.
func seededLogits(count: Int, seed: UInt64, range: Float = 10, step: Float = 0.01) -> [Float] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in
        let value = Float(random.nextUnitInterval() * 2 - 1) * range
        return (value / step).rounded() * step
    }
}

/// Ids of `logits` ranked best first with a full sort: higher logit, then lower id.
func rankedIds(_ logits: [Float]) -> [Int] {
    logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
}

import Foundation
import Generation
import Testing

/// Log-probabilities are computed in Double and stored as Float: one Float ulp at magnitude ~10.
private let logprobTolerance: Float = 1e-5
/// Five probabilities, each exp of a Float log-probability within one ulp: the sum is off by ~1e-7.
private let probabilitySumTolerance = 1e-6

private func referenceLogSoftmax(_ logits: [Float]) -> [Float] {
    referenceSoftmax(logits).map { Float(Foundation.log($0)) }
}

private func logSoftmaxArray(_ logits: [Float]) -> [Float] {
    var output = [Float](repeating: .nan, count: logits.count)
    logits.withUnsafeBufferPointer { row in
        output.withUnsafeMutableBufferPointer { logSoftmax(row, into: $0) }
    }
    return output
}

@Suite struct SamplingLogprobTests {
    @Test func logSoftmaxMatchesTheDefinition() {
        let row: [Float] = [1, 2, 3, -4, 0.25]
        let result = logSoftmaxArray(row)
        for (value, expected) in zip(result, referenceLogSoftmax(row)) {
            #expect(abs(value - expected) < logprobTolerance)
        }
        let total = result.reduce(0.0) { $0 + Foundation.exp(Double($1)) }
        #expect(abs(total - 1) < probabilitySumTolerance)
    }

    @Test func logSoftmaxDoesNotOverflowOnHugeLogits() {
        let result = logSoftmaxArray([1_000, 1_000, -1_000])
        #expect(abs(result[0] - Float(Foundation.log(0.5))) < logprobTolerance)
        #expect(abs(result[1] - Float(Foundation.log(0.5))) < logprobTolerance)
        #expect(result[2] < -1_999)
    }

    @Test func bannedAndNaNLogitsGetMinusInfinity() {
        let result = logSoftmaxArray([0, -.infinity, .nan, 0])
        #expect(result[1] == -.infinity && result[2] == -.infinity)
        #expect(abs(result[0] - Float(Foundation.log(0.5))) < logprobTolerance)
        #expect(logSoftmaxArray([-.infinity, -.infinity]) == [-.infinity, -.infinity])
    }

    @Test func logSoftmaxNeverWritesPastAShortOutput() {
        var output: [Float] = [9]
        [Float(1), 2, 3].withUnsafeBufferPointer { row in
            output.withUnsafeMutableBufferPointer { logSoftmax(row, into: $0) }
        }
        #expect(abs(output[0] - referenceLogSoftmax([1, 2, 3])[0]) < logprobTolerance)
    }

    @Test func topLogprobsAreSortedWithTiesByLowerId() {
        let row: [Float] = [0.5, 3, 3, -1, 2]
        let top = row.withUnsafeBufferPointer { topLogprobs($0, k: 3) }
        #expect(top.map(\.id) == [1, 2, 4])
        let reference = referenceLogSoftmax(row)
        for entry in top { #expect(abs(entry.logprob - reference[entry.id]) < logprobTolerance) }
    }

    @Test func topLogprobsClampsK() {
        let row: [Float] = [0, 1]
        #expect(row.withUnsafeBufferPointer { topLogprobs($0, k: 5) }.map(\.id) == [1, 0])
        #expect(row.withUnsafeBufferPointer { topLogprobs($0, k: 0) }.isEmpty)
        #expect(row.withUnsafeBufferPointer { topLogprobs($0, k: -1) }.isEmpty)
        #expect([Float]().withUnsafeBufferPointer { topLogprobs($0, k: 3) }.isEmpty)
    }

    @Test func topLogprobsMatchAFullSortOnAWholeVocabulary() {
        let row = seededLogits(count: 49_152, seed: 21)
        let top = row.withUnsafeBufferPointer { topLogprobs($0, k: 20) }
        #expect(top.map(\.id) == Array(rankedIds(row).prefix(20)))
        let all = logSoftmaxArray(row)
        for entry in top { #expect(abs(entry.logprob - all[entry.id]) < logprobTolerance) }
    }
}

import Foundation
import Generation
import Testing

/// Probabilities are computed in Double and returned as Float; this covers the Float rounding.
private let probabilityTolerance: Float = 1e-6

/// Logits whose softmax at temperature 1 is exactly (up to rounding) the given probabilities.
private func logits(fromProbabilities probabilities: [Double]) -> [Float] {
    probabilities.map { Float(Foundation.log($0)) }
}

@Suite struct SamplingFilterTests {
    // Probabilities 0.05, 0.5, 0.15, 0.3 on ids 0...3: best first the ids are 1, 3, 2, 0.
    let fourTokens = logits(fromProbabilities: [0.05, 0.5, 0.15, 0.3])

    @Test func topKKeepsTheKBestSortedBestFirst() {
        var parameters = unfiltered()
        parameters.topK = 2
        #expect(samplingDistribution(parameters, [1, 5, 3, 4, 2]).map(\.id) == [1, 3])
        parameters.topK = 1
        #expect(samplingDistribution(parameters, [1, 5, 3, 4, 2]).map(\.id) == [1])
    }

    @Test func topKBreaksTiesAtTheBoundaryByLowerId() {
        var parameters = unfiltered()
        parameters.topK = 2
        #expect(samplingDistribution(parameters, [2, 1, 2, 2]).map(\.id) == [0, 2])
    }

    @Test func topKLargerThanTheRowKeepsEverything() {
        var parameters = unfiltered()
        parameters.topK = 10
        #expect(samplingDistribution(parameters, [1, 5, 3]).map(\.id) == [0, 1, 2])
    }

    @Test func topKMatchesAFullSortOnAWholeVocabulary() {
        // 49,152 = SmolLM2's vocabulary; the 0.01 rounding of the logits forces many ties.
        let row = seededLogits(count: 49_152, seed: 11)
        var parameters = unfiltered()
        parameters.topK = 40
        #expect(samplingDistribution(parameters, row).map(\.id) == Array(rankedIds(row).prefix(40)))
    }

    @Test func topKSkipsBannedAndNaNLogitsAndRunsOnlyWhenMoreThanKRemain() {
        var parameters = unfiltered()
        parameters.topK = 2
        let inf = Float.infinity
        // -infinity and NaN never survive, even among the first k scanned.
        #expect(samplingDistribution(parameters, [-inf, .nan, 1, 3, 2]).map(\.id) == [3, 4])
        // Exactly k drawable logits: the top-k stage does not run, survivors stay in id order.
        #expect(samplingDistribution(parameters, [-inf, 1, -inf, 3, .nan]).map(\.id) == [1, 3])
        // Ties with the worst kept logit later in the row rank below it (higher id).
        #expect(samplingDistribution(parameters, [1, 2, 1, 2, 2]).map(\.id) == [1, 3])
        // With a whole vocabulary mostly banned, the same survivors as a full sort of the rest.
        var row = seededLogits(count: 49_152, seed: 12)
        for index in row.indices where index % 3 != 0 { row[index] = index % 2 == 0 ? -inf : .nan }
        parameters.topK = 40
        let drawable = row.indices.filter { row[$0] > -inf }
        let ranked = drawable.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        #expect(samplingDistribution(parameters, row).map(\.id) == Array(ranked.prefix(40)))
    }

    @Test func topPKeepsTheSmallestPrefixReachingP() {
        var parameters = unfiltered()
        parameters.topP = 0.4
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1])
        parameters.topP = 0.75
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3])
        parameters.topP = 0.9
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3, 2])
        parameters.topP = 0.99
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3, 2, 0])
    }

    @Test func topPRenormalisesTheSurvivors() {
        var parameters = unfiltered()
        parameters.topP = 0.75
        let survivors = samplingDistribution(parameters, fourTokens)
        #expect(abs(survivors[0].probability - 0.625) < probabilityTolerance)  // 0.5 / 0.8
        #expect(abs(survivors[1].probability - 0.375) < probabilityTolerance)  // 0.3 / 0.8
    }

    @Test func topPSeesOnlyWhatTopKKept() {
        var parameters = unfiltered()
        parameters.topK = 2
        parameters.topP = 0.6  // of 0.5 + 0.3 = 0.8, token 1 alone holds 0.625
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1])
    }

    @Test func topPWithoutTopKWidensItsWindowBeyondTheFirstSelection() {
        // 5,000 equal logits: p = 0.5 needs exactly 2,500 of them, far beyond the first window.
        var parameters = unfiltered()
        parameters.topP = 0.5
        let survivors = samplingDistribution(parameters, [Float](repeating: 1, count: 5_000))
        #expect(survivors.map(\.id) == Array(0..<2_500))
    }

    @Test(arguments: [(12 as UInt64, 12 as Float, 0.95 as Float), (13, 3, 0.5), (14, 20, 0.99), (15, 6, 0.2)])
    func topPWithoutTopKMatchesAFullSortOnAWholeVocabulary(seed: UInt64, range: Float, p: Float) {
        // Flat rows (small range) need thousands of tokens and take the quickselect path;
        // peaked ones (large range) are settled within the first window.
        let row = seededLogits(count: 49_152, seed: seed, range: range)
        var parameters = unfiltered()
        parameters.topP = p
        let survivors = samplingDistribution(parameters, row).map(\.id)
        let ranked = rankedIds(row)
        let probabilities = referenceSoftmax(row)
        var cumulative = 0.0
        var expectedCount = 0
        while cumulative < Double(p) {
            cumulative += probabilities[ranked[expectedCount]]
            expectedCount += 1
        }
        #expect(survivors == Array(ranked.prefix(expectedCount)))
    }

    @Test func minPKeepsTokensAtLeastPTimesTheBest() {
        var parameters = unfiltered()
        parameters.minP = 0.2  // threshold 0.1: drops 0.05
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 2, 3])
        parameters.minP = 0.5  // threshold 0.25: keeps 0.5 and 0.3
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3])
        parameters.minP = 1  // only the best (and its ties)
        #expect(samplingDistribution(parameters, [1, 3, 2, 3]).map(\.id) == [1, 3])
    }

    @Test func minPOnSortedSurvivorsKeepsTheirOrder() {
        var parameters = unfiltered()
        parameters.topK = 3
        parameters.minP = 0.4  // threshold 0.2 of the top-3 survivors 0.5, 0.3, 0.15
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3])
    }

    @Test func defaultChainOnAHandMadeRow() {
        // Probabilities 0.04, 0.5, 0.15, 0.31: top-k 40 keeps all four, top-p 0.95 stops at
        // 0.5 + 0.31 + 0.15 = 0.96, min-p 0.05 (threshold 0.025) keeps those three.
        let row = logits(fromProbabilities: [0.04, 0.5, 0.15, 0.31])
        let survivors = samplingDistribution(SamplingParameters(temperature: 1), row)
        #expect(survivors.map(\.id) == [1, 3, 2])
    }

    @Test func temperatureSharpensTheDistributionAfterTheFilters() {
        let row: [Float] = [1, 2, 0.5, -1, 3]
        for temperature in [0.5, 1, 2] as [Float] {
            let survivors = samplingDistribution(unfiltered(temperature: temperature), row)
            let expected = referenceSoftmax(row, temperature: Double(temperature))
            #expect(survivors.map(\.id) == [0, 1, 2, 3, 4])
            for (id, probability) in survivors {
                #expect(abs(probability - Float(expected[id])) < probabilityTolerance)
            }
        }
    }

    @Test func filtersUseTemperatureOneProbabilities() {
        // At temperature 0.1 token 1 would hold > 0.99, but min-p is judged at temperature 1.
        var parameters = unfiltered(temperature: 0.1)
        parameters.minP = 0.5
        #expect(samplingDistribution(parameters, fourTokens).map(\.id) == [1, 3])
    }
}

import Generation
import Testing

@Suite struct SamplingGreedyAndPenaltyTests {
    @Test func greedyPicksTheLargestLogit() {
        var sampler = Sampler(parameters: .greedy)
        #expect(sampleToken(&sampler, [0.1, 2.5, -1, 2.4]) == 1)
        #expect(sampleToken(&sampler, [-3, -2, -7]) == 1)
    }

    @Test func greedyTiesGoToTheLowestId() {
        var sampler = Sampler(parameters: .greedy)
        #expect(sampleToken(&sampler, [1, 3, 3, 2, 3]) == 1)
    }

    @Test func greedyIgnoresNaNAndSurvivesAllBanned() {
        var sampler = Sampler(parameters: .greedy)
        #expect(sampleToken(&sampler, [.nan, 1, 2, .nan]) == 2)
        #expect(sampleToken(&sampler, [-.infinity, -.infinity]) == 0)
        #expect(sampleToken(&sampler, []) == 0)
    }

    @Test func greedyIgnoresTemperatureFiltersAndSeed() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, topK: 1, seed: 5))
        for _ in 0..<10 { #expect(sampleToken(&sampler, [0, 0.5, 0.49]) == 1) }
    }

    @Test func logitBiasIsAddedBeforeChoosing() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, logitBias: [2: 1.5]))
        #expect(sampleToken(&sampler, [0, 2, 1]) == 2)
        let row = logitsAfterSampling(SamplingParameters(temperature: 0, logitBias: [0: -0.5, 2: 1.5]), [0, 2, 1], history: [])
        #expect(row == [-0.5, 2, 2.5])
    }

    @Test func minusInfinityBiasBansAToken() {
        let banned = SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0, logitBias: [1: -.infinity], seed: 3)
        var greedy = Sampler(parameters: SamplingParameters(temperature: 0, logitBias: [1: -.infinity]))
        #expect(sampleToken(&greedy, [0, 9, 1]) == 2)
        var sampler = Sampler(parameters: banned)
        // Token 1 would be drawn about 99.9% of the time without the ban.
        for _ in 0..<1_000 { #expect(sampleToken(&sampler, [0, 9, 1]) != 1) }
        #expect(samplingDistribution(banned, [0, 9, 1]).map(\.id) == [0, 2])
    }

    @Test func biasForTokensOutsideTheRowIsIgnored() {
        let row = logitsAfterSampling(SamplingParameters(temperature: 0, logitBias: [7: 1]), [1, 2], history: [])
        #expect(row == [1, 2])
    }

    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        let parameters = SamplingParameters(temperature: 0, repetitionPenalty: 2)
        let row = logitsAfterSampling(parameters, [2, -2, 1, 3], history: [0, 1, 0])
        // Token 0 appears twice but the repetition penalty applies once per distinct token.
        #expect(row == [1, -4, 1, 3])
    }

    @Test func frequencyAndPresencePenaltiesFollowOpenAI() {
        let parameters = SamplingParameters(temperature: 0, frequencyPenalty: 0.5, presencePenalty: 0.25)
        let row = logitsAfterSampling(parameters, [2, 1, 1, 0], history: [0, 0, 2])
        // logit -= count * frequency + (count > 0) * presence
        let expected: [Float] = [2 - 1.25, 1, 1 - 0.75, 0]
        #expect(row == expected)
    }

    @Test func repetitionComesBeforeFrequencyAndPresence() {
        let parameters = SamplingParameters(
            temperature: 0, repetitionPenalty: 2, frequencyPenalty: 1, presencePenalty: 0.5)
        let row = logitsAfterSampling(parameters, [4, -1], history: [0, 1, 1])
        // 4 / 2 - (1 * 1 + 0.5) and -1 * 2 - (2 * 1 + 0.5)
        let expected: [Float] = [0.5, -4.5]
        #expect(row == expected)
    }

    @Test func penaltiesLookOnlyAtTheWindow() {
        let windowed = SamplingParameters(temperature: 0, presencePenalty: 1, penaltyLastN: 2)
        #expect(logitsAfterSampling(windowed, [5, 5, 5, 5], history: [0, 1, 2]) == [5, 4, 4, 5])
        let whole = SamplingParameters(temperature: 0, presencePenalty: 1, penaltyLastN: -1)
        #expect(logitsAfterSampling(whole, [5, 5, 5, 5], history: [0, 1, 2]) == [4, 4, 4, 5])
        let off = SamplingParameters(temperature: 0, presencePenalty: 1, penaltyLastN: 0)
        #expect(logitsAfterSampling(off, [5, 5, 5, 5], history: [0, 1, 2]) == [5, 5, 5, 5])
    }

    @Test func penaltiesIgnoreIdsOutsideTheVocabulary() {
        let parameters = SamplingParameters(temperature: 0, frequencyPenalty: 1)
        #expect(logitsAfterSampling(parameters, [1, 1], history: [-1, 5, 1]) == [1, 0])
    }

    @Test func penaltyCountsDoNotLeakBetweenCalls() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, frequencyPenalty: 1))
        for _ in 0..<3 {
            var row: [Float] = [3, 3, 0]
            let token = row.withUnsafeMutableBufferPointer { sampler.sample(logits: $0, history: [0, 0]) }
            #expect(token == 1)
            #expect(row == [1, 3, 0])
        }
    }

    @Test func penaltiesCanChangeTheGreedyChoice() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, repetitionPenalty: 1.5))
        #expect(sampleToken(&sampler, [3, 2.5, 0], history: [0]) == 1)
    }
}

import Foundation
import Generation
import Testing

@Suite struct SamplingParametersTests {
    @Test func defaultsAreLlamaCppCommandLineDefaults() {
        let defaults = SamplingParameters()
        #expect(defaults.temperature == 0.8)
        #expect(defaults.topK == 40)
        #expect(defaults.topP == 0.95)
        #expect(defaults.minP == 0.05)
        #expect(defaults.repetitionPenalty == 1)
        #expect(defaults.frequencyPenalty == 0)
        #expect(defaults.presencePenalty == 0)
        #expect(defaults.penaltyLastN == 64)
        #expect(defaults.logitBias.isEmpty)
        #expect(!defaults.isGreedy)
        #expect(throws: Never.self) { try defaults.validate() }
    }

    @Test func greedyTurnsEverythingOff() throws {
        let greedy = SamplingParameters.greedy
        #expect(greedy.isGreedy)
        #expect(greedy.temperature == 0)
        #expect(greedy.topK == 0 && greedy.topP == 1 && greedy.minP == 0)
        try greedy.validate()
    }

    @Test(arguments: [
        (SamplingParameters(temperature: -0.1), SamplingError.invalidTemperature(-0.1)),
        (SamplingParameters(temperature: .nan), SamplingError.invalidTemperature(.nan)),
        (SamplingParameters(topK: -1), SamplingError.invalidTopK(-1)),
        (SamplingParameters(topP: 0), SamplingError.invalidTopP(0)),
        (SamplingParameters(topP: 1.5), SamplingError.invalidTopP(1.5)),
        (SamplingParameters(minP: -0.1), SamplingError.invalidMinP(-0.1)),
        (SamplingParameters(minP: 1.1), SamplingError.invalidMinP(1.1)),
        (SamplingParameters(repetitionPenalty: 0), SamplingError.invalidRepetitionPenalty(0)),
        (SamplingParameters(frequencyPenalty: .infinity), SamplingError.invalidFrequencyPenalty(.infinity)),
        (SamplingParameters(presencePenalty: -.infinity), SamplingError.invalidPresencePenalty(-.infinity)),
        (SamplingParameters(penaltyLastN: -2), SamplingError.invalidPenaltyWindow(-2)),
        (SamplingParameters(logitBias: [-3: 1]), SamplingError.invalidLogitBias(token: -3, bias: 1)),
    ])
    func validationRejects(parameters: SamplingParameters, expected: SamplingError) {
        do {
            try parameters.validate()
            Issue.record("\(parameters) passed validation")
        } catch {
            // NaN != NaN, so compare the messages, which name the field and value.
            #expect(error.description == expected.description)
        }
    }

    @Test func validationMessagesNameTheFieldAndRange() {
        #expect(SamplingError.invalidTopP(1.5).description == "top_p 1.5 is invalid: it must be in (0, 1] (1 turns it off)")
        #expect(SamplingError.invalidTemperature(-1).description.contains("temperature -1.0"))
    }

    @Test func logitBiasMustNameTokensInTheVocabulary() throws {
        let parameters = SamplingParameters(logitBias: [5: -.infinity, 49_152: 2])
        try parameters.validate()
        #expect(throws: SamplingError.logitBiasTokenOutOfRange(token: 49_152, vocabularySize: 49_152)) {
            try parameters.validate(vocabularySize: 49_152)
        }
        try SamplingParameters(logitBias: [5: -.infinity]).validate(vocabularySize: 49_152)
    }

    @Test func missingJSONFieldsTakeDefaults() throws {
        let json = Data(#"{"temperature": 0, "topK": 5, "logitBias": {"17": -100}}"#.utf8)
        let decoded = try JSONDecoder().decode(SamplingParameters.self, from: json)
        var expected = SamplingParameters()
        expected.temperature = 0
        expected.topK = 5
        expected.logitBias = [17: -100]
        #expect(decoded == expected)
    }

    @Test func encodingRoundTrips() throws {
        let parameters = SamplingParameters(
            temperature: 0.6, topK: 20, topP: 0.9, minP: 0.1, repetitionPenalty: 1.1,
            frequencyPenalty: 0.2, presencePenalty: 0.3, penaltyLastN: -1, logitBias: [3: 1.5], seed: 99)
        let decoded = try JSONDecoder().decode(SamplingParameters.self, from: JSONEncoder().encode(parameters))
        #expect(decoded == parameters)
    }
}

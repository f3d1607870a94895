/// How the next token is chosen from the model's logits.
///
/// Defaults follow llama.cpp's command-line defaults (`common/common.h`, `common_params_sampling`):
/// temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, repetition penalty 1.0 (off), frequency and
/// presence penalties 0 (off), penalty window 64 tokens. Unlike llama.cpp, whose default seed means
/// "pick one at random", the default seed here is fixed so that runs repeat; callers that want
/// variety pass their own seed.
public struct SamplingParameters: Sendable, Equatable, Codable {
    /// Divides the logits before the final draw; 0 (or less) means greedy: the most likely token.
    public var temperature: Float
    /// Keep only the k most likely tokens; 0 turns it off.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1 turns it off.
    public var topP: Float
    /// Drop tokens less likely than minP times the most likely one; 0 turns it off.
    public var minP: Float
    /// Divides positive logits and multiplies negative ones of recently seen tokens; 1 turns it off.
    public var repetitionPenalty: Float
    /// Subtracted once per occurrence of a token in the window (OpenAI's frequency_penalty).
    public var frequencyPenalty: Float
    /// Subtracted once from every token present in the window (OpenAI's presence_penalty).
    public var presencePenalty: Float
    /// How many of the most recent tokens the penalties look at; 0 turns them off, -1 means all.
    public var penaltyLastN: Int
    /// Added to the logit of each listed token id before anything else; -infinity bans a token.
    public var logitBias: [Int: Float]
    /// Seed of the random draw; the same seed and inputs give the same tokens.
    public var seed: UInt64

    public static let defaultTemperature: Float = 0.8
    public static let defaultTopK = 40
    public static let defaultTopP: Float = 0.95
    public static let defaultMinP: Float = 0.05
    public static let defaultPenaltyLastN = 64
    public static let defaultSeed: UInt64 = 42

    public init(
        temperature: Float = defaultTemperature,
        topK: Int = defaultTopK,
        topP: Float = defaultTopP,
        minP: Float = defaultMinP,
        repetitionPenalty: Float = 1,
        frequencyPenalty: Float = 0,
        presencePenalty: Float = 0,
        penaltyLastN: Int = defaultPenaltyLastN,
        logitBias: [Int: Float] = [:],
        seed: UInt64 = defaultSeed
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.frequencyPenalty = frequencyPenalty
        self.presencePenalty = presencePenalty
        self.penaltyLastN = penaltyLastN
        self.logitBias = logitBias
        self.seed = seed
    }

    /// Always the most likely token (after logit bias); no filter, no penalty, no randomness.
    public static let greedy = SamplingParameters(temperature: 0, topK: 0, topP: 1, minP: 0)

    /// True when the draw is deterministic argmax.
    public var isGreedy: Bool { !(temperature > 0) }

    /// Throws the first invalid field, if any.
    public func validate() throws(SamplingError) {
        guard temperature.isFinite, temperature >= 0 else { throw .invalidTemperature(temperature) }
        guard topK >= 0 else { throw .invalidTopK(topK) }
        guard topP > 0, topP <= 1 else { throw .invalidTopP(topP) }
        guard minP >= 0, minP <= 1 else { throw .invalidMinP(minP) }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw .invalidRepetitionPenalty(repetitionPenalty)
        }
        guard frequencyPenalty.isFinite else { throw .invalidFrequencyPenalty(frequencyPenalty) }
        guard presencePenalty.isFinite else { throw .invalidPresencePenalty(presencePenalty) }
        guard penaltyLastN >= -1 else { throw .invalidPenaltyWindow(penaltyLastN) }
        for (token, bias) in logitBias.sorted(by: { $0.key < $1.key }) where token < 0 || bias.isNaN {
            throw .invalidLogitBias(token: token, bias: bias)
        }
    }

    /// `validate()`, plus every logit-bias token must exist in a vocabulary of this size.
    public func validate(vocabularySize: Int) throws(SamplingError) {
        try validate()
        if let token = logitBias.keys.filter({ $0 >= vocabularySize }).min() {
            throw .logitBiasTokenOutOfRange(token: token, vocabularySize: vocabularySize)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty
        case penaltyLastN, logitBias, seed
    }

    /// Missing fields take their defaults, so `{"temperature": 0}` is a complete request.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SamplingParameters()
        temperature = try container.decodeIfPresent(Float.self, forKey: .temperature) ?? defaults.temperature
        topK = try container.decodeIfPresent(Int.self, forKey: .topK) ?? defaults.topK
        topP = try container.decodeIfPresent(Float.self, forKey: .topP) ?? defaults.topP
        minP = try container.decodeIfPresent(Float.self, forKey: .minP) ?? defaults.minP
        repetitionPenalty = try container.decodeIfPresent(Float.self, forKey: .repetitionPenalty)
            ?? defaults.repetitionPenalty
        frequencyPenalty = try container.decodeIfPresent(Float.self, forKey: .frequencyPenalty)
            ?? defaults.frequencyPenalty
        presencePenalty = try container.decodeIfPresent(Float.self, forKey: .presencePenalty)
            ?? defaults.presencePenalty
        penaltyLastN = try container.decodeIfPresent(Int.self, forKey: .penaltyLastN) ?? defaults.penaltyLastN
        logitBias = try container.decodeIfPresent([Int: Float].self, forKey: .logitBias) ?? defaults.logitBias
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    }
}

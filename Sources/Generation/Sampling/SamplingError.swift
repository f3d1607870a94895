/// Why a set of sampling parameters cannot be used. Each case names the field and the value.
public enum SamplingError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidTemperature(Float)
    case invalidTopK(Int)
    case invalidTopP(Float)
    case invalidMinP(Float)
    case invalidRepetitionPenalty(Float)
    case invalidFrequencyPenalty(Float)
    case invalidPresencePenalty(Float)
    case invalidPenaltyWindow(Int)
    case invalidLogitBias(token: Int, bias: Float)
    case logitBiasTokenOutOfRange(token: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .invalidTemperature(let value):
            return "temperature \(value) is invalid: it must be a finite number >= 0 (0 means greedy)"
        case .invalidTopK(let value):
            return "top_k \(value) is invalid: it must be >= 0 (0 turns it off)"
        case .invalidTopP(let value):
            return "top_p \(value) is invalid: it must be in (0, 1] (1 turns it off)"
        case .invalidMinP(let value):
            return "min_p \(value) is invalid: it must be in [0, 1] (0 turns it off)"
        case .invalidRepetitionPenalty(let value):
            return "repetition penalty \(value) is invalid: it must be a finite number > 0 (1 turns it off)"
        case .invalidFrequencyPenalty(let value):
            return "frequency penalty \(value) is invalid: it must be a finite number"
        case .invalidPresencePenalty(let value):
            return "presence penalty \(value) is invalid: it must be a finite number"
        case .invalidPenaltyWindow(let value):
            return "penalty window \(value) is invalid: it must be >= 0, or -1 for the whole history"
        case .invalidLogitBias(let token, let bias):
            return "logit bias \(bias) for token \(token) is invalid: token ids are >= 0 and biases are not NaN"
        case .logitBiasTokenOutOfRange(let token, let vocabularySize):
            return "logit bias names token \(token), outside the vocabulary of \(vocabularySize) tokens"
        }
    }
}

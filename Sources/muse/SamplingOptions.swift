import ArgumentParser
import Generation

/// Sampling flags shared by `generate` and `chat`; defaults are llama.cpp's.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sampling temperature; 0 picks the most likely token (greedy).")
    var temperature: Float = SamplingParameters().temperature
    @Option(name: .customLong("top-k"), help: "Keep only the K most likely tokens (0: off).")
    var topK: Int = SamplingParameters().topK
    @Option(name: .customLong("top-p"), help: "Keep the smallest set of tokens whose probability reaches P (1: off).")
    var topP: Float = SamplingParameters().topP
    @Option(name: .customLong("min-p"), help: "Drop tokens less likely than P times the most likely one (0: off).")
    var minP: Float = SamplingParameters().minP
    @Option(name: .customLong("repeat-penalty"), help: "Penalty for tokens seen in the last --repeat-last-n (1: off).")
    var repeatPenalty: Float = SamplingParameters().repetitionPenalty
    @Option(name: .customLong("repeat-last-n"), help: "How many recent tokens the penalties consider.")
    var repeatLastN: Int = SamplingParameters().penaltyLastN
    @Option(name: .customLong("frequency-penalty"), help: "OpenAI-style frequency penalty.")
    var frequencyPenalty: Float = 0
    @Option(name: .customLong("presence-penalty"), help: "OpenAI-style presence penalty.")
    var presencePenalty: Float = 0
    @Option(help: "Random seed: the same seed gives the same output.")
    var seed: UInt64 = SamplingParameters().seed

    var parameters: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repetitionPenalty = repeatPenalty
        p.penaltyLastN = repeatLastN
        p.frequencyPenalty = frequencyPenalty
        p.presencePenalty = presencePenalty
        p.seed = seed
        return p
    }
}

import Foundation
import Generation

/// The assistant's answer styles, chosen with `mode` or a `:mode` suffix on the model id
/// (`SmolLM2-135M-Instruct.Q4_1:thinking`). Without either, a request is answered as it is.
public enum ChatMode: String, CaseIterable, Sendable {
    case instant, thinking, contemplating, shopping, health

    /// The model id without its `:mode` suffix, and the mode asked for by either way.
    public static func split(model: String?, field: String?) throws(APIError) -> (model: String?, mode: ChatMode?) {
        var model = model, suffix: String?
        if let id = model, let colon = id.lastIndex(of: ":"), ChatMode(rawValue: String(id[id.index(after: colon)...])) != nil {
            suffix = String(id[id.index(after: colon)...])
            model = String(id[..<colon])
        }
        if let field, let suffix, field != suffix {
            throw .badRequest("mode '\(field)' and the model suffix ':\(suffix)' disagree", param: "mode")
        }
        guard let name = field ?? suffix else { return (model, nil) }
        guard let mode = ChatMode(rawValue: name) else {
            throw .badRequest("mode '\(name)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))", param: "mode")
        }
        return (model, mode)
    }

    /// What the mode adds to the system prompt.
    var systemText: String? {
        switch self {
        case .instant: return "Answer directly and briefly, in one to three sentences, without preamble."
        case .thinking, .contemplating:
            return "Think before you answer. First reason step by step, then write \"Answer:\" followed by the final answer."
        case .health:
            return "You give general health and nutrition information, not medical advice. Be factual and careful, "
                + "suggest a doctor or dietitian for personal medical questions, and never propose extreme diets."
        case .shopping: return nil
        }
    }
}

/// Settings of the reasoning modes (`muse serve --reasoning-budget`, `--contemplation-samples`).
public struct ReasoningSettings: Sendable {
    /// Thinking: reasoning tokens before the answer is asked for ("thought compression": the
    /// reasoning is cut here and the answer still comes).
    public var budget: Int
    /// Contemplating: reasoned answers sampled together (one batch on the engine) and voted on.
    public var samples: Int

    public init(budget: Int = 256, samples: Int = 4) {
        self.budget = budget
        self.samples = samples
    }

    static let budgetRange = 16...4096
    static let samplesRange = 2...8
    /// Contemplating samples at this temperature when the request leaves it out or asks for
    /// greedy decoding, which would make every sample the same.
    static let contemplationTemperature: Float = 0.8
}

/// One reasoned answer: the reasoning, then the answer asked for after it.
struct ReasonedAnswer: Sendable {
    var reasoning = ""
    var answer = ""
    var reasoningTokens = 0
    var answerTokens = 0
    var cachedTokens = 0
    var finish = FinishReason.stop
}

/// Contemplating's vote: answers that agree share a key, the largest group wins (the earliest
/// sample on a tie).
public enum AnswerVote {
    /// The last number in the answer (word problems), else its first line in lower case
    /// without punctuation or spaces.
    public static func key(_ answer: String) -> String {
        let numbers = answer.matches(of: /-?\d+(?:[.,]\d+)?/).map { String($0.output).replacingOccurrences(of: ",", with: ".") }
        if let last = numbers.last, let value = Double(last) { return String(value) }
        let firstLine = answer.split(separator: "\n").first.map(String.init) ?? ""
        return String(firstLine.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.prefix(80))
    }

    /// The index of the chosen sample and how many samples agree with it.
    public static func winner(_ answers: [String]) -> (index: Int, agreeing: Int) {
        let keys = answers.map(key)
        var best = (index: 0, agreeing: 0)
        for (index, key) in keys.enumerated() {
            let count = keys.filter { $0 == key }.count
            if count > best.agreeing { best = (index, count) }
        }
        return best
    }
}

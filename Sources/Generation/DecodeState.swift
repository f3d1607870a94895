import Foundation
import Tokenization

/// One sequence's decoding between model evaluations: sampling, log-probabilities, the streaming
/// UTF-8 decoder, stop strings and limits. The same state drives a lone sequence
/// (`TextGenerator.generate`) and one slot of a continuously batched decode.
public struct DecodeState {
    public let options: GenerationOptions
    private var sampler: Sampler
    private var decoder: StreamingDecoder
    private var stops: StopMatcher
    private let endTokens: Set<Int>
    private let tokenizer: Tokenizer
    private var grammar: OutputGrammar?
    private let contextLength: Int
    private let promptTokens: Int
    private let cachedTokens: Int
    private var promptSeconds = 0.0
    private let created = Date()
    private var start = Date()
    public private(set) var generated: [Int] = []
    public private(set) var text = ""
    /// Set once generation is over.
    public private(set) var finishReason: FinishReason?
    private var stoppedByString = false

    /// What one step chose.
    public struct Step {
        /// The event to stream (nil when an end token was chosen).
        public let event: TokenEvent?
        let token: Int?
    }

    init(options: GenerationOptions, tokenizer: Tokenizer, promptTokens: Int, cachedTokens: Int, contextLength: Int) {
        self.options = options
        sampler = Sampler(parameters: options.sampling)
        decoder = tokenizer.makeStreamingDecoder()
        stops = StopMatcher(stops: options.stopStrings)
        endTokens = tokenizer.endOfGenerationIDs.union(options.stopTokens)
        self.tokenizer = tokenizer
        grammar = options.jsonSchema.map { .schema(JSONSchemaGrammar($0)) } ?? (options.jsonObject ? .object(JSONGrammar()) : nil)
        self.contextLength = contextLength
        self.promptTokens = promptTokens
        self.cachedTokens = cachedTokens
        if options.maxTokens == 0 { finishReason = .length }
    }

    /// Call once the prompt is evaluated: the timings split there.
    public mutating func promptEvaluated() {
        start = Date()
        promptSeconds = start.timeIntervalSince(created)
    }

    /// Chooses the next token from `logits` (sampling alters them) given the sequence so far.
    public mutating func step(logits row: UnsafeMutableBufferPointer<Float>, history: [Int]) -> Step {
        guard finishReason == nil else { return Step(event: nil, token: nil) }
        var chosenLogprob: Float?
        var top: [TokenLogprob] = []
        if options.logprobs || options.topLogprobs > 0 {
            // Reported from the raw logits at temperature 1, before sampling alters them.
            let best = topLogprobs(UnsafeBufferPointer(row), k: max(options.topLogprobs, 1))
            top = best.prefix(options.topLogprobs).map { TokenLogprob(id: $0.id, logprob: $0.logprob) }
            chosenLogprob = best.first?.logprob
        }
        if let grammar {
            // The object is closed: nothing may follow. Otherwise mask every token that cannot continue it.
            guard !grammar.isComplete, Self.mask(row, allowedBy: grammar, tokenizer: tokenizer) else {
                finishReason = .stop
                return Step(event: nil, token: nil)
            }
        }
        let id = sampler.sample(logits: row, history: history)
        if grammar != nil, let bytes = tokenizer.tokenBytes(id) {
            for byte in bytes { grammar?.accept(byte) }
        }
        if options.logprobs, top.first?.id != id {
            chosenLogprob = Float(Perplexity.logProbability(of: id, in: UnsafeBufferPointer(row)))
        }
        if endTokens.contains(id) {
            finishReason = .stop
            return Step(event: nil, token: nil)
        }
        generated.append(id)
        let match = stops.append(decoder.append(id))
        text += match.text
        if match.isStopped {
            finishReason = .stop
            stoppedByString = true
        } else if generated.count == options.maxTokens {
            finishReason = .length
        }
        return Step(event: TokenEvent(id: id, text: match.text, logprob: chosenLogprob, topLogprobs: top), token: id)
    }

    /// Sets to -inf the logits of tokens that cannot continue the JSON so far (control and end
    /// tokens included); false when no token can.
    static func mask(_ row: UnsafeMutableBufferPointer<Float>, allowedBy grammar: OutputGrammar, tokenizer: Tokenizer) -> Bool {
        // Most tokens fail on their first byte: 256 checks settle those without replaying the grammar.
        let firstBytes = (0...255).map { grammar.accepts([UInt8($0)]) }
        let room = grammar.stringRoom
        var any = false
        for id in row.indices {
            if let bytes = tokenizer.tokenBytes(id), let first = bytes.first, firstBytes[Int(first)],
               bytes.count == 1 || room.map({ isPlainText(bytes, fitting: $0) }) == true || grammar.accepts(bytes) {
                any = true
            } else {
                row[id] = -.infinity
            }
        }
        return any
    }

    /// Bytes that may sit inside a JSON string as they are (no quote, backslash or control byte),
    /// `room` code points at most.
    static func isPlainText(_ bytes: [UInt8], fitting room: Int) -> Bool {
        var points = 0
        for byte in bytes {
            guard byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { return false }
            if byte & 0xC0 != 0x80 { points += 1 }
        }
        return points <= room
    }

    /// The token to evaluate next, or nil when generation is over (also for a full context, the
    /// session being at `position`).
    public mutating func nextToken(after step: Step, position: Int) -> Int? {
        guard finishReason == nil, let token = step.token else { return nil }
        guard position < contextLength else {
            finishReason = .contextFull
            return nil
        }
        return token
    }

    /// Stops at the caller's request.
    public mutating func cancel() {
        if finishReason == nil { finishReason = .cancelled }
    }

    /// After the last step: what the decoder and the stop matcher still hold back, as one event.
    public mutating func flush() -> TokenEvent? {
        guard !stoppedByString else { return nil }
        let tail = stops.append(decoder.finish())
        let rest = tail.text + (tail.isStopped ? "" : stops.finish())
        stoppedByString = true  // flushed once
        text += rest
        return rest.isEmpty ? nil : TokenEvent(id: -1, text: rest, logprob: nil, topLogprobs: [])
    }

    public func result() -> GenerationResult {
        GenerationResult(text: text, tokens: generated, promptTokens: promptTokens, cachedPromptTokens: cachedTokens,
                         finishReason: finishReason ?? .length, promptSeconds: promptSeconds,
                         generationSeconds: Date().timeIntervalSince(start))
    }
}

/// The recogniser a constrained generation follows: any JSON object, or a value of a schema.
enum OutputGrammar {
    case object(JSONGrammar)
    case schema(JSONSchemaGrammar)

    var isComplete: Bool {
        switch self {
        case .object(let grammar): return grammar.isComplete
        case .schema(let grammar): return grammar.isComplete
        }
    }

    var stringRoom: Int? {
        switch self {
        case .object(let grammar): return grammar.stringRoom
        case .schema(let grammar): return grammar.stringRoom
        }
    }

    func accepts(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .object(let grammar): return grammar.accepts(bytes)
        case .schema(let grammar): return grammar.accepts(bytes)
        }
    }

    mutating func accept(_ byte: UInt8) {
        switch self {
        case .object(var grammar):
            _ = grammar.accept(byte)
            self = .object(grammar)
        case .schema(var grammar):
            _ = grammar.accept(byte)
            self = .schema(grammar)
        }
    }
}

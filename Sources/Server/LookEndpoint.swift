import Foundation
import Generation
import Hummingbird
import Shelf
import Speech
import Tokenization

/// `POST /v1/look`, "look and ask" for camera glasses: a photo and a question (typed, or spoken
/// and recognised by pocketsphinx) in; a one- or two-sentence answer out, as text and as speech
/// from espeak-ng. Streamed, each sentence is spoken as soon as the model finishes it.
extension MuseAPI {
    static let lookSystemPrompt = "You are Muse, speaking through camera glasses. The user shows you what is in front of "
        + "them and asks about it. Answer in one or two short spoken sentences, in plain words, without lists."
    /// Two short spoken sentences are about 30 words, 40 tokens; 60 leaves room without rambling.
    public static let lookDefaultMaxTokens = 60
    static let lookMaxTokensLimit = 200
    /// Sentences spoken at most; generation stops once they are complete.
    static let lookMaxSentences = 2
    /// OCR lines shown to the model, fewest last: a shelf's text is long and the answer must fit the context.
    static let lookLineBudgets = [12, 4, 0]
    static let lookFallback = "Sorry, I have no answer to that."

    func look(_ request: LookRequest) async throws -> Response {
        try checkModel(request.model ?? settings.modelID)
        let maxTokens = request.max_tokens ?? Self.lookDefaultMaxTokens
        guard (1...Self.lookMaxTokensLimit).contains(maxTokens) else {
            throw APIError.badRequest("max_tokens must be 1 to \(Self.lookMaxTokensLimit)", param: "max_tokens")
        }
        let synthesizer = try Self.speechEngine(SpeechSynthesizer.shared)
        let spoken = try request.spokenQuestion()
        if let typed = request.question, spoken != nil || typed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError.badRequest(spoken != nil ? "give either question or audio, not both" : "question is empty", param: "question")
        }
        guard request.question != nil || spoken != nil else {
            throw APIError.badRequest("give the question as text (question) or as a WAV (audio)", param: "question")
        }
        // Recognition and the photo's OCR take a second or more each: they run side by side.
        async let heard = recognize(spoken)
        async let observed = lookObservation(request.image_url)
        let question = try await heard ?? LookAnswer.Question(text: request.question ?? "", source: "text")
        let observation = try await observed
        let grounded = LookGrounding.sentence(answering: question.text, products: observation.products)
        let prompt = try lookPrompt(question: question.text, observation: observation, grounded: grounded, maxTokens: maxTokens)
        let options = GenerationOptions(maxTokens: maxTokens, sampling: SamplingParameters(temperature: 0))
        let stream = try scheduler.generate(prompt: prompt, options: options)
        let products = observation.products.enumerated().compactMap { rank, found in
            found.product.flatMap { product in found.assessment.map {
                LookAnswer.Product(rank: rank + 1, name: ImagePerception.Observation.name(of: product),
                                   nutri_score: ImagePerception.Observation.grade(of: $0.nutriScore))
            } }
        }
        let id = Self.requestID("look"), created = Int(Date().timeIntervalSince1970)
        let run = LookRun(stream: stream, grounded: grounded, synthesizer: synthesizer, metrics: metrics)
        guard request.stream == true else {
            let spokenAnswer = try await run.answer { _ in }
            return json(LookAnswer(id: id, created: created, model: settings.modelID, question: question, answer: spokenAnswer.text,
                                   audio: .init(spokenAnswer.wav), products: products,
                                   usage: Usage(prompt: prompt.count, completion: spokenAnswer.completionTokens, cached: 0)))
        }
        let body = ResponseBody { writer in
            do {
                try await writer.write(Self.event(LookEvent(type: "question", question: question)))
                let answer = try await run.answer { event in try await writer.write(Self.event(event)) }
                try await writer.write(Self.event(LookEvent(type: "done", answer: answer.text, products: products,
                                                            usage: Usage(prompt: prompt.count, completion: answer.completionTokens, cached: 0))))
            } catch let error as APIError {
                try await writer.write(ByteBuffer(string: "data: \(String(decoding: error.body, as: UTF8.self))\n\n"))
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: body)
    }

    static func speechEngine<Engine>(_ engine: Result<Engine, SpeechError>) throws(APIError) -> Engine {
        do { return try engine.get() } catch { throw .serviceUnavailable("\(error)") }
    }

    /// The spoken question's words, or nil for a typed question.
    func recognize(_ wav: WAVFile?) async throws(APIError) -> LookAnswer.Question? {
        guard let wav else { return nil }
        let recognizer = try Self.speechEngine(SpeechRecognizer.shared), text: String
        do { text = try await recognizer.recognize(wav) } catch {
            throw .badRequest("\(error)", param: "audio", code: "invalid_audio")
        }
        guard !text.isEmpty else { throw .badRequest("no words were recognised in the audio", param: "audio", code: "no_speech") }
        return LookAnswer.Question(text: text, source: "speech")
    }

    func lookObservation(_ url: String) async throws(APIError) -> ImagePerception.Observation {
        do { return try await perception.observe(url, catalogue: try await catalogueIndex()) } catch {
            guard case .badRequest(let message, _, let code) = error else { throw error }
            throw .badRequest(message, param: "image_url", code: code)
        }
    }

    /// The system prompt, the observation and the question, then the grounded sentence as the
    /// start of the model's own turn, so the model goes on from it; the fewest OCR lines that fit.
    func lookPrompt(question: String, observation: ImagePerception.Observation, grounded: String?,
                    maxTokens: Int) throws(APIError) -> [Int] {
        guard let template = tokenizer.chatTemplate else {
            throw .badRequest("model '\(settings.modelID)' has no chat template", param: "model")
        }
        for lines in Self.lookLineBudgets {
            let user = observation.rendered(number: 1, maxLines: observation.products.isEmpty ? lines : 0) + "\n\n" + question
            let rendered = template.render([ChatMessage(role: "system", content: Self.lookSystemPrompt),
                                            ChatMessage(role: "user", content: user)], addGenerationPrompt: true)
            let prompt = tokenizer.encode(rendered + (grounded.map { $0 + " " } ?? ""), addSpecial: true, parseSpecial: true)
            if prompt.count + maxTokens <= scheduler.contextLength { return prompt }
        }
        throw .badRequest("the photo's observation and the question do not fit the context of \(scheduler.contextLength) tokens",
                          param: "question", code: "context_length_exceeded")
    }
}

/// One look answer being produced: the grounded sentence, then the model's tokens, cut into
/// sentences and spoken one by one; at most `lookMaxSentences`.
struct LookRun: Sendable {
    let stream: AsyncThrowingStream<GenerationEvent, any Error>
    let grounded: String?
    let synthesizer: SpeechSynthesizer
    let metrics: ServerMetrics

    struct Spoken {
        var text: String
        var wav: WAVFile
        var completionTokens: Int
    }

    /// `emit` gets every text piece and every sentence's audio as they are ready.
    func answer(_ emit: (LookEvent) async throws -> Void) async throws -> Spoken {
        var accumulator = SentenceAccumulator(), sentences: [String] = [], samples: [Int16] = [], tokens = 0
        func say(_ complete: [String]) async throws {
            for sentence in complete.prefix(MuseAPI.lookMaxSentences - sentences.count) {
                let wav: WAVFile
                do { wav = try await synthesizer.speak(sentence) } catch { throw APIError.internalFailure("\(error)") }
                try await emit(LookEvent(type: "audio", index: sentences.count, sentence: sentence, audio: .init(wav)))
                sentences.append(sentence)
                samples += wav.samples
            }
        }
        if let grounded {
            try await emit(LookEvent(type: "text", delta: grounded + " "))
            try await say(accumulator.append(grounded + " "))
        }
        var finish = FinishReason.stop
        for try await event in stream {
            guard sentences.count < MuseAPI.lookMaxSentences else { break }  // ends the generation
            switch event {
            case .token(let token):
                tokens += token.id >= 0 ? 1 : 0
                try await emit(LookEvent(type: "text", delta: token.text))
                try await say(accumulator.append(token.text))
            case .finished(let result):
                finish = result.finishReason
                metrics.recordTokens(prompt: result.promptTokens, cached: result.cachedPromptTokens, completion: result.tokens.count)
            }
        }
        // A tail cut by max_tokens is half a sentence: spoken only when nothing else was.
        if let rest = accumulator.finish(), finish != .length || sentences.isEmpty { try await say([rest]) }
        if sentences.isEmpty { try await say([MuseAPI.lookFallback]) }
        return Spoken(text: sentences.joined(separator: " "), wav: WAVFile(sampleRate: synthesizer.sampleRate, samples: samples),
                      completionTokens: tokens)
    }
}

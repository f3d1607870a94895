import Foundation
import Generation
import Models

/// What a running request sees: each token as it is chosen, then the result.
public enum GenerationEvent: Sendable {
    case token(TokenEvent)
    case finished(GenerationResult)
}

/// Set from any thread when a client goes away; read by the decode loop between tokens.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// The one owner of the model. Requests queue here and run on a dedicated thread (decoding is
/// CPU-bound and must not block Swift's cooperative pool) in up to `slots` sequences decoded
/// together: each step evaluates one token of every active sequence in a single pass over the
/// weights (continuous batching); a new request joins at the next step after its prompt is
/// evaluated, a finished or cancelled one leaves at once.
/// Each slot keeps its sequence's KV cache when the request ends: a new request goes to the free
/// slot sharing the longest prefix with its prompt (system prompt, conversation so far), which
/// then evaluates only what is new. The queue is bounded: beyond `maxQueue` requests waiting or
/// running, `generate` refuses.
public final class InferenceScheduler: @unchecked Sendable {
    public let loaded: LoadedModel
    public let contextLength: Int
    public let maxQueue: Int
    public let slotCount: Int

    private struct Job {
        let prompt: [Int]
        /// The rows the prompt's placeholder ids stand for (an image's embeddings); empty for text.
        let splicing: PromptEmbeddings
        let options: GenerationOptions
        let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
        let cancelled: CancellationFlag
        /// The request's usage meter (task-local where `generate` was called), told the tokens at the end.
        let meter: RequestMeter?
    }

    /// A request in a slot: its prompt still being evaluated (`pending`), then decoding.
    private struct Active {
        let job: Job
        var state: DecodeState
        var pending: ArraySlice<Int>
        var nextToken = 0
    }

    /// Prompt tokens one sequence evaluates per step: the batch a lone prefill uses, so the
    /// numbers match `TextGenerator` (SmolLM2: bit for bit).
    static let prefillChunk = 256
    /// Prompt chunks per step, beside one token of every decoding sequence.
    static let prefillChunksPerStep = 2

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var inFlight = 0
    private var stopping = false
    private let sequences: [GenerationSession]      // [slots], each with its own KV cache
    private var active: [Int: Active] = [:]          // slot -> sequence (worker thread only)
    private var lastUsed: [Int]                      // [slots]: when each slot last took a request (worker thread only)
    private var uses = 0
    private let workspace: InferenceSession
    private let generator: TextGenerator

    public init(loaded: LoadedModel, contextLength: Int, maxQueue: Int, slots: Int = 8) throws(GenerationError) {
        self.loaded = loaded
        self.contextLength = contextLength
        self.maxQueue = maxQueue
        slotCount = max(1, slots)
        lastUsed = Array(repeating: 0, count: slotCount)
        sequences = try (0..<slotCount).map { _ throws(GenerationError) in
            try GenerationSession(model: loaded.model, contextLength: contextLength)
        }
        do {
            workspace = try loaded.model.makeWorkspace(
                maxSequences: slotCount, maxTokens: slotCount + Self.prefillChunk * Self.prefillChunksPerStep)
        } catch { throw .model(error) }
        generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        // Weak, not unowned: under load the thread may first run after a scheduler that was made
        // and dropped at once is gone (a CI run aborted on exactly that). Once `work` runs, the
        // call keeps the scheduler alive until `shutdown`.
        let thread = Thread { [weak self] in self?.work() }
        thread.name = "muse-inference"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Requests waiting or running now.
    public var queueDepth: Int { condition.withLock { inFlight } }
    /// Sequences being decoded now.
    public var activeSlots: Int { condition.withLock { activeCount } }
    private var activeCount = 0  // `active.count`, readable from other threads

    /// Queues a generation; events stream back. Ending the iteration early (a streaming client
    /// that disconnects), or the task's `ClientConnection.current` closing (any client that
    /// disconnects), cancels it before its next token.
    /// Negative ids in `prompt` are rows of `splicing` (see `EmbeddingChunk`): an image's
    /// embeddings, matched against the slots' caches like tokens.
    public func generate(prompt: [Int], splicing: PromptEmbeddings = PromptEmbeddings(),
                         options: GenerationOptions) throws(APIError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let cancelled = CancellationFlag()
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let connection = ClientConnection.current  // the requesting client's; it going away cancels too
        let watch = connection?.onClose { cancelled.set() }
        continuation.onTermination = { _ in
            cancelled.set()
            if let watch { connection?.removeCloseAction(watch) }
        }
        let accepted = condition.withLock { () -> Bool in
            guard !stopping, inFlight < maxQueue else { return false }
            inFlight += 1
            jobs.append(Job(prompt: prompt, splicing: splicing, options: options, continuation: continuation, cancelled: cancelled,
                            meter: RequestMeter.current))
            condition.signal()
            return true
        }
        guard accepted else {
            continuation.finish()
            throw .serviceUnavailable("the server is busy (\(maxQueue) requests queued); retry later")
        }
        return stream
    }

    /// Stops taking work; running sequences finish, queued ones are refused.
    public func shutdown() {
        let dropped = condition.withLock { () -> [Job] in
            stopping = true
            let pending = jobs
            jobs.removeAll()
            inFlight -= pending.count
            condition.signal()
            return pending
        }
        for job in dropped { job.continuation.finish(throwing: APIError.serviceUnavailable("the server is shutting down")) }
    }

    // MARK: - Worker thread

    private func work() {
        while true {
            let admitted = condition.withLock { () -> [Job]? in
                while jobs.isEmpty && active.isEmpty && !stopping { condition.wait() }
                if stopping && jobs.isEmpty && active.isEmpty { return nil }
                let free = slotCount - active.count
                let taken = Array(jobs.prefix(free))
                jobs.removeFirst(taken.count)
                return taken
            }
            guard let admitted else { return }
            for job in admitted { start(job) }
            if !active.isEmpty { step() }
            let count = active.count
            condition.withLock { activeCount = count }
        }
    }

    /// The free slot for `prompt`: the one sharing the longest prefix with it when that prefix is
    /// at least half of the prompt or of what the slot holds (a retry, a conversation's next turn,
    /// a shared system prompt); otherwise an empty slot or else the least recently used one, so an
    /// unrelated request does not evict a cache that others will reuse (llama.cpp's rule, with
    /// its similarity threshold of 0.5).
    private func slot(for prompt: [Int]) -> Int {
        let free = sequences.indices.filter { active[$0] == nil }
        let shared = free.map { index in zip(sequences[index].tokens, prompt).prefix { $0 == $1 }.count }
        if let best = shared.indices.max(by: { shared[$0] < shared[$1] }), shared[best] > 0,
           2 * shared[best] >= min(prompt.count, sequences[free[best]].tokens.count) {
            return free[best]
        }
        if let empty = free.first(where: { sequences[$0].tokens.isEmpty }) { return empty }
        return free.min { lastUsed[$0] < lastUsed[$1] } ?? 0
    }

    /// Puts a new request in the free slot sharing most of its prompt; its prompt is evaluated
    /// in the following steps, alongside the sequences already decoding.
    private func start(_ job: Job) {
        guard !job.cancelled.isSet else { return finish(job) }
        let index = slot(for: job.prompt)
        let sequence = sequences[index]
        uses += 1
        lastUsed[index] = uses
        do {
            let prepared = try generator.prepare(prompt: job.prompt, in: sequence, options: job.options)
            active[index] = Active(job: job, state: prepared.state, pending: prepared.pending[...])
            if let saved = prepared.saved {  // this very prompt's logits were kept: no evaluation
                guard var entry = active[index] else { return }
                let step = entry.state.step(logits: saved.row, history: sequence.tokens)
                saved.release()
                active[index] = entry
                advance(slot: index, after: step)
            }
        } catch {
            sequence.reset()
            condition.withLock { inFlight -= 1 }
            job.continuation.finish(throwing: APIError.internalFailure("generation failed: \(error)"))
        }
    }

    /// One step: a token of every decoding sequence and up to two prompt chunks of starting ones,
    /// in one pass over the weights.
    private func step() {
        var slots: [Int] = [], chunks: [[Int]] = []
        var prefills = 0
        var splicing = PromptEmbeddings()  // the prefilling prompts' images; empty (no allocation) for text
        for slot in active.keys.sorted() {
            guard let entry = active[slot] else { continue }
            if entry.pending.isEmpty {
                slots.append(slot)
                chunks.append([entry.nextToken])
            } else if prefills < Self.prefillChunksPerStep {
                prefills += 1
                slots.append(slot)
                chunks.append(Array(entry.pending.prefix(Self.prefillChunk)))
                if !entry.job.splicing.isEmpty { splicing.add(entry.job.splicing) }
            }
        }
        guard !slots.isEmpty else { return }
        let logits: Logits
        do {
            logits = try loaded.model.decode(chunks, splicing: splicing, sessions: slots.map { sequences[$0].session },
                                             workspace: workspace)
        } catch {
            for slot in slots { fail(slot: slot, error) }
            return
        }
        for (row, slot) in slots.enumerated() {
            guard var entry = active[slot] else { continue }
            let sequence = sequences[slot]
            if entry.pending.isEmpty {
                sequence.append(chunks[row])
            } else {
                entry.pending = entry.pending.dropFirst(chunks[row].count)
                if !entry.pending.isEmpty {  // more prompt to come: no token yet
                    sequence.append(chunks[row])
                    active[slot] = entry
                    continue
                }
                sequence.promptEvaluated(chunks[row], logits: logits.row(row), promptLength: entry.job.prompt.count)
                entry.state.promptEvaluated()
            }
            let step = entry.state.step(logits: logits.row(row), history: sequence.tokens)
            active[slot] = entry
            advance(slot: slot, after: step)
        }
    }

    /// Streams a step's token and either keeps the slot decoding or ends its request.
    private func advance(slot: Int, after step: DecodeState.Step) {
        guard var entry = active[slot] else { return }
        if let event = step.event {
            if entry.job.cancelled.isSet { entry.state.cancel() } else { entry.job.continuation.yield(.token(event)) }
        }
        if entry.job.cancelled.isSet { entry.state.cancel() }
        if let next = entry.state.nextToken(after: step, position: sequences[slot].session.position) {
            entry.nextToken = next
            active[slot] = entry
            return
        }
        if let tail = entry.state.flush(), !entry.job.cancelled.isSet { entry.job.continuation.yield(.token(tail)) }
        let result = entry.state.result()
        entry.job.meter?.add(promptTokens: result.promptTokens, cachedTokens: result.cachedPromptTokens,
                             completionTokens: result.tokens.count)
        entry.job.continuation.yield(.finished(result))
        active[slot] = nil
        finish(entry.job)
    }

    /// Ends a request. It stops counting against the queue before its stream ends, so a client
    /// that has its answer never finds it still queued (a follow-up request would get 503).
    private func finish(_ job: Job) {
        condition.withLock { inFlight -= 1 }
        job.continuation.finish()
    }

    private func fail(slot: Int, _ error: any Error) {
        guard let entry = active[slot] else { return }
        sequences[slot].reset()
        active[slot] = nil
        condition.withLock { inFlight -= 1 }
        entry.job.continuation.finish(throwing: APIError.internalFailure("generation failed: \(error)"))
    }
}

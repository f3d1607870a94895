import Foundation
import Generation

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

/// The one owner of the model: requests queue here and run on a dedicated thread (decoding is
/// CPU-bound and must not block Swift's cooperative pool), one at a time. The session it keeps
/// is a prefix cache: a prompt sharing a prefix with the previous sequence (a system prompt,
/// the conversation so far) evaluates only what is new.
/// The queue is bounded: beyond `maxQueue` requests waiting or running, `generate` refuses.
public final class InferenceScheduler: @unchecked Sendable {
    public let loaded: LoadedModel
    public let contextLength: Int
    public let maxQueue: Int

    private struct Job {
        let prompt: [Int]
        let options: GenerationOptions
        let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
        let cancelled: CancellationFlag
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var inFlight = 0
    private var stopping = false
    private let session: GenerationSession
    private let generator: TextGenerator

    public init(loaded: LoadedModel, contextLength: Int, maxQueue: Int) throws(GenerationError) {
        self.loaded = loaded
        self.contextLength = contextLength
        self.maxQueue = maxQueue
        session = try GenerationSession(model: loaded.model, contextLength: contextLength)
        generator = TextGenerator(model: loaded.model, tokenizer: loaded.tokenizer)
        let thread = Thread { [unowned self] in self.work() }
        thread.name = "muse-inference"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Requests waiting or running now.
    public var queueDepth: Int { condition.withLock { inFlight } }

    /// Queues a generation; events stream back. Ending the iteration early (a client that
    /// disconnects) cancels it before its next token.
    public func generate(prompt: [Int], options: GenerationOptions) throws(APIError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let cancelled = CancellationFlag()
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        continuation.onTermination = { _ in cancelled.set() }
        let accepted = condition.withLock { () -> Bool in
            guard !stopping, inFlight < maxQueue else { return false }
            inFlight += 1
            jobs.append(Job(prompt: prompt, options: options, continuation: continuation, cancelled: cancelled))
            condition.signal()
            return true
        }
        guard accepted else {
            throw .serviceUnavailable("the server is busy (\(maxQueue) requests queued); retry later")
        }
        return stream
    }

    /// Stops taking work; the request running now finishes, queued ones are cancelled.
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

    private func work() {
        while true {
            let next = condition.withLock { () -> Job? in
                while jobs.isEmpty && !stopping { condition.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let job = next else { return }
            run(job)
            condition.withLock { inFlight -= 1 }
        }
    }

    private func run(_ job: Job) {
        guard !job.cancelled.isSet else {
            job.continuation.finish()
            return
        }
        do {
            let result = try generator.generate(prompt: job.prompt, in: session, options: job.options) { event in
                guard !job.cancelled.isSet else { return false }
                job.continuation.yield(.token(event))
                return true
            }
            job.continuation.yield(.finished(result))
            job.continuation.finish()
        } catch {
            // A failed evaluation may leave the cache half-written: start the next one clean.
            session.reset()
            job.continuation.finish(throwing: APIError.internalFailure("generation failed: \(error)"))
        }
    }
}

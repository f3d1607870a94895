import Foundation
import Generation
import Server
import Testing

/// Generations queued while a `ClientConnection` is current stop when it closes.
@Suite struct ClientConnectionTests {
    /// Greedy, with the end tokens banned so that only the limit or a cancellation ends it.
    static var endless: GenerationOptions {
        var sampling = SamplingParameters.greedy
        for id in 0...2 { sampling.logitBias[id] = -100 }
        return GenerationOptions(maxTokens: TestServer.contextLength, sampling: sampling)
    }

    static func run(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> (tokens: Int, finish: FinishReason?) {
        var tokens = 0, finish: FinishReason?
        for try await event in stream {
            switch event {
            case .token:
                tokens += 1
            case .finished(let result): finish = result.finishReason
            }
        }
        return (tokens, finish)
    }

    /// The connection closes 0.2 s after the request (the whole context takes seconds to decode),
    /// from a thread of its own: closing it from the stream's consumer after the first token let a
    /// cooperative pool starved by the parallel suite see that token only once the context was full.
    @Test func closingTheConnectionCancelsItsGeneration() async throws {
        let api = try TestServer.shared.get()
        let connection = ClientConnection()
        let stream = try ClientConnection.$current.withValue(connection) {
            try api.scheduler.generate(prompt: [1, 9690, 198], options: Self.endless)
        }
        Thread {
            Thread.sleep(forTimeInterval: 0.2)
            connection.close()
        }.start()
        let run = try await Self.run(stream)
        // Running when the close came: cancelled. Still queued behind other tests' generations
        // on the shared server: never started. Either way it did not decode to the end.
        #expect(run.finish == .cancelled || (run.tokens == 0 && run.finish == nil), "\(run)")
        #expect(run.tokens < TestServer.contextLength - 3)
    }

    @Test func aGenerationForAClientAlreadyGoneNeverStarts() async throws {
        let api = try TestServer.shared.get()
        let connection = ClientConnection()
        connection.close()
        let stream = try ClientConnection.$current.withValue(connection) {
            try api.scheduler.generate(prompt: [1, 9690, 198], options: Self.endless)
        }
        let run = try await Self.run(stream)
        #expect(run.tokens == 0 && run.finish == nil)
    }

    @Test func closeActionsRunOnceAndCanBeRemoved() {
        final class Count: @unchecked Sendable { var value = 0 }
        let connection = ClientConnection(), count = Count()
        connection.onClose { count.value += 1 }
        let removed = connection.onClose { count.value += 100 }
        connection.removeCloseAction(removed)
        connection.close()
        connection.close()
        #expect(count.value == 1 && connection.isClosed)
        connection.onClose { count.value += 10 }  // already closed: runs at once
        #expect(count.value == 11)
    }
}

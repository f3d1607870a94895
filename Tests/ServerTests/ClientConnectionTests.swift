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

    static func run(_ stream: AsyncThrowingStream<GenerationEvent, any Error>,
                    onFirstToken: () -> Void = {}) async throws -> (tokens: Int, finish: FinishReason?) {
        var tokens = 0, finish: FinishReason?
        for try await event in stream {
            switch event {
            case .token:
                tokens += 1
                if tokens == 1 { onFirstToken() }
            case .finished(let result): finish = result.finishReason
            }
        }
        return (tokens, finish)
    }

    @Test func closingTheConnectionCancelsItsGeneration() async throws {
        let api = try TestServer.shared.get()
        let connection = ClientConnection()
        let stream = try ClientConnection.$current.withValue(connection) {
            try api.scheduler.generate(prompt: [1, 9690, 198], options: Self.endless)
        }
        let run = try await Self.run(stream) { connection.close() }
        #expect(run.finish == .cancelled)
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

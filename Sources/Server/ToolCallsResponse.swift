import Foundation

/// A tool-constrained answer in OpenAI's response shapes.
extension ToolAnswer {
    /// The calls with fresh ids, as a message carries them.
    static func toolCalls(_ calls: [Call]) -> [ToolCall] {
        calls.map { ToolCall(id: callID(), function: .init(name: $0.name, arguments: $0.arguments)) }
    }

    /// The message of a choice whose constrained text is `text`, and its finish reason: calls end
    /// with "tool_calls"; a text answer keeps `finishReason`. An answer cut short by max_tokens
    /// keeps "length" with what was whole of it (the calls that closed; the raw text if none).
    static func message(for text: String, finishReason: String) -> (ChatCompletion.Message, String) {
        switch ToolAnswer(parsing: text) {
        case .calls(let calls)?:
            return (ChatCompletion.Message(role: "assistant", content: nil, tool_calls: toolCalls(calls)),
                    finishReason == "stop" ? "tool_calls" : finishReason)
        case .text(let answer)?:
            return (ChatCompletion.Message(role: "assistant", content: answer), finishReason)
        case nil:
            return (ChatCompletion.Message(role: "assistant", content: text), finishReason)
        }
    }

    /// The deltas that stream the same answer once it is complete: per call, one delta with its
    /// id, type and name (arguments ""), then one with the arguments.
    static func deltas(for text: String, finishReason: String) -> (deltas: [ChatCompletionChunk.Delta], finishReason: String) {
        let (message, finish) = message(for: text, finishReason: finishReason)
        guard let calls = message.tool_calls else {
            return (message.content.map { [ChatCompletionChunk.Delta(content: $0)] } ?? [], finish)
        }
        var deltas: [ChatCompletionChunk.Delta] = []
        for (index, call) in calls.enumerated() {
            deltas.append(.init(tool_calls: [ToolCallDelta(index: index, id: call.id, type: call.type,
                                                           function: .init(name: call.function.name, arguments: ""))]))
            deltas.append(.init(tool_calls: [ToolCallDelta(index: index, function: .init(arguments: call.function.arguments))]))
        }
        return (deltas, finish)
    }
}

import Foundation

/// Cuts text that arrives in pieces (a model's tokens) into whole sentences as soon as each is
/// complete, so each can be spoken while the rest is still being written. A sentence is complete
/// once its `.`, `!` or `?` is followed by whitespace; at the end of the text so far it may still
/// be "3." of "3.50", so it waits for the next piece or `finish()`.
public struct SentenceAccumulator: Sendable {
    private var pending = ""

    public init() {}

    /// The sentences that `piece` completed, in order.
    public mutating func append(_ piece: String) -> [String] {
        pending += piece
        guard let last = pending.lastIndex(where: { $0.isWhitespace }) else { return [] }
        let head = String(pending[..<last])
        let sentences = SpeechSynthesizer.sentences(head)
        // Every piece but the last ended at a boundary; the last did only if `head` ends a sentence.
        guard let final = head.trimmingCharacters(in: .whitespacesAndNewlines).last, ".!?".contains(final) else {
            guard sentences.count > 1 else { return [] }
            let done = Array(sentences.dropLast())
            pending = sentences[sentences.count - 1] + pending[last...]
            return done
        }
        pending = String(pending[last...])
        return sentences
    }

    /// What is left once the text is complete (nil when nothing is).
    public mutating func finish() -> String? {
        defer { pending = "" }
        let rest = pending.trimmingCharacters(in: .whitespacesAndNewlines)
        return rest.isEmpty ? nil : rest
    }
}

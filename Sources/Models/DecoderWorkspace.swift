import Kernels

/// A run of consecutive tokens of a multi-sequence batch that belongs to one sequence.
struct BatchSegment {
    let sequence: DecoderSession
    let start: Int   // first token of the segment in the batch
    let count: Int
}

/// Continuous batching: one forward pass over tokens of several sequences, each appended to its
/// own KV cache: one token of every sequence that is decoding, and prompt chunks of those that
/// are starting, so the weights are read once for all of them.
extension BatchedDecoder {
    /// A workspace for steps of up to `maxSequences` sequences and `maxTokens` tokens in all
    /// (buffers only; the KV caches are the sequences' own).
    func makeDecoderWorkspace(maxSequences: Int, maxTokens: Int) throws(ModelError) -> DecoderSession {
        guard maxSequences >= 1, maxTokens >= maxSequences else {
            throw .invalidHyperparameter(key: "workspace", value: "\(maxSequences)/\(maxTokens)",
                                         reason: "needs at least one sequence and a token per sequence")
        }
        let workspace = DecoderSession(shape: shape, contextLength: 1, batchSize: maxTokens, logitRows: maxSequences,
                                       threads: pool.threadCount)
        workspace.isWorkspace = true
        workspace.attentionBatch = AttentionBatch(capacity: maxSequences)
        return workspace
    }

    /// chunks[i] is appended to sessions[i]; logits row i follows the last token of chunks[i].
    func decodeInWorkspace(_ chunks: [[Int]], splicing: PromptEmbeddings, sessions: [InferenceSession],
                           workspace: InferenceSession) throws(ModelError) -> Logits {
        guard let w = workspace as? DecoderSession, w.isWorkspace, w.segments == nil else {
            throw .invalidHyperparameter(key: "workspace", value: "\(type(of: workspace))", reason: "not this model's workspace")
        }
        guard !chunks.isEmpty, chunks.allSatisfy({ !$0.isEmpty }) else { throw .emptyInput }
        let total = chunks.reduce(0) { $0 + $1.count }
        guard chunks.count == sessions.count, chunks.count <= w.logitRows, total <= w.batchSize else {
            throw .batchTooLarge(tokens: total, limit: w.batchSize)
        }
        var segments: [BatchSegment] = []
        segments.reserveCapacity(chunks.count)
        var start = 0
        for (chunk, session) in zip(chunks, sessions) {
            guard let s = session as? DecoderSession, !s.isWorkspace, !segments.contains(where: { $0.sequence === s }) else {
                throw .invalidHyperparameter(key: "sessions", value: "\(type(of: session))",
                                             reason: "each sequence must be a distinct session of this model")
            }
            guard s.position + chunk.count <= s.contextLength else {
                throw .contextFull(position: s.position, tokens: chunk.count, limit: s.contextLength)
            }
            try checkIDs(chunk, splicing: splicing)
            segments.append(BatchSegment(sequence: s, start: start, count: chunk.count))
            start += chunk.count
        }
        w.segments = segments
        w.splicing = splicing
        defer {
            w.segments = nil
            w.splicing = PromptEmbeddings()
        }
        forward(Array(chunks.joined())[...], session: w, logitRows: .rows(segments.map { $0.start + $0.count - 1 }))
        return Logits(rows: chunks.count, vocabularySize: shape.vocabulary, base: w.logits.pointer)
    }
}

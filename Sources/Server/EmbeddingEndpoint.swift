import Foundation
import Generation
import Hummingbird
import Kernels

/// The sentence-embedding model behind /v1/embeddings, one request at a time on its own
/// one-thread pool (the decode scheduler owns the main pool).
public final class EmbeddingService: @unchecked Sendable {
    public let id: String
    let embedder: TextEmbedder
    private let lock = NSLock()

    public init(folder: String) throws(GenerationError) {
        embedder = try TextEmbedder(folder: folder, pool: ThreadPool(threadCount: 1))
        id = URL(fileURLWithPath: folder).lastPathComponent
    }

    func embed(_ tokens: [Int]) throws -> [Float] {
        try lock.withLock { try embedder.encoder.embed(tokens) }
    }
}

/// `input`: a string, strings, a token array or token arrays.
enum EmbeddingInput: Decodable, Sendable {
    case texts([String]), tokens([[Int]])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) { self = .texts([one]) }
        else if let many = try? c.decode([String].self) { self = .texts(many) }
        else if let ids = try? c.decode([Int].self) { self = .tokens([ids]) }
        else { self = .tokens(try c.decode([[Int]].self)) }
    }
}

struct EmbeddingRequest: Decodable, Sendable {
    let model: String?
    let input: EmbeddingInput
    let encoding_format: String?
    let dimensions: Int?
}

struct EmbeddingResponse: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var object = "embedding"
        let index: Int
        let embedding: EmbeddingValue
    }
    /// Floats, or their little-endian bytes in base64 (`encoding_format: "base64"`).
    enum EmbeddingValue: Encodable, Sendable {
        case floats([Float]), base64(String)
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .floats(let values): try c.encode(values)
            case .base64(let text): try c.encode(text)
            }
        }
    }
    struct EmbeddingUsage: Encodable, Sendable { let prompt_tokens: Int; let total_tokens: Int }
    var object = "list"
    let data: [Item]
    let model: String
    let usage: EmbeddingUsage
}

extension MuseAPI {
    static let maxEmbeddingInputs = 256

    func embeddings(_ request: EmbeddingRequest) throws -> Response {
        guard let service = embeddingService else {
            throw APIError.notFound("this server has no embedding model (install it with scripts/setup.sh)", code: "model_not_found")
        }
        if let model = request.model { try checkAllowed(model) }
        guard request.model == service.id else {
            throw APIError.badRequest("The model '\(request.model ?? "")' does not exist; embeddings come from '\(service.id)'",
                                      param: "model", code: "model_not_found")
        }
        let format = request.encoding_format ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError.badRequest("encoding_format must be float or base64", param: "encoding_format")
        }
        let encoder = service.embedder.encoder
        if let dimensions = request.dimensions, dimensions != encoder.dimensions {
            throw APIError.badRequest("this model makes \(encoder.dimensions)-dimensional embeddings", param: "dimensions")
        }
        let inputs: [[Int]]
        switch request.input {
        case .texts(let texts): inputs = texts.map { service.embedder.tokens(of: $0) }
        case .tokens(let lists):
            let vocabulary = service.embedder.tokenizer.vocabulary.count
            guard lists.allSatisfy({ !$0.isEmpty && $0.count <= encoder.maxTokens && $0.allSatisfy { (0..<vocabulary).contains($0) } }) else {
                throw APIError.badRequest("token inputs must be 1 to \(encoder.maxTokens) ids below \(vocabulary)", param: "input")
            }
            inputs = lists
        }
        guard !inputs.isEmpty, inputs.count <= Self.maxEmbeddingInputs else {
            throw APIError.badRequest("input must hold 1 to \(Self.maxEmbeddingInputs) items", param: "input")
        }
        var items: [EmbeddingResponse.Item] = []
        for (index, tokens) in inputs.enumerated() {
            let vector = try service.embed(tokens)
            let value: EmbeddingResponse.EmbeddingValue = format == "float"
                ? .floats(vector) : .base64(vector.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())
            items.append(.init(index: index, embedding: value))
        }
        let count = inputs.reduce(0) { $0 + $1.count }
        RequestMeter.current?.addInputTokens(count)
        return json(EmbeddingResponse(data: items, model: service.id, usage: .init(prompt_tokens: count, total_tokens: count)))
    }
}

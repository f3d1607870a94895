import Foundation

/// A BERT encoder's hyper-parameters, from the model folder's `config.json` (Hugging Face's).
public struct BertConfiguration: Sendable, Equatable, Decodable {
    public let hidden_size: Int
    public let num_hidden_layers: Int
    public let num_attention_heads: Int
    public let intermediate_size: Int
    public let max_position_embeddings: Int
    public let type_vocab_size: Int
    public let vocab_size: Int
    public let layer_norm_eps: Double
    public let hidden_act: String

    public var headDimension: Int { hidden_size / num_attention_heads }

    static func load(folder: String) throws(ModelError) -> BertConfiguration {
        let path = folder + "/config.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw .file(.fileNotFound(path)) }
        let configuration: BertConfiguration
        do { configuration = try JSONDecoder().decode(BertConfiguration.self, from: data) } catch {
            throw .invalidHyperparameter(key: "config.json", value: path, reason: "not a BERT configuration: \(error)")
        }
        guard configuration.hidden_act == "gelu" else {
            throw .invalidHyperparameter(key: "hidden_act", value: configuration.hidden_act, reason: "only gelu (erf) is supported")
        }
        guard configuration.num_attention_heads > 0, configuration.hidden_size % configuration.num_attention_heads == 0,
              configuration.num_hidden_layers > 0, configuration.max_position_embeddings > 2 else {
            throw .invalidHyperparameter(key: "config.json", value: path, reason: "inconsistent sizes")
        }
        return configuration
    }
}

import Kernels
import ModelFiles

/// A linear layer: y = x W^T + b, W [out, in] as stored by PyTorch.
struct BertLinear: @unchecked Sendable {
    let weight: WeightMatrix
    let bias: UnsafePointer<Float>   // [out]
}

struct BertLayerNorm: @unchecked Sendable {
    let weight: UnsafePointer<Float>, bias: UnsafePointer<Float>   // [hidden]
}

struct BertLayerWeights: @unchecked Sendable {
    let query: BertLinear, key: BertLinear, value: BertLinear, attentionOutput: BertLinear
    let attentionNorm: BertLayerNorm
    let intermediate: BertLinear, output: BertLinear
    let outputNorm: BertLayerNorm
}

/// All weights, from `model.safetensors` (F32), straight from the mapping; every tensor of the
/// file must be used, but for position_ids (a constant buffer) and the [CLS] pooler, which
/// sentence embeddings (mean pooling) do not use.
struct BertWeights: @unchecked Sendable {
    let wordEmbeddings: UnsafePointer<Float>       // [vocab, hidden]
    let positionEmbeddings: UnsafePointer<Float>   // [positions, hidden]
    let tokenTypeEmbeddings: UnsafePointer<Float>  // [types, hidden]
    let embeddingNorm: BertLayerNorm
    let layers: [BertLayerWeights]

    init(file: SafeTensorsFile, configuration c: BertConfiguration) throws(ModelError) {
        var used: Set<String> = ["embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"]
        func tensor(_ name: String, _ shape: [Int]) throws(ModelError) -> UnsafePointer<Float> {
            guard let info = file.tensors[name] else { throw .missingTensor(name) }
            guard info.shape == shape else { throw .wrongShape(tensor: name, expected: shape, found: info.shape) }
            guard info.dtype == .f32 else { throw .unsupportedTensorType(tensor: name, type: info.dtype.rawValue) }
            guard let base = file.data(for: info).baseAddress, Int(bitPattern: base) % 4 == 0 else { throw .missingTensor(name) }
            used.insert(name)
            return base.assumingMemoryBound(to: Float.self)
        }
        func linear(_ name: String, out: Int, in inputs: Int) throws(ModelError) -> BertLinear {
            let weight = try tensor(name + ".weight", [out, inputs])
            do {
                return BertLinear(weight: try WeightMatrix(type: .f32, rows: out, cols: inputs, data: UnsafeRawPointer(weight)),
                                  bias: try tensor(name + ".bias", [out]))
            } catch let error as ModelError { throw error } catch { throw .unsupportedTensorType(tensor: name, type: "F32") }
        }
        func norm(_ name: String) throws(ModelError) -> BertLayerNorm {
            BertLayerNorm(weight: try tensor(name + ".weight", [c.hidden_size]), bias: try tensor(name + ".bias", [c.hidden_size]))
        }
        let h = c.hidden_size
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocab_size, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.max_position_embeddings, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.type_vocab_size, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        var layers: [BertLayerWeights] = []
        for i in 0..<c.num_hidden_layers {
            let p = "encoder.layer.\(i)."
            layers.append(BertLayerWeights(
                query: try linear(p + "attention.self.query", out: h, in: h),
                key: try linear(p + "attention.self.key", out: h, in: h),
                value: try linear(p + "attention.self.value", out: h, in: h),
                attentionOutput: try linear(p + "attention.output.dense", out: h, in: h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: try linear(p + "intermediate.dense", out: c.intermediate_size, in: h),
                output: try linear(p + "output.dense", out: h, in: c.intermediate_size),
                outputNorm: try norm(p + "output.LayerNorm")))
        }
        self.layers = layers
        let unused = file.names.filter { !used.contains($0) }
        if !unused.isEmpty { throw .unusedTensors(unused) }
    }
}

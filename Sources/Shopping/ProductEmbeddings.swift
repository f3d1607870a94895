/// Product vectors, computed once per embedder and kept in the store (shop_product_embeddings).
public enum ProductEmbeddings {
    /// One unit vector per product, in `products` order, and how many had to be computed now.
    public static func load(_ products: [Product], store: ShoppingStore, embedder: any TextEmbedding,
                            progress: ((Int, Int) -> Void)? = nil) async throws -> (vectors: [[Float]], computed: Int) {
        let cached = try await store.embeddings(model: embedder.modelName)
        var vectors: [[Float]] = []
        var fresh: [(productId: String, vector: [Float])] = []
        vectors.reserveCapacity(products.count)
        for product in products {
            if let vector = cached[product.id] {
                vectors.append(vector)
                continue
            }
            let vector: [Float]
            do { vector = try embedder.embed(product.embeddingText) } catch { throw ShoppingError.embedding("\(product.id): \(error)") }
            vectors.append(vector)
            fresh.append((product.id, vector))
            progress?(fresh.count, products.count - cached.count)
        }
        if let width = vectors.first?.count, vectors.contains(where: { $0.count != width }) {
            throw ShoppingError.embedding("cached vectors of '\(embedder.modelName)' differ in width")
        }
        if !fresh.isEmpty { try await store.saveEmbeddings(fresh, model: embedder.modelName) }
        return (vectors, fresh.count)
    }
}

import ArgumentParser
import Foundation
import Shopping

struct ShoppingEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Offline evaluation: recall@k and NDCG@k on the store's last interactions, ours beside popularity and follow-graph baselines.",
        discussion: """
            The interactions are cut at a time quantile (--fraction); everything before is known, each user's new products \
            engaged with after it are the targets. With --fit, the ranking weights are first fitted by coordinate ascent on \
            NDCG@k of a second split inside the known part (never seeing the targets), then evaluated.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var embedding: ShoppingEmbedderOptions
    @Option(help: "Share of interactions before the cut.") var fraction = 0.85
    @Option(help: "Users evaluated (those with targets, in id order).") var users = 500
    @Option(help: "List length.") var k = 20
    @Flag(help: "Fit the ranking weights on a validation split of the known interactions first.") var fit = false

    func run() async throws {
        let embedder = try embedding.make()
        let (world, vectors) = try await embedding.loadWorld(ShoppingStore(database: try store.open(try store.sources())), embedder: embedder)
        do {
            var weights = RankingWeights.standard
            if fit {
                let split = try OfflineEvaluation.split(world, vectors: vectors, fraction: fraction, maxUsers: users)
                var known = world
                known.interactions = world.interactions.filter { $0.createdMs < split.cutMs }
                let validation = try OfflineEvaluation.split(known, vectors: vectors, fraction: fraction, maxUsers: users)
                let start = Date()
                let fitted = WeightFitter.fit(validation, embedder: embedder, k: k)
                weights = fitted.weights
                print(String(format: "fitted on %d validation users in %.0f s: NDCG@%d %.4f", validation.users.count,
                             Date().timeIntervalSince(start), k, fitted.ndcg))
                print("weights: " + zip(RankingWeights.names, weights.values).map { "\($0)=\($1)" }.joined(separator: " "))
            }
            let split = try OfflineEvaluation.split(world, vectors: vectors, fraction: fraction, maxUsers: users)
            let result = try OfflineEvaluation.evaluate(split, embedder: embedder, weights: weights, k: k)
            print("world: \(world.products.count) products, \(world.interactions.count) interactions; embedder \(embedder.modelName); "
                  + "\(result.users) users with held-out items after \(Table.time(result.cutMs))")
            print(Table(header: ["method", "recall@\(k)", "NDCG@\(k)"], rows: [
                ["ours", f(result.ours.recall), f(result.ours.ndcg)],
                ["popularity", f(result.popularity.recall), f(result.popularity.ndcg)],
                ["follow graph", f(result.followGraph.recall), f(result.followGraph.ndcg)],
            ]).render())
            print("margin over popularity: recall +\(f(result.ours.recall - result.popularity.recall)), "
                  + "NDCG +\(f(result.ours.ndcg - result.popularity.ndcg))")
            print("margin over follow graph: recall +\(f(result.ours.recall - result.followGraph.recall)), "
                  + "NDCG +\(f(result.ours.ndcg - result.followGraph.ndcg))")
        } catch { throw CommandFailure(error) }
    }

    func f(_ value: Double) -> String { String(format: "%.4f", value) }
}

struct ShoppingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Latency of one user's recommendations (store read + retrieval + ranking + re-rank), index and embeddings warm.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var embedding: ShoppingEmbedderOptions
    @Option(help: "Users timed (the first N by id with a history).") var users = 200
    @Option(help: "Also time requests with this search text (adds the query's embedding).") var query: String?

    func run() async throws {
        let database = try store.open(try store.sources())
        let service = ShoppingService(store: ShoppingStore(database: database), embedder: try embedding.make())
        do {
            let (world, _) = try await embedding.loadWorld(service.store, embedder: service.embedder)
            let start = Date()
            _ = try await service.rebuild()
            printError(String(format: "index built in %.2f s", Date().timeIntervalSince(start)))
            let ids = Array(Set(world.interactions.map(\.userId)).sorted().prefix(users))
            var runs: [(String, RecommendationRequest)] = [("no query", RecommendationRequest(limit: 20))]
            if let query { runs.append(("query '\(query)'", RecommendationRequest(query: query, limit: 20))) }
            for (name, request) in runs {
                _ = try await service.recommend(userId: ids.first ?? "u00000", request)  // warm-up
                var times: [Double] = []
                for id in ids {
                    let began = DispatchTime.now().uptimeNanoseconds
                    _ = try await service.recommend(userId: id, request)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
                }
                times.sort()
                func at(_ q: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * q))] }
                print(String(format: "%@: %d users over %d products: p50 %.1f ms, p95 %.1f ms, max %.1f ms", name, times.count,
                             world.products.count, at(0.5), at(0.95), times.last ?? 0))
            }
        } catch { throw CommandFailure(error) }
    }
}

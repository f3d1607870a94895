import Foundation
import Shopping
import Testing

@Suite struct EvaluationTests {
    /// "Clearly better": at least this much above each baseline, in absolute recall@20 and NDCG@20.
    static let clearMargin = 0.02

    @Test func metricsAreTheTextbookOnes() {
        let scores = OfflineEvaluation.metrics(ranked: [5, 1, 9, 2], relevant: [1, 2], k: 20)
        #expect(scores.recall == 1)
        let dcg = 1 / log2(3.0) + 1 / log2(5.0), ideal = 1 + 1 / log2(3.0)
        #expect(abs(scores.ndcg - dcg / ideal) < 1e-12)
        #expect(OfflineEvaluation.metrics(ranked: [5, 1], relevant: [1, 2], k: 1) == .init(recall: 0, ndcg: 0))
    }

    @Test func oursBeatsPopularityAndFollowGraphOnASeededWorld() throws {
        let split = try OfflineEvaluation.split(ShoppingFixture.world, vectors: ShoppingFixture.vectors, fraction: 0.85, maxUsers: 80)
        #expect(split.users.count >= 40)
        let result = try OfflineEvaluation.evaluate(split, embedder: ShoppingFixture.embedder, weights: .standard, k: 20)
        print("shopping eval (test world): ours \(result.ours), popularity \(result.popularity), follow graph \(result.followGraph)")
        #expect(result.ours.recall > result.popularity.recall + Self.clearMargin)
        #expect(result.ours.recall > result.followGraph.recall + Self.clearMargin)
        #expect(result.ours.ndcg > result.popularity.ndcg + Self.clearMargin)
        #expect(result.ours.ndcg > result.followGraph.ndcg + Self.clearMargin)
    }

    @Test func theSplitHidesTheFuture() throws {
        let split = try OfflineEvaluation.split(ShoppingFixture.world, vectors: ShoppingFixture.vectors, fraction: 0.85, maxUsers: 50)
        for (user, targets) in zip(split.users, split.targets) {
            #expect(user.history.allSatisfy { $0.createdMs < split.cutMs })
            let seen = Set(user.history.compactMap { split.index.productIndex[$0.productId] })
            #expect(targets.isDisjoint(with: seen), "targets are new to the user")
        }
    }
}

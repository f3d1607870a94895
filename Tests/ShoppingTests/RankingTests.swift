import Shopping
import Testing

@Suite struct RankingTests {
    @Test func topSelectionEqualsAFullSortWithTiesByIndex() {
        var random = SeededGenerator(seed: 3)
        // Few distinct values, so ties are common.
        let values = (0..<500).map { _ in Float(random.int(0...40)) }
        let admitted: (Int) -> Bool = { $0 % 7 != 0 }
        let expected = values.indices.filter(admitted).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        for count in [1, 20, 200, 1_000] {
            let top = TopSelection.top(count, of: values.count, by: { values[$0] }, where: admitted)
            #expect(top == Array(expected.prefix(count)), "count \(count)")
        }
        #expect(TopSelection.top(0, of: values.count, by: { values[$0] }, where: admitted).isEmpty)
    }

    @Test func fittedWeightsNeverScoreBelowTheirStart() throws {
        let split = try OfflineEvaluation.split(ShoppingFixture.world, vectors: ShoppingFixture.vectors, fraction: 0.85, maxUsers: 20)
        let start = RankingWeights.standard
        let before = try OfflineEvaluation.evaluate(split, embedder: ShoppingFixture.embedder, weights: start, k: 20).ours.ndcg
        let fitted = WeightFitter.fit(split, embedder: ShoppingFixture.embedder, start: start, k: 20, passes: 1, grid: Self.smallGrid)
        // Coordinate ascent keeps a value only when it scores higher: never below the start.
        #expect(fitted.ndcg >= before - Self.rounding)
        let after = try OfflineEvaluation.evaluate(split, embedder: ShoppingFixture.embedder, weights: fitted.weights, k: 20).ours.ndcg
        #expect(abs(after - fitted.ndcg) < Self.rounding, "the fitter's score is the evaluation's")
        #expect(fitted.weights.values[7] == start.values[7], "the query weight is not fitted")
    }

    /// Two values per weight keep the test short; the property holds for any grid.
    static let smallGrid = [0.0, 1.0]

    /// Sums of the same Double terms in the same order: equal up to nothing, with room for none.
    static let rounding = 1e-12
}

import Generation
import Testing

/// 100,000 draws estimate a probability with a standard error of at most 0.0016; 0.01 is over
/// six standard errors, and the seeded stream makes the outcome fixed anyway.
private let empiricalTolerance = 0.01
private let drawCount = 100_000

@Suite struct SamplingRandomTests {
    @Test func seededRandomIsPinnedToXoshiro256StarStarWithSplitMix64Seeding() {
        // Values from an independent reference implementation of both algorithms.
        var zero = SeededRandom(seed: 0)
        #expect((0..<4).map { _ in zero.next() } == [
            0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C,
        ])
        var answer = SeededRandom(seed: 42)
        #expect((0..<4).map { _ in answer.next() } == [
            0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1,
        ])
    }

    @Test func unitIntervalDrawsStayInRange() {
        var random = SeededRandom(seed: 1)
        for _ in 0..<10_000 {
            let value = random.nextUnitInterval()
            #expect(value >= 0 && value < 1)
        }
    }

    @Test func sameSeedGivesTheSameThousandSamples() {
        let row = seededLogits(count: 1_000, seed: 5, range: 3)
        func draws(seed: UInt64) -> [Int] {
            var sampler = Sampler(parameters: SamplingParameters(temperature: 1, topK: 0, topP: 0.99, minP: 0, seed: seed))
            return (0..<1_000).map { _ in sampleToken(&sampler, row) }
        }
        let first = draws(seed: 1234)
        #expect(first == draws(seed: 1234))
        #expect(first != draws(seed: 1235))
        #expect(Set(first).count > 100)  // really random, not stuck on one token
    }

    @Test func drawsAtTemperatureOneMatchSoftmax() {
        let row: [Float] = [1, 2, 0.5, -1, 3]
        let expected = referenceSoftmax(row)
        var sampler = Sampler(parameters: unfiltered(seed: 2024))
        var counts = [Int](repeating: 0, count: row.count)
        for _ in 0..<drawCount { counts[sampleToken(&sampler, row)] += 1 }
        for id in row.indices {
            #expect(abs(Double(counts[id]) / Double(drawCount) - expected[id]) < empiricalTolerance)
        }
    }

    @Test func drawsAfterTopKMatchTheRenormalisedSoftmax() {
        let row: [Float] = [1, 2, 0.5, -1, 3]
        var parameters = unfiltered(temperature: 0.7, seed: 77)
        parameters.topK = 3
        let kept = [4, 1, 0]
        let expected = referenceSoftmax(kept.map { row[$0] }, temperature: 0.7)
        var sampler = Sampler(parameters: parameters)
        var counts = [Int: Int]()
        for _ in 0..<drawCount { counts[sampleToken(&sampler, row), default: 0] += 1 }
        #expect(Set(counts.keys) == Set(kept))
        for (position, id) in kept.enumerated() {
            #expect(abs(Double(counts[id, default: 0]) / Double(drawCount) - expected[position]) < empiricalTolerance)
        }
    }

    @Test func samplesFromAWholeVocabularyStayInTheTopK() {
        let row = seededLogits(count: 49_152, seed: 9)
        let allowed = Set(rankedIds(row).prefix(40))
        var sampler = Sampler(parameters: SamplingParameters(temperature: 1.5, topK: 40, topP: 1, minP: 0))
        for _ in 0..<200 { #expect(allowed.contains(sampleToken(&sampler, row))) }
    }

    @Test func allBannedRowFallsBackToTheLowestId() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 1, logitBias: [1: -.infinity]))
        #expect(sampleToken(&sampler, [-.infinity, 0, .nan]) == 0)
    }
}

import Kernels
import Synchronization
import Testing

@Test(arguments: [1, 2, 3])
func everyThreadRunsOncePerJob(threads: Int) {
    let pool = ThreadPool(threadCount: threads)
    #expect(pool.threadCount == threads)
    let counts = Mutex([Int](repeating: 0, count: threads))
    let jobs = 500
    for _ in 0..<jobs {
        pool.parallel { thread, count in
            #expect(count == threads)
            counts.withLock { $0[thread] += 1 }
        }
    }
    #expect(counts.withLock { $0 } == [Int](repeating: jobs, count: threads))
}

@Test func parallelReturnsAfterAllWork() {
    let pool = ThreadPool(threadCount: 3)
    var sums = [Int](repeating: 0, count: 3)
    sums.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress
        for round in 1...100 {
            pool.parallel { thread, _ in
                // Each thread writes only its own slot; the caller reads after parallel returns.
                base?[thread] += round * (thread + 1)
            }
        }
    }
    #expect(sums == [5050, 10100, 15150])
}

@Test func poolSurvivesIdleSleep() async throws {
    let pool = ThreadPool(threadCount: 2)
    let total = Mutex(0)
    for _ in 0..<3 {
        pool.parallel { thread, _ in total.withLock { $0 += thread + 1 } }
        // Longer than the spin window: workers go to sleep and must be woken.
        try await Task.sleep(for: .milliseconds(5))
    }
    #expect(total.withLock { $0 } == 9)
}

@Test func nestedParallelRunsInline() {
    let pool = ThreadPool(threadCount: 2)
    let inner = Mutex([Int]())
    pool.parallel { outer, _ in
        pool.parallel { thread, count in
            #expect(thread == 0 && count == 1)
            inner.withLock { $0.append(outer) }
        }
    }
    #expect(inner.withLock { $0.sorted() } == [0, 1])
}

/// Chunked runs interleaved with whole-pool runs: every chunk runs exactly once and every thread
/// once per whole-pool run, however late a worker wakes (late workers skip closed chunked runs).
@Test(arguments: [2, 3])
func chunkedAndWholePoolRunsInterleave(threads: Int) {
    let pool = ThreadPool(threadCount: threads)
    let chunkCounts = Mutex([Int](repeating: 0, count: 13))
    let threadCounts = Mutex([Int](repeating: 0, count: threads))
    let rounds = 2000
    for round in 0..<rounds {
        pool.chunks(round % 3 == 0 ? 1 : 13) { chunk, count in
            chunkCounts.withLock { $0[chunk] += count == 13 ? 1 : 0 }
        }
        if round % 2 == 0 {
            pool.parallel { thread, _ in threadCounts.withLock { $0[thread] += 1 } }
        }
    }
    let chunkedRounds = (0..<rounds).filter { $0 % 3 != 0 }.count
    #expect(chunkCounts.withLock { $0 } == [Int](repeating: chunkedRounds, count: 13))
    #expect(threadCounts.withLock { $0 } == [Int](repeating: rounds / 2, count: threads))
}

@Test func chunksSurviveIdleSleepAndNesting() async throws {
    let pool = ThreadPool(threadCount: 2)
    let total = Mutex(0)
    for _ in 0..<3 {
        pool.chunks(8) { chunk, _ in
            pool.chunks(2) { inner, _ in total.withLock { $0 += chunk * 2 + inner } }  // nested: inline
        }
        try await Task.sleep(for: .milliseconds(5))  // workers fall asleep between runs
    }
    #expect(total.withLock { $0 } == 3 * (0..<16).reduce(0, +))
}

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

import CKernels

/// Persistent worker threads for data-parallel kernels. The caller takes part as thread 0.
///
/// Workers busy-wait briefly after each job (so the ~200 dispatches of one token are cheap),
/// then sleep, using no CPU between requests. Jobs from several threads run one at a time.
public final class ThreadPool: @unchecked Sendable {
    /// Threads taking part in each job, the caller included (1 if workers could not start).
    public let threadCount: Int
    // Immutable after init; the C pool synchronises its own state.
    let handle: OpaquePointer?

    public init(threadCount: Int) {
        let requested = max(1, threadCount)
        let created = requested > 1 ? ck_pool_create(Int32(clamping: requested)) : nil
        handle = created
        self.threadCount = created == nil ? 1 : requested
    }

    deinit {
        ck_pool_destroy(handle)
    }

    /// Runs `body(thread, threadCount)` for every thread in 0..<threadCount concurrently and
    /// returns when all calls have returned. Called from inside a running body (for example a
    /// kernel that takes this pool, used within `parallel`), it runs `body(0, 1)` inline.
    public func parallel(_ body: (_ thread: Int, _ threadCount: Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var job = escapable
            withUnsafeMutablePointer(to: &job) { jobPointer in
                ck_pool_run(handle, { context, thread, count in
                    guard let context else { return }
                    let job = context.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee
                    job(Int(thread), Int(count))
                }, UnsafeMutableRawPointer(jobPointer))
            }
        }
    }

    /// Runs `body(chunk, count)` once for each chunk in 0..<count, every chunk taken by whichever
    /// thread is free first (`ck_pool_run_chunks`); returns when all have run. `body` must not
    /// depend on which thread runs it.
    public func chunks(_ count: Int, _ body: (_ chunk: Int, _ count: Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var job = escapable
            withUnsafeMutablePointer(to: &job) { jobPointer in
                ck_pool_run_chunks(handle, { context, chunk, total in
                    guard let context else { return }
                    let job = context.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee
                    job(Int(chunk), Int(total))
                }, UnsafeMutableRawPointer(jobPointer), Int32(clamping: count))
            }
        }
    }
}

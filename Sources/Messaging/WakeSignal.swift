import Foundation

/// Wakes the one worker waiting on it, or the next wait if none is waiting (a signal is never
/// lost between two waits). Each wait also ends after its timeout or when its task is cancelled.
final class WakeSignal: @unchecked Sendable {  // every mutable member behind `lock`
    private let lock = NSLock()
    /// A signal that arrived while nobody waited.
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    private var lastID: UInt64 = 0
    /// Waits with an id up to this one are over (timed out or cancelled), even if not yet registered.
    private var releasedUpTo: UInt64 = 0

    func signal() {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let current = waiter else {
                pending = true
                return nil
            }
            waiter = nil
            return current.continuation
        }
        continuation?.resume()
    }

    func wait(upTo timeout: Duration) async {
        let id: UInt64 = lock.withLock {
            lastID += 1
            return lastID
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.release(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now: Bool = lock.withLock {
                    if pending || id <= releasedUpTo {
                        pending = false
                        return true
                    }
                    waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            release(id)
        }
        timer.cancel()
    }

    private func release(_ id: UInt64) {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            releasedUpTo = max(releasedUpTo, id)
            guard let current = waiter, current.id == id else { return nil }
            waiter = nil
            return current.continuation
        }
        continuation?.resume()
    }
}

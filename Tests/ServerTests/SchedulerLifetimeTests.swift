import Foundation
import Generation
import Server
import Testing
import TestSupport

/// A scheduler's worker thread may first run long after `init` on a loaded machine; a scheduler
/// dropped before then must simply go away (a CI run once aborted reading a freed scheduler).
@Suite struct SchedulerLifetimeTests {
    static let droppedSchedulers = 40

    @Test func schedulersDroppedBeforeTheirThreadRunsGoAwayQuietly() throws {
        let loaded = try LoadedModel(path: TestModel.defaultPath, threads: 1)
        for _ in 0..<Self.droppedSchedulers {
            _ = try InferenceScheduler(loaded: loaded, contextLength: 16, maxQueue: 1, slots: 1)
        }
        // Give the threads time to start and find their scheduler gone (an unowned capture trapped here).
        Thread.sleep(forTimeInterval: 0.5)
        let kept = try InferenceScheduler(loaded: loaded, contextLength: 64, maxQueue: 1, slots: 1)
        defer { kept.shutdown() }
        #expect(kept.queueDepth == 0)
    }
}

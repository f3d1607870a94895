import Foundation
import Storage

/// Writes the answer to a message. The server's implementation runs the model; the image, when
/// the message had one, arrives downloaded and validated for the vision path.
public protocol ReplyComposer: Sendable {
    /// `history`: the conversation's earlier turns, oldest first, then the new user turn.
    func reply(to history: [ConversationTurn], image: ReceivedImage?) async throws -> String
    /// The same, knowing who wrote: a sender linked to a web account gets what that account
    /// shares (its memory, under its consent). By default the sender is not looked at.
    func reply(to history: [ConversationTurn], image: ReceivedImage?, sender: ChatSender) async throws -> String
}

extension ReplyComposer {
    public func reply(to history: [ConversationTurn], image: ReceivedImage?, sender: ChatSender) async throws -> String {
        try await reply(to: history, image: image)
    }
}

/// What one drain did, for logs and tests.
public struct DrainReport: Sendable, Equatable {
    public var answered = 0, stale = 0, quarantinedInbound = 0, deferred = 0
    public var sent = 0, retried = 0, quarantinedReplies = 0
    /// Rows left alone because another replica took them over (MessagingStoreLeases.swift).
    public var takenOver = 0

    public init() {}

    static func + (a: DrainReport, b: DrainReport) -> DrainReport {
        var sum = a
        sum.answered += b.answered; sum.stale += b.stale; sum.quarantinedInbound += b.quarantinedInbound; sum.deferred += b.deferred
        sum.sent += b.sent; sum.retried += b.retried; sum.quarantinedReplies += b.quarantinedReplies
        sum.takenOver += b.takenOver
        return sum
    }
}

/// The webhook surfaces behind the routes: accepting bodies (checked, parsed, de-duplicated and
/// stored before the 200 goes back) and the worker that answers stored messages and drains the
/// outbox. Everything waiting lives in the store, so a restarted server carries on where the
/// last one stopped. Replicas sharing the store each run the worker: the store's owner id and
/// leases (MessagingStoreLeases.swift) give every message one answer and every reply one send.
public final class MessagingService: Sendable {
    public let store: MessagingStore
    public let security: WebhookSecurity
    public let graph: GraphClient
    private let composer: any ReplyComposer
    private let clock: @Sendable () -> Int
    private let gate = DrainGate()
    private let wake = WakeSignal()

    /// Meta lets a business answer free-form only within 24 hours of the person's last message
    /// (PRODUCT-NOTES.md 3.2-3.4).
    public static let replyWindowMs = 24 * 3_600_000
    /// Turns of earlier conversation handed to the composer (it may trim further to fit its context).
    public static let historyTurns = 12
    /// Retry delays double from 2 s up to 10 min; after 8 tries (about 8.5 min of trying) a reply is quarantined.
    public static let firstRetryDelayMs = 2_000
    public static let maxRetryDelayMs = 600_000
    public static let maxAttempts = 8
    /// Per-sender rate limit: at most 6 replies a minute to one conversation (a person typing fast
    /// gets answers as fast as they read; a script flooding us costs at most this). Messages over
    /// it wait, pending, until the minute allows them.
    public static let repliesPerMinute = 6
    static let rateWindowMs = 60_000
    /// Rows taken per pass, so one pass never holds the whole backlog in memory.
    static let batch = 32
    /// How long a claimed message stays this replica's while its reply is written: the lease is
    /// renewed as each message's turn comes, and covers downloading a photo (two Graph calls of
    /// at most `GraphClient.timeout`) and a model reply of at most 128 tokens
    /// (ModelReplyComposer.defaultMaxReplyTokens) that may queue behind up to `--max-queue` (64)
    /// requests. A reply that outlasts it is written by the replica that took the message over;
    /// this one's is refused. Also the longest a crashed replica's messages wait for another.
    public static let inboundLeaseMs = 10 * 60_000
    /// How long a claimed reply stays this replica's for one send: renewed just before it, six
    /// times the Graph call's 10 s timeout (`GraphClient.timeout`) to spare the store's writes
    /// and clocks a little apart between replicas. Outlasting it could send a reply twice.
    public static let outboxLeaseMs = 6 * Int(GraphClient.timeout) * 1000

    public init(store: MessagingStore, security: WebhookSecurity, graph: GraphClient, composer: any ReplyComposer,
                clock: @escaping @Sendable () -> Int = { Clock.milliseconds() }) {
        (self.store, self.security, self.graph, self.composer, self.clock) = (store, security, graph, composer, clock)
    }

    /// A POSTed webhook: signature checked over the raw bytes, events stored (duplicates dropped),
    /// the worker woken. Returns how many new messages were accepted.
    @discardableResult
    public func receive(body: Data, signatureHeader: String?, platform: MessagingPlatform) async throws(MessagingError) -> Int {
        try security.verify(signatureHeader: signatureHeader, body: body)
        var accepted = 0
        for event in try WebhookParser.parse(body, platform: platform) {
            switch event {
            case .message(let message):
                if try await store.accept(message, now: clock()) { accepted += 1 }
            case .status(let status):
                try await store.record(status)
            case .echo(let platform, let messageID, let recipientID):
                try await store.record(DeliveryStatus(platform: platform, messageID: messageID, status: "echo",
                                                      recipientID: recipientID, timestampMs: clock()))
            }
        }
        wake.signal()
        return accepted
    }

    /// Runs passes until cancelled: at once when woken by a webhook, else every `pollInterval`
    /// (retries fall due while nothing arrives).
    public func runWorker(pollInterval: Duration = .seconds(1), onError: @Sendable (MessagingError) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do { _ = try await drain() } catch { onError(error) }
            await wake.wait(upTo: pollInterval)
        }
    }

    /// Answers what is pending, then sends what is due. One pass at a time: a call while another
    /// runs asks that one to go round again and returns at once.
    @discardableResult
    public func drain() async throws(MessagingError) -> DrainReport {
        guard gate.enter() else { return DrainReport() }
        var report = DrainReport()
        do {
            repeat {
                report = report + (try await answerPending()) + (try await sendDue())
            } while gate.continueOrLeave()
        } catch {
            gate.leave()
            throw error
        }
        return report
    }

    /// Writes a reply into the outbox for every pending message (or closes it without one).
    public func answerPending() async throws(MessagingError) -> DrainReport {
        var report = DrainReport()
        for inbound in try await store.claimPending(limit: Self.batch, now: clock(), leaseMs: Self.inboundLeaseMs) {
            let now = clock()
            // Renewed as each message's turn comes: a batch answered one by one can outlast the
            // lease it was claimed under, and a message another replica took meanwhile is left to it.
            guard try await store.holdLease(on: inbound, now: now, leaseMs: Self.inboundLeaseMs) else {
                report.takenOver += 1
                continue
            }
            if now - inbound.message.sentMs > Self.replyWindowMs {
                try await store.close(inbound, state: "stale", reason: "arrived after the 24-hour reply window")
                report.stale += 1
                continue
            }
            let recent = try await store.repliesWritten(conversationID: inbound.conversationID, sinceMs: now - Self.rateWindowMs)
            guard recent < Self.repliesPerMinute else {
                report.deferred += 1
                continue
            }
            let userTurn: String, image: ReceivedImage?
            switch inbound.message.content {
            case .text(let text):
                if let code = LinkCode.code(inCommand: text) {
                    if try await answerLinkCommand(code, inbound, now: now) { report.answered += 1 } else { report.takenOver += 1 }
                    continue
                }
                (userTurn, image) = (text, nil)
            case .image(let reference, let caption):
                do { image = try await graph.downloadImage(reference) } catch {
                    try await store.close(inbound, state: "quarantined", reason: "image: \(error)")
                    report.quarantinedInbound += 1
                    continue
                }
                userTurn = "[photo] " + (caption ?? "")
            case .unsupported(let type):
                let note = "I can read text and photos; \(type) messages are not supported yet."
                let written = try await store.answer(inbound, userTurn: "[\(type)]", reply: note, now: now)
                if written != nil { report.answered += 1 } else { report.takenOver += 1 }
                continue
            }
            let history = try await store.history(conversationID: inbound.conversationID, limit: Self.historyTurns)
            let account = try await store.linkedUser(platform: inbound.message.platform, senderID: inbound.message.senderID)
            let reply: String
            do {
                reply = try await composer.reply(to: history + [ConversationTurn(role: "user", content: userTurn)], image: image,
                                                 sender: ChatSender(conversationID: inbound.conversationID, linkedUserID: account))
            } catch {
                try await store.close(inbound, state: "quarantined", reason: "reply: \(error)")
                report.quarantinedInbound += 1
                continue
            }
            let text = String(reply.trimmingCharacters(in: .whitespacesAndNewlines).prefix(inbound.message.platform.textLimit))
            let written = try await store.answer(inbound, userTurn: userTurn, reply: text.isEmpty ? "…" : text, now: clock())
            if written != nil { report.answered += 1 } else { report.takenOver += 1 }
        }
        return report
    }

    /// Sends every due outbox row once: sent, rescheduled with backoff, or quarantined.
    public func sendDue() async throws(MessagingError) -> DrainReport {
        var report = DrainReport()
        for item in try await store.claimOutbox(limit: Self.batch, now: clock(), leaseMs: Self.outboxLeaseMs) {
            let now = clock()
            guard try await store.holdLease(onOutbox: item.id, now: now, leaseMs: Self.outboxLeaseMs) else {
                report.takenOver += 1
                continue
            }
            guard now - item.lastInboundMs <= Self.replyWindowMs else {
                try await store.quarantine(item.id, reason: "outside the 24-hour customer-service window",
                                           countsAsAttempt: false, now: now)
                report.quarantinedReplies += 1
                continue
            }
            switch await graph.sendText(item.body, platform: item.platform, from: item.businessID, to: item.recipientID) {
            case .sent(let remoteID):
                try await store.markSent(item.id, remoteID: remoteID, now: clock())
                report.sent += 1
            case .retryable(let reason) where item.attempts + 1 < Self.maxAttempts:
                try await store.reschedule(item.id, nextAttemptMs: clock() + Self.retryDelayMs(afterAttempts: item.attempts + 1),
                                           error: reason, now: clock())
                report.retried += 1
            case .retryable(let reason):
                try await store.quarantine(item.id, reason: "gave up after \(Self.maxAttempts) tries: \(reason)",
                                           countsAsAttempt: true, now: clock())
                report.quarantinedReplies += 1
            case .rejected(let reason):
                try await store.quarantine(item.id, reason: reason, countsAsAttempt: true, now: clock())
                report.quarantinedReplies += 1
            }
        }
        return report
    }

    /// The wait after `attempts` failed tries: 2 s, 4 s, 8 s, ... capped at 10 min.
    public static func retryDelayMs(afterAttempts attempts: Int) -> Int {
        min(maxRetryDelayMs, firstRetryDelayMs << min(max(attempts - 1, 0), 20))
    }
}

/// Lets one drain run at a time; a caller arriving meanwhile marks that another round is wanted.
private final class DrainGate: @unchecked Sendable {  // `running` and `requested` behind `lock`
    private let lock = NSLock()
    private var running = false, requested = false

    func enter() -> Bool {
        lock.withLock {
            if running { requested = true; return false }
            running = true
            return true
        }
    }

    /// True (and the request cleared) when another round was asked for; else the gate opens.
    func continueOrLeave() -> Bool {
        lock.withLock {
            if requested { requested = false; return true }
            running = false
            return false
        }
    }

    func leave() { lock.withLock { running = false } }
}

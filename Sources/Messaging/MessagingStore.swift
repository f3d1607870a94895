import Foundation
import Storage

/// One turn of a conversation as the model sees it.
public struct ConversationTurn: Sendable, Equatable {
    public let role: String  // "user" or "assistant"
    public let content: String

    public init(role: String, content: String) { (self.role, self.content) = (role, content) }
}

/// An accepted message waiting for its answer.
public struct PendingInbound: Sendable, Equatable {
    public let message: InboundMessage
    public let conversationID: String
}

/// A reply in the outbox, with what sending it needs.
public struct OutboxItem: Sendable, Equatable {
    public let id: String
    public let conversationID: String
    public let platform: MessagingPlatform
    public let recipientID: String
    public let businessID: String
    public let replyTo: String
    public let body: String
    /// pending | sent | quarantined
    public let state: String
    public let attempts: Int
    public let lastError: String?
    public let remoteID: String?
    /// The sender's newest message: the 24-hour window runs from it.
    public let lastInboundMs: Int
}

/// The messaging tables (Schema version 4): conversations, inbound messages de-duplicated by
/// their platform id, the turns the model sees, the outbox and delivery statuses.
public struct MessagingStore: Sendable {
    public let database: Database
    /// The replica this store claims messages and replies for (MessagingStoreLeases.swift). Each
    /// replica sharing the store needs its own; one restarted under the same id takes back its
    /// leases at once. The default, new for each store, is never shared: what it leaves behind
    /// waits for its leases to expire.
    public let owner: String

    public init(database: Database, owner: String = "store-" + UUID().uuidString.lowercased()) {
        (self.database, self.owner) = (database, owner)
    }

    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(MessagingError) -> T {
        do { return try await database.run(body) } catch let error as StorageError { throw .store(error) } catch {
            throw .store(.connectionFailed("\(error)"))
        }
    }

    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(MessagingError) -> T {
        try await run { connection in try connection.transaction { try body(connection) } }
    }

    /// Stores `message` unless its id was seen before (Meta retries deliveries): true when new.
    /// Its conversation is found or opened and its reply window moved on.
    public func accept(_ message: InboundMessage, now: Int) async throws(MessagingError) -> Bool {
        let (kind, body, media, sha): (String, String?, String?, String?)
        switch message.content {
        case .text(let text): (kind, body, media, sha) = ("text", text, nil, nil)
        case .image(.graphMediaID(let id, let hash), let caption): (kind, body, media, sha) = ("image", caption, id, hash)
        case .image(.url(let url), let caption): (kind, body, media, sha) = ("image", caption, url, nil)
        case .unsupported(let type): (kind, body, media, sha) = ("unsupported", type, nil, nil)
        }
        return try await transaction { connection in
            let platform = SQLValue(message.platform.rawValue), sender = SQLValue(message.senderID)
            try connection.execute("""
                INSERT INTO messaging_conversations (id, platform, sender_id, business_id, user_id, last_inbound_ms, created_ms)
                VALUES ($1, $2, $3, $4, NULL, $5, $6) ON CONFLICT (platform, sender_id) DO NOTHING
                """, SQLValue(UUID().uuidString.lowercased()), platform, sender, SQLValue(message.businessID),
                SQLValue(message.sentMs), SQLValue(now))
            let conversation = try connection.execute(
                "SELECT id FROM messaging_conversations WHERE platform = $1 AND sender_id = $2", platform, sender)
                .first?.string("id") ?? ""
            let inserted = try connection.execute("""
                INSERT INTO messaging_inbound (platform, message_id, conversation_id, kind, body, media_ref, media_sha256,
                                               sent_ms, received_ms, state, reason)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', NULL)
                ON CONFLICT (platform, message_id) DO NOTHING RETURNING message_id
                """, platform, SQLValue(message.messageID), SQLValue(conversation), SQLValue(kind), SQLValue(body),
                SQLValue(media), SQLValue(sha), SQLValue(message.sentMs), SQLValue(now))
            guard !inserted.isEmpty else { return false }
            try connection.execute("""
                UPDATE messaging_conversations SET last_inbound_ms = $1, business_id = $2
                WHERE id = $3 AND last_inbound_ms < $1
                """, SQLValue(message.sentMs), SQLValue(message.businessID), SQLValue(conversation))
            return true
        }
    }

    /// Records a delivery status (or an echo) once; repeats are ignored.
    public func record(_ status: DeliveryStatus) async throws(MessagingError) {
        try await run { connection in
            try connection.execute("""
                INSERT INTO messaging_statuses (platform, message_id, status, recipient_id, timestamp_ms, error)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, message_id, status) DO NOTHING
                """, SQLValue(status.platform.rawValue), SQLValue(status.messageID), SQLValue(status.status),
                SQLValue(status.recipientID), SQLValue(status.timestampMs), SQLValue(status.error))
        }
    }

    /// The statuses recorded for one sent message, oldest first.
    public func statuses(platform: MessagingPlatform, messageID: String) async throws(MessagingError) -> [DeliveryStatus] {
        try await run { connection in
            try connection.execute("""
                SELECT status, recipient_id, timestamp_ms, error FROM messaging_statuses
                WHERE platform = $1 AND message_id = $2 ORDER BY timestamp_ms, status
                """, SQLValue(platform.rawValue), SQLValue(messageID)).map { row in
                DeliveryStatus(platform: platform, messageID: messageID, status: try row.string("status"),
                               recipientID: try row.string("recipient_id"), timestampMs: try row.int("timestamp_ms"),
                               error: try row.optionalString("error"))
            }
        }
    }

    /// Accepted messages not yet answered, oldest first, whoever holds them.
    public func pendingInbound(limit: Int) async throws(MessagingError) -> [PendingInbound] {
        try await run { connection in try Self.pendingRows(connection, limit: limit) }
    }

    /// Pending messages oldest first; `condition` (`AND ...`, parameters from $2) narrows them.
    static func pendingRows(_ connection: any SQLConnection, limit: Int, _ condition: String = "",
                            _ values: SQLValue...) throws -> [PendingInbound] {
        try connection.execute("""
            SELECT i.platform, i.message_id, i.conversation_id, i.kind, i.body, i.media_ref, i.media_sha256, i.sent_ms,
                   c.sender_id, c.business_id
            FROM messaging_inbound i JOIN messaging_conversations c ON c.id = i.conversation_id
            WHERE i.state = 'pending' \(condition) ORDER BY i.received_ms, i.sent_ms LIMIT $1
            """, [SQLValue(limit)] + values).map(Self.pending)
    }

    private static func pending(_ row: SQLRow) throws -> PendingInbound {
        guard let platform = MessagingPlatform(rawValue: try row.string("platform")) else {
            throw StorageError.unexpectedValue(column: "platform")
        }
        let body = try row.optionalString("body"), media = try row.optionalString("media_ref")
        let content: MessageContent
        switch try row.string("kind") {
        case "text": content = .text(body ?? "")
        case "image":
            guard let media else { throw StorageError.unexpectedValue(column: "media_ref") }
            let reference: MediaReference = platform == .whatsapp
                ? .graphMediaID(media, sha256: try row.optionalString("media_sha256")) : .url(media)
            content = .image(reference, caption: body)
        default: content = .unsupported(type: body ?? "unknown")
        }
        let message = InboundMessage(platform: platform, messageID: try row.string("message_id"),
                                     senderID: try row.string("sender_id"), businessID: try row.string("business_id"),
                                     sentMs: try row.int("sent_ms"), content: content)
        return PendingInbound(message: message, conversationID: try row.string("conversation_id"))
    }

    /// The newest `limit` turns of a conversation, oldest first.
    public func history(conversationID: String, limit: Int) async throws(MessagingError) -> [ConversationTurn] {
        try await run { connection in
            try connection.execute("""
                SELECT role, content FROM messaging_turns WHERE conversation_id = $1 ORDER BY position DESC LIMIT $2
                """, SQLValue(conversationID), SQLValue(limit))
                .map { ConversationTurn(role: try $0.string("role"), content: try $0.string("content")) }.reversed()
        }
    }

    /// In one transaction: the exchange joins the conversation, the reply enters the outbox and
    /// the message is marked answered, so a crash leaves either all of it or none (then it is
    /// answered again). Nil, and nothing written, when this owner no longer holds the message
    /// (its lease ran out and another replica took it over).
    @discardableResult
    public func answer(_ inbound: PendingInbound, userTurn: String, reply: String, now: Int) async throws(MessagingError) -> String? {
        let id = UUID().uuidString.lowercased()
        return try await transaction { connection -> String? in
            // First, so the row is locked before anything is written: a replica taking it over
            // meanwhile waits, then finds it answered.
            guard try setInbound(connection, inbound.message, state: "answered", reason: nil) else { return nil }
            let conversation = SQLValue(inbound.conversationID)
            let last = try connection.execute(
                "SELECT COALESCE(MAX(position), 0) AS last FROM messaging_turns WHERE conversation_id = $1", conversation)
                .first?.int("last") ?? 0
            for (offset, turn) in [("user", userTurn), ("assistant", reply)].enumerated() {
                try connection.execute("""
                    INSERT INTO messaging_turns (conversation_id, position, role, content, created_ms) VALUES ($1, $2, $3, $4, $5)
                    """, conversation, SQLValue(last + 1 + offset), SQLValue(turn.0), SQLValue(turn.1), SQLValue(now))
            }
            try connection.execute("""
                INSERT INTO messaging_outbox (id, conversation_id, reply_to, body, state, attempts, next_attempt_ms, last_error,
                                              remote_id, created_ms, updated_ms)
                VALUES ($1, $2, $3, $4, 'pending', 0, $5, NULL, NULL, $5, $5)
                """, SQLValue(id), conversation, SQLValue(inbound.message.messageID), SQLValue(reply), SQLValue(now))
            return id
        }
    }

    /// Replies written to a conversation after `sinceMs` (sent or not): the per-sender rate.
    public func repliesWritten(conversationID: String, sinceMs: Int) async throws(MessagingError) -> Int {
        try await run { connection in
            try connection.execute("SELECT COUNT(*) AS n FROM messaging_outbox WHERE conversation_id = $1 AND created_ms > $2",
                                   SQLValue(conversationID), SQLValue(sinceMs)).first?.int("n") ?? 0
        }
    }

    /// Ends a message without a reply: `stale` (outside the reply window) or `quarantined`.
    /// False when this owner no longer holds it.
    @discardableResult
    public func close(_ inbound: PendingInbound, state: String, reason: String) async throws(MessagingError) -> Bool {
        try await run { connection in try setInbound(connection, inbound.message, state: state, reason: reason) }
    }

    /// Moves a pending message this owner holds to `state`, releasing the lease; false when it does not hold it.
    private func setInbound(_ connection: any SQLConnection, _ message: InboundMessage, state: String, reason: String?) throws -> Bool {
        try !connection.execute("""
            UPDATE messaging_inbound SET state = $1, reason = $2, lease_owner = NULL, lease_until_ms = NULL
            WHERE platform = $3 AND message_id = $4 AND state = 'pending' AND lease_owner = $5 RETURNING message_id
            """, SQLValue(state), SQLValue(reason), SQLValue(message.platform.rawValue), SQLValue(message.messageID),
            SQLValue(owner)).isEmpty
    }

    /// The state and reason of one inbound message, nil when it was never accepted.
    public func inboundState(platform: MessagingPlatform, messageID: String) async throws(MessagingError) -> (state: String, reason: String?)? {
        try await run { connection in
            try connection.execute("SELECT state, reason FROM messaging_inbound WHERE platform = $1 AND message_id = $2",
                                   SQLValue(platform.rawValue), SQLValue(messageID))
                .first.map { (try $0.string("state"), try $0.optionalString("reason")) }
        }
    }

    /// Outbox rows: the pending ones due by `dueBy`, or every row when `dueBy` is nil; oldest first
    /// (replies written in the same millisecond in the order their messages were sent).
    public func outbox(dueBy: Int? = nil, limit: Int = 1000) async throws(MessagingError) -> [OutboxItem] {
        try await run { connection in
            guard let dueBy else { return try Self.outboxRows(connection, limit: limit, "") }
            return try Self.outboxRows(connection, limit: limit, "WHERE o.state = 'pending' AND o.next_attempt_ms <= $2", SQLValue(dueBy))
        }
    }

    /// Outbox rows in sending order; `filter` (`WHERE ...`, parameters from $2) picks them.
    static func outboxRows(_ connection: any SQLConnection, limit: Int, _ filter: String, _ values: SQLValue...) throws -> [OutboxItem] {
        try connection.execute("""
            SELECT o.id, o.conversation_id, o.reply_to, o.body, o.state, o.attempts, o.last_error, o.remote_id,
                   c.platform, c.sender_id, c.business_id, c.last_inbound_ms
            FROM messaging_outbox o JOIN messaging_conversations c ON c.id = o.conversation_id
            JOIN messaging_inbound i ON i.platform = c.platform AND i.message_id = o.reply_to
            \(filter) ORDER BY o.created_ms, i.sent_ms, o.id LIMIT $1
            """, [SQLValue(limit)] + values).map { row in
            guard let platform = MessagingPlatform(rawValue: try row.string("platform")) else {
                throw StorageError.unexpectedValue(column: "platform")
            }
            return OutboxItem(id: try row.string("id"), conversationID: try row.string("conversation_id"), platform: platform,
                              recipientID: try row.string("sender_id"), businessID: try row.string("business_id"),
                              replyTo: try row.string("reply_to"), body: try row.string("body"), state: try row.string("state"),
                              attempts: try row.int("attempts"), lastError: try row.optionalString("last_error"),
                              remoteID: try row.optionalString("remote_id"), lastInboundMs: try row.int("last_inbound_ms"))
        }
    }

    // markSent, reschedule and quarantine act only on a pending reply this owner holds, and release
    // it; false when another replica took it over.

    @discardableResult
    public func markSent(_ id: String, remoteID: String, now: Int) async throws(MessagingError) -> Bool {
        try await updateOutbox(id, "state = 'sent', remote_id = $3, attempts = attempts + 1, updated_ms = $4",
                               SQLValue(remoteID), SQLValue(now))
    }

    /// A failed try that may succeed later: counted, and tried again at `nextAttemptMs`.
    @discardableResult
    public func reschedule(_ id: String, nextAttemptMs: Int, error: String, now: Int) async throws(MessagingError) -> Bool {
        try await updateOutbox(id, "attempts = attempts + 1, next_attempt_ms = $3, last_error = $4, updated_ms = $5",
                               SQLValue(nextAttemptMs), SQLValue(error), SQLValue(now))
    }

    /// A reply that will never be sent (refused by the platform, out of tries, out of the window).
    @discardableResult
    public func quarantine(_ id: String, reason: String, countsAsAttempt: Bool, now: Int) async throws(MessagingError) -> Bool {
        try await updateOutbox(id, "state = 'quarantined', attempts = attempts + $3, last_error = $4, updated_ms = $5",
                               SQLValue(countsAsAttempt ? 1 : 0), SQLValue(reason), SQLValue(now))
    }

    /// `assignments` take their parameters from $3 ($1 is the id, $2 the owner).
    private func updateOutbox(_ id: String, _ assignments: String, _ values: SQLValue...) async throws(MessagingError) -> Bool {
        let parameters = [SQLValue(id), SQLValue(owner)] + values
        return try await run { connection in
            try !connection.execute("""
                UPDATE messaging_outbox SET \(assignments), lease_owner = NULL, lease_until_ms = NULL
                WHERE id = $1 AND state = 'pending' AND lease_owner = $2 RETURNING id
                """, parameters).isEmpty
        }
    }

    /// Links a chat identity to a web account, so both surfaces know it is one person.
    /// False when the sender has never written (there is no conversation to link yet).
    public func link(platform: MessagingPlatform, senderID: String, userID: String) async throws(MessagingError) -> Bool {
        try await run { connection in
            try !connection.execute("""
                UPDATE messaging_conversations SET user_id = $1 WHERE platform = $2 AND sender_id = $3 RETURNING id
                """, SQLValue(userID), SQLValue(platform.rawValue), SQLValue(senderID)).isEmpty
        }
    }

    /// The web account a sender linked, if any.
    public func linkedUser(platform: MessagingPlatform, senderID: String) async throws(MessagingError) -> String? {
        try await run { connection in
            try connection.execute("SELECT user_id FROM messaging_conversations WHERE platform = $1 AND sender_id = $2",
                                   SQLValue(platform.rawValue), SQLValue(senderID)).first?.optionalString("user_id")
        }
    }
}

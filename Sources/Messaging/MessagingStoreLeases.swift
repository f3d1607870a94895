import Storage

/// Row claiming for replicas sharing one store (Schema version 9). Every replica's worker drains
/// the same inbound messages and outbox; a row is worked on only by the replica holding its lease
/// (`lease_owner` = `owner`, until `lease_until_ms`), and the writes that finish it (`answer`,
/// `close`, `markSent`, `reschedule`, `quarantine`) are refused to anyone else. A lease that
/// expires (its replica crashed or stalled) may be taken by another; a replica always takes back
/// its own, so one restarted under the same owner id carries on at once.
///
/// The same SQL runs on SQLite and PostgreSQL. Why each condition appears twice: under
/// PostgreSQL's READ COMMITTED two replicas claiming at once both run the subquery on their own
/// snapshot and may pick the same rows. The UPDATE locks each row; the second waits for the first
/// to commit, then re-checks its WHERE against the row's new version, but only the conditions on
/// the updated table itself: the IN (subquery) keeps the rows it first read, so on its own it
/// would let the second claimer overwrite the first's lease. Repeating the lease condition on the
/// updated row makes the waiting claimer see the other's lease and skip the row. (SQLite runs one
/// writer at a time, so there the second UPDATE simply reads the first's committed rows.) The
/// subqueries order without ties, so concurrent claims pick the rows they share in one order.
extension MessagingStore {
    /// A row nobody holds, whose lease ran out at `$3` (now), or that `$1` (this owner) holds.
    /// `table`: the alias prefix (`o.`) where the query joins other tables with the same columns.
    static func claimable(_ table: String = "") -> String {
        "\(table)state = 'pending' AND (\(table)lease_owner IS NULL OR \(table)lease_owner = $1 OR \(table)lease_until_ms <= $3)"
    }

    /// A message whose conversation has no message another replica is answering: one replica
    /// answers a conversation at a time, in order, each reply seeing the turns before it.
    static let inboundClaimable = claimable() + """
         AND NOT EXISTS (SELECT 1 FROM messaging_inbound sibling WHERE sibling.conversation_id = messaging_inbound.conversation_id \
        AND sibling.state = 'pending' AND sibling.lease_owner <> $1 AND sibling.lease_until_ms > $3)
        """

    /// The claimed rows are read back by owner and lease end, which rows this owner claimed
    /// earlier in the same millisecond share (and a LIMIT could then cut claimed ones off):
    /// every match is read and the claimed ones kept. A LIMIT both dialects take as "all".
    static let allRows = Int(Int32.max)

    /// Takes up to `limit` pending messages, oldest first, until `now + leaseMs`.
    public func claimPending(limit: Int, now: Int, leaseMs: Int) async throws(MessagingError) -> [PendingInbound] {
        let holder = SQLValue(self.owner), until = SQLValue(now + leaseMs)
        return try await run { connection in
            let claimed = try connection.execute("""
                UPDATE messaging_inbound SET lease_owner = $1, lease_until_ms = $2
                WHERE (platform, message_id) IN (
                    SELECT platform, message_id FROM messaging_inbound WHERE \(Self.inboundClaimable)
                    ORDER BY received_ms, sent_ms, platform, message_id LIMIT $4)
                  AND \(Self.inboundClaimable)
                RETURNING platform, message_id
                """, holder, until, SQLValue(now), SQLValue(limit)).map { [try $0.string("platform"), try $0.string("message_id")] }
            guard !claimed.isEmpty else { return [] }
            let keys = Set(claimed)
            return try Self.pendingRows(connection, limit: Self.allRows, "AND i.lease_owner = $2 AND i.lease_until_ms = $3", holder, until)
                .filter { keys.contains([$0.message.platform.rawValue, $0.message.messageID]) }
        }
    }

    /// Takes up to `limit` replies due by `now`, in sending order, until `now + leaseMs`.
    public func claimOutbox(limit: Int, now: Int, leaseMs: Int) async throws(MessagingError) -> [OutboxItem] {
        let holder = SQLValue(self.owner), until = SQLValue(now + leaseMs)
        return try await run { connection in
            let claimed = try Set(connection.execute("""
                UPDATE messaging_outbox SET lease_owner = $1, lease_until_ms = $2
                WHERE id IN (
                    SELECT o.id FROM messaging_outbox o JOIN messaging_conversations c ON c.id = o.conversation_id
                    JOIN messaging_inbound i ON i.platform = c.platform AND i.message_id = o.reply_to
                    WHERE \(Self.claimable("o.")) AND o.next_attempt_ms <= $3
                    ORDER BY o.created_ms, i.sent_ms, o.id LIMIT $4)
                  AND \(Self.claimable()) AND next_attempt_ms <= $3
                RETURNING id
                """, holder, until, SQLValue(now), SQLValue(limit)).map { try $0.string("id") })
            guard !claimed.isEmpty else { return [] }
            return try Self.outboxRows(connection, limit: Self.allRows,
                                   "WHERE o.state = 'pending' AND o.lease_owner = $2 AND o.lease_until_ms = $3", holder, until)
                .filter { claimed.contains($0.id) }
        }
    }

    /// Extends this owner's lease on a pending message to `now + leaseMs`; false when another
    /// replica has taken it over (or it is no longer pending), so it must be left alone.
    public func holdLease(on inbound: PendingInbound, now: Int, leaseMs: Int) async throws(MessagingError) -> Bool {
        let values = [SQLValue(now + leaseMs), SQLValue(owner), SQLValue(inbound.message.platform.rawValue),
                      SQLValue(inbound.message.messageID)]
        return try await run { connection in
            try !connection.execute("""
                UPDATE messaging_inbound SET lease_until_ms = $1
                WHERE lease_owner = $2 AND state = 'pending' AND platform = $3 AND message_id = $4 RETURNING message_id
                """, values).isEmpty
        }
    }

    /// The same for a pending reply in the outbox.
    public func holdLease(onOutbox id: String, now: Int, leaseMs: Int) async throws(MessagingError) -> Bool {
        let values = [SQLValue(now + leaseMs), SQLValue(owner), SQLValue(id)]
        return try await run { connection in
            try !connection.execute("""
                UPDATE messaging_outbox SET lease_until_ms = $1 WHERE lease_owner = $2 AND state = 'pending' AND id = $3 RETURNING id
                """, values).isEmpty
        }
    }
}

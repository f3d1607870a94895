import Foundation
import Storage

/// A fact the assistant may remember about the user, visible and editable by them.
public struct MemoryFact: Sendable, Equatable, Codable {
    public var id: String
    public var text: String
    public var createdMs: Int
    public var updatedMs: Int
}

/// The user's consents. Both off until the user turns them on.
public struct PrivacySettings: Sendable, Equatable, Codable {
    /// Memory facts go into the prompt only when this is on.
    public var personalisation: Bool
    /// Health mode may use health details the user gave (its own consent, apart from memory).
    public var healthConsent: Bool

    public init(personalisation: Bool = false, healthConsent: Bool = false) {
        (self.personalisation, self.healthConsent) = (personalisation, healthConsent)
    }
}

/// One answer that used memory: which facts went into the prompt, so the user can see it.
public struct PersonalisationUse: Sendable, Equatable, Codable {
    public var conversationId: String
    public var facts: [String]
    public var createdMs: Int

    public init(conversationId: String, facts: [String], createdMs: Int) {
        (self.conversationId, self.facts, self.createdMs) = (conversationId, facts, createdMs)
    }
}

extension AccountStore {
    public static let factLength = 1...500

    // MARK: - Memory

    public func memory(userId: String) async throws(AccountsError) -> [MemoryFact] {
        try await run { connection in
            try connection.execute("SELECT id, text, created_ms, updated_ms FROM memory_facts WHERE user_id = $1 ORDER BY created_ms, id",
                                   .text(userId)).map { row in
                MemoryFact(id: try row.string("id"), text: try row.string("text"), createdMs: try row.int("created_ms"),
                           updatedMs: try row.int("updated_ms"))
            }
        }
    }

    public func addFact(userId: String, text: String, nowMs: Int) async throws(AccountsError) -> MemoryFact {
        let text = try Self.checkedFact(text)
        let fact = MemoryFact(id: Self.newID("fact"), text: text, createdMs: nowMs, updatedMs: nowMs)
        try await run { connection in
            try connection.execute("INSERT INTO memory_facts (id, user_id, text, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5)",
                                   .text(fact.id), .text(userId), .text(text), SQLValue(nowMs), SQLValue(nowMs))
        }
        return fact
    }

    public func editFact(id: String, userId: String, text: String, nowMs: Int) async throws(AccountsError) {
        let text = try Self.checkedFact(text)
        let found = try await run { connection in
            let rows = try connection.execute("SELECT id FROM memory_facts WHERE id = $1 AND user_id = $2", .text(id), .text(userId))
            try connection.execute("UPDATE memory_facts SET text = $1, updated_ms = $2 WHERE id = $3 AND user_id = $4",
                                   .text(text), SQLValue(nowMs), .text(id), .text(userId))
            return !rows.isEmpty
        }
        guard found else { throw .notFound("memory fact") }
    }

    public func deleteFact(id: String, userId: String) async throws(AccountsError) {
        let found = try await run { connection in
            let rows = try connection.execute("SELECT id FROM memory_facts WHERE id = $1 AND user_id = $2", .text(id), .text(userId))
            try connection.execute("DELETE FROM memory_facts WHERE id = $1 AND user_id = $2", .text(id), .text(userId))
            return !rows.isEmpty
        }
        guard found else { throw .notFound("memory fact") }
    }

    static func checkedFact(_ text: String) throws(AccountsError) -> String {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard factLength.contains(text.count) else { throw .invalidInput("a memory fact is 1 to \(factLength.upperBound) characters") }
        return text
    }

    // MARK: - Settings and what personalisation used

    public func settings(userId: String) async throws(AccountsError) -> PrivacySettings {
        try await run { connection in
            guard let row = try connection.execute("SELECT personalisation, health_consent FROM user_settings WHERE user_id = $1",
                                                   .text(userId)).first else { return PrivacySettings() }
            return PrivacySettings(personalisation: try row.int("personalisation") == 1, healthConsent: try row.int("health_consent") == 1)
        }
    }

    /// Upserts both columns (the shopping module's consent writes only `personalisation`).
    public func updateSettings(userId: String, _ settings: PrivacySettings, nowMs: Int) async throws(AccountsError) {
        try await run { connection in
            try connection.execute("""
                INSERT INTO user_settings (user_id, personalisation, health_consent, updated_ms) VALUES ($1, $2, $3, $4)
                ON CONFLICT (user_id) DO UPDATE SET personalisation = excluded.personalisation,
                    health_consent = excluded.health_consent, updated_ms = excluded.updated_ms
                """, .text(userId), SQLValue(settings.personalisation), SQLValue(settings.healthConsent), SQLValue(nowMs))
        }
    }

    /// The facts to put in a prompt: none unless personalisation is on; each use is recorded.
    public func factsForPrompt(userId: String, conversationId: String, nowMs: Int) async throws(AccountsError) -> [String] {
        guard try await settings(userId: userId).personalisation else { return [] }
        let facts = try await memory(userId: userId).map(\.text)
        guard !facts.isEmpty else { return [] }
        try await run { connection in
            try connection.execute("""
                INSERT INTO personalisation_uses (id, user_id, conversation_id, facts, created_ms) VALUES ($1, $2, $3, $4, $5)
                """, .text(Self.newID("use")), .text(userId), .text(conversationId), .text(facts.joined(separator: "\n")), SQLValue(nowMs))
        }
        return facts
    }

    public func personalisationUses(userId: String) async throws(AccountsError) -> [PersonalisationUse] {
        try await run { connection in
            try connection.execute("""
                SELECT conversation_id, facts, created_ms FROM personalisation_uses WHERE user_id = $1 ORDER BY created_ms DESC, id
                """, .text(userId)).map { row in
                PersonalisationUse(conversationId: try row.string("conversation_id"),
                                   facts: try row.string("facts").split(separator: "\n").map(String.init),
                                   createdMs: try row.int("created_ms"))
            }
        }
    }
}

import Foundation
import Storage

/// Everything stored about one user, as the privacy page's export gives it.
public struct AccountExport: Sendable, Codable {
    public struct ConversationExport: Sendable, Codable {
        public var conversation: Conversation
        public var messages: [ConversationMessage]
    }
    public var exportedMs: Int
    public var user: User
    public var identities: [LinkedIdentity]
    public var localUsername: String?
    public var settings: PrivacySettings
    public var memory: [MemoryFact]
    public var conversations: [ConversationExport]
    public var personalisationUses: [PersonalisationUse]
    /// Rows of the other features' tables keyed by this user (shopping follows, interactions...),
    /// by table, each row by column; values as text or numbers.
    public var otherData: [String: [[String: String]]]
}

extension AccountStore {
    /// This module's tables, children before parents (the order deletion needs for the foreign
    /// keys); `users` itself goes last.
    static let ownTables = ["web_sessions", "personalisation_uses", "memory_facts", "conversation_messages", "conversations",
                            "local_credentials", "user_identities", "user_settings"]

    /// Every table of the store with a `user_id` column, found in the schema, so data other
    /// features add later is exported and deleted too.
    public static func tablesWithUserID(_ connection: any SQLConnection) throws -> [String] {
        switch connection.dialect {
        case .sqlite:
            let tables = try connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map { try $0.string("name") }
            return try tables.filter { table in
                try connection.execute("SELECT name FROM pragma_table_info($1)", .text(table)).contains { $0["name"] == .text("user_id") }
            }
        case .postgres:
            return try connection.execute("""
                SELECT table_name FROM information_schema.columns
                WHERE column_name = 'user_id' AND table_schema = current_schema() ORDER BY table_name
                """).map { try $0.string("table_name") }
        }
    }

    /// The tables among `tablesWithUserID` whose `user_id` may be NULL: their rows belong to
    /// something else that is only linked to the user (a chat-app conversation), so deleting
    /// the account unlinks them instead of deleting them.
    static func tablesLinkingUsers(_ connection: any SQLConnection) throws -> Set<String> {
        switch connection.dialect {
        case .sqlite:
            // SQLite lets a non-INTEGER PRIMARY KEY hold NULL and reports `notnull` 0 for it: such a key is no link.
            return Set(try tablesWithUserID(connection).filter { table in
                try connection.execute(#"SELECT "notnull" AS required, pk FROM pragma_table_info($1) WHERE name = 'user_id'"#,
                                       .text(table)).contains { row in
                    let required = try row.int("required"), key = try row.int("pk")
                    return required == 0 && key == 0
                }
            })
        case .postgres:
            return Set(try connection.execute("""
                SELECT table_name FROM information_schema.columns
                WHERE column_name = 'user_id' AND is_nullable = 'YES' AND table_schema = current_schema()
                """).map { try $0.string("table_name") })
        }
    }

    public func export(userId: String, nowMs: Int) async throws(AccountsError) -> AccountExport {
        let userRow = try await run { connection in
            try connection.execute("SELECT id, display_name, created_ms FROM users WHERE id = $1", .text(userId)).first
        }
        guard let userRow else { throw .notFound("user") }
        let user = try Self.user(userRow)
        var conversations: [AccountExport.ConversationExport] = []
        for conversation in try await self.conversations(userId: userId) {
            conversations.append(.init(conversation: conversation,
                                       messages: try await messages(conversationId: conversation.id, userId: userId)))
        }
        let (username, other) = try await run { connection in
            let username = try connection.execute("SELECT username FROM local_credentials WHERE user_id = $1", .text(userId))
                .first?.string("username")
            var other: [String: [[String: String]]] = [:]
            for table in try Self.tablesWithUserID(connection) where !Self.ownTables.contains(table) {
                let rows = try connection.execute("SELECT * FROM \(table) WHERE user_id = $1", .text(userId))
                if !rows.isEmpty { other[table] = rows.map { $0.values.compactMapValues(Self.exportText) } }
            }
            return (username, other)
        }
        return AccountExport(exportedMs: nowMs, user: user, identities: try await identities(userId: userId), localUsername: username,
                             settings: try await settings(userId: userId), memory: try await memory(userId: userId),
                             conversations: conversations, personalisationUses: try await personalisationUses(userId: userId),
                             otherData: other)
    }

    static func exportText(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return text
        }
    }

    /// Deletes the user and every row keyed by them (rows only linked to them are unlinked), in
    /// one transaction. Returns the rows deleted or unlinked.
    @discardableResult
    public func deleteAccount(userId: String) async throws(AccountsError) -> Int {
        try await run { connection in
            var deleted = 0
            let others = try Self.tablesWithUserID(connection).filter { !Self.ownTables.contains($0) }
            let linking = try Self.tablesLinkingUsers(connection)
            for table in Self.ownTables + others {
                let count = try connection.execute("SELECT COUNT(*) AS n FROM \(table) WHERE user_id = $1", .text(userId)).first?.int("n") ?? 0
                try connection.execute(linking.contains(table) ? "UPDATE \(table) SET user_id = NULL WHERE user_id = $1"
                                                               : "DELETE FROM \(table) WHERE user_id = $1", .text(userId))
                deleted += count
            }
            let users = try connection.execute("SELECT COUNT(*) AS n FROM users WHERE id = $1", .text(userId)).first?.int("n") ?? 0
            try connection.execute("DELETE FROM users WHERE id = $1", .text(userId))
            return deleted + users
        }
    }
}

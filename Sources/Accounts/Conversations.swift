import Foundation
import Shopping
import Storage

/// One conversation of one user. Private: no route reads it without its owner's id.
public struct Conversation: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var mode: String
    public var createdMs: Int
    public var updatedMs: Int
}

public struct ConversationMessage: Sendable, Equatable, Codable {
    public var id: String
    public var position: Int
    public var role: String
    public var content: String
    /// Thinking and Contemplating's reasoning_content, shown collapsed.
    public var reasoning: String?
    public var mode: String?
    public var createdMs: Int
    /// A picture the user attached, as a `data:` URL.
    public var image: String?
    /// Shopping: the product cards the answer showed, as they were then (price, reason, post).
    public var products: [ProductCard]?
}

extension AccountStore {
    /// Titles are the first words of the first message, at most this many characters.
    public static let titleLength = 60
    /// One message's text (the request body limit bounds it too).
    public static let messageLength = 32_000
    /// Longest attached picture, as a data URL: 3 MiB of base64, under `muse serve`'s default
    /// 4 MiB body limit (the page shrinks larger photos before sending them).
    public static let imageLength = 3 << 20
    /// Cards one answer may carry: Shopping answers list `ShoppingConversation.answerLimit` (5);
    /// the rest is headroom, the bound keeps one row small.
    public static let productsPerMessage = 50

    public func createConversation(userId: String, title: String, mode: String, nowMs: Int) async throws(AccountsError) -> Conversation {
        let conversation = Conversation(id: Self.newID("conv"), title: Self.title(from: title), mode: mode, createdMs: nowMs,
                                        updatedMs: nowMs)
        try await run { connection in
            try connection.execute("""
                INSERT INTO conversations (id, user_id, title, mode, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
                """, .text(conversation.id), .text(userId), .text(conversation.title), .text(mode), SQLValue(nowMs), SQLValue(nowMs))
        }
        return conversation
    }

    /// The user's conversations, newest first.
    public func conversations(userId: String) async throws(AccountsError) -> [Conversation] {
        try await run { connection in
            try connection.execute("""
                SELECT id, title, mode, created_ms, updated_ms FROM conversations WHERE user_id = $1 ORDER BY updated_ms DESC, id
                """, .text(userId)).map(Self.conversation)
        }
    }

    /// One conversation of this user; another user's is `notFound`, exactly like a missing one.
    public func conversation(id: String, userId: String) async throws(AccountsError) -> Conversation {
        let row = try await run { connection in
            try connection.execute("SELECT id, title, mode, created_ms, updated_ms FROM conversations WHERE id = $1 AND user_id = $2",
                                   .text(id), .text(userId)).first
        }
        guard let row else { throw .notFound("conversation") }
        do { return try Self.conversation(row) } catch { throw .storage(error) }
    }

    public func messages(conversationId: String, userId: String) async throws(AccountsError) -> [ConversationMessage] {
        _ = try await conversation(id: conversationId, userId: userId)
        return try await run { connection in
            try connection.execute("""
                SELECT id, position, role, content, reasoning, mode, created_ms, image, products FROM conversation_messages
                WHERE conversation_id = $1 AND user_id = $2 ORDER BY position
                """, .text(conversationId), .text(userId)).map(Self.message)
        }
    }

    /// Appends a message at the end of the user's conversation.
    @discardableResult
    public func appendMessage(conversationId: String, userId: String, role: String, content: String, reasoning: String? = nil,
                              mode: String?, image: String? = nil, products: [ProductCard]? = nil,
                              nowMs: Int) async throws(AccountsError) -> ConversationMessage {
        guard content.count <= Self.messageLength else { throw .invalidInput("a message is at most \(Self.messageLength) characters") }
        if let image {
            guard image.hasPrefix("data:image/"), image.utf8.count <= Self.imageLength else {
                throw .invalidInput("a picture is a data:image/... URL of at most \(Self.imageLength >> 20) MiB")
            }
        }
        guard (products?.count ?? 0) <= Self.productsPerMessage else {
            throw .invalidInput("a message shows at most \(Self.productsPerMessage) products")
        }
        let productsJSON = try Self.productsText(products)
        let id = Self.newID("msg")
        return try await run { connection in
            guard !(try connection.execute("SELECT id FROM conversations WHERE id = $1 AND user_id = $2",
                                           .text(conversationId), .text(userId)).isEmpty) else {
                throw AccountsError.notFound("conversation")
            }
            let position = (try connection.execute(
                "SELECT COALESCE(MAX(position), -1) AS p FROM conversation_messages WHERE conversation_id = $1",
                .text(conversationId)).first?.int("p") ?? -1) + 1
            try connection.execute("""
                INSERT INTO conversation_messages (id, conversation_id, user_id, position, role, content, reasoning, mode,
                                                   created_ms, image, products)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """, .text(id), .text(conversationId), .text(userId), SQLValue(position), .text(role), .text(content),
                SQLValue(reasoning), SQLValue(mode), SQLValue(nowMs), SQLValue(image), SQLValue(productsJSON))
            try connection.execute("UPDATE conversations SET updated_ms = $1 WHERE id = $2", SQLValue(nowMs), .text(conversationId))
            return ConversationMessage(id: id, position: position, role: role, content: content, reasoning: reasoning, mode: mode,
                                       createdMs: nowMs, image: image, products: products)
        }
    }

    /// Drops the messages from `position` on (regenerate, edit and resend).
    public func truncate(conversationId: String, userId: String, from position: Int) async throws(AccountsError) {
        _ = try await conversation(id: conversationId, userId: userId)
        try await run { connection in
            try connection.execute("DELETE FROM conversation_messages WHERE conversation_id = $1 AND user_id = $2 AND position >= $3",
                                   .text(conversationId), .text(userId), SQLValue(position))
        }
    }

    public func deleteConversation(id: String, userId: String) async throws(AccountsError) {
        _ = try await conversation(id: id, userId: userId)
        try await run { connection in
            try connection.execute("DELETE FROM conversation_messages WHERE conversation_id = $1 AND user_id = $2", .text(id), .text(userId))
            try connection.execute("DELETE FROM conversations WHERE id = $1 AND user_id = $2", .text(id), .text(userId))
        }
    }

    static func title(from text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !line.isEmpty else { return "New conversation" }
        return line.count > titleLength ? String(line.prefix(titleLength - 1)) + "…" : line
    }

    static func conversation(_ row: SQLRow) throws(StorageError) -> Conversation {
        Conversation(id: try row.string("id"), title: try row.string("title"), mode: try row.string("mode"),
                     createdMs: try row.int("created_ms"), updatedMs: try row.int("updated_ms"))
    }

    static func message(_ row: SQLRow) throws(StorageError) -> ConversationMessage {
        ConversationMessage(id: try row.string("id"), position: try row.int("position"), role: try row.string("role"),
                            content: try row.string("content"), reasoning: try row.optionalString("reasoning"),
                            mode: try row.optionalString("mode"), createdMs: try row.int("created_ms"),
                            image: try row.optionalString("image"), products: try storedProducts(row))
    }

    static func productsText(_ products: [ProductCard]?) throws(AccountsError) -> String? {
        guard let products else { return nil }
        do { return String(decoding: try JSONEncoder().encode(products), as: UTF8.self) } catch {
            throw .invalidInput("the product cards cannot be stored: \(error)")
        }
    }

    /// The stored cards; a row whose JSON does not decode is a storage error, not a crash.
    static func storedProducts(_ row: SQLRow) throws(StorageError) -> [ProductCard]? {
        guard let text = try row.optionalString("products") else { return nil }
        do { return try JSONDecoder().decode([ProductCard].self, from: Data(text.utf8)) } catch {
            throw .unexpectedValue(column: "products")
        }
    }
}

import Crypto
import Foundation
import Storage

/// The one-time codes that link a chat identity to a web account. A signed-in web user asks
/// for one; sending `link CODE` from WhatsApp, Messenger or Instagram redeems it. Only the
/// code's SHA-256 is stored.
public enum LinkCode {
    /// A-Z and 2-9 without I, O, 0 and 1 (the pairs people misread): 32 symbols, so a code of
    /// 8 carries 40 bits. A sender guessing at the rate limit (6 a minute) needs about 170,000
    /// years on average to hit one given code (2^39 / 6 per minute), which lives 10 minutes.
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    public static let length = 8
    /// Ten minutes: long enough to pick up a phone and type it, short enough that a code seen
    /// over a shoulder is soon worthless.
    public static let lifetimeMs = 10 * 60_000
    /// The command word: `link ABCD-EFGH`, any case, spaces or dashes inside the code.
    static let command = "link"
    /// What the conversation's turns and the stored message keep of a `link CODE` message.
    public static let redactedCommand = "link [code]"

    /// A new code from the system's CSPRNG (`SystemRandomNumberGenerator`: getrandom on Linux).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// `ABCDEFGH` shown as `ABCD-EFGH`, easier to read out and type.
    public static func display(_ code: String) -> String {
        String(code.prefix(length / 2)) + "-" + String(code.dropFirst(length / 2))
    }

    /// The code of a `link CODE` message, upper-cased with spaces and dashes removed; nil when
    /// the text is anything else (it then goes to the model like any message).
    public static func code(inCommand text: String) -> String? {
        let words = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard words.count > command.count, words.prefix(command.count).lowercased() == command,
              let separator = words.dropFirst(command.count).first, separator.isWhitespace || separator == ":" else { return nil }
        let code = words.dropFirst(command.count + 1).filter { !$0.isWhitespace && $0 != "-" }.uppercased()
        guard code.count == length, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return code
    }

    /// What the store keeps: lower-case hex SHA-256 of the normalised code.
    public static func hash(_ code: String) -> String {
        SHA256.hash(data: Data(code.uppercased().utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// A code as the web page shows it once: never stored, never shown again.
public struct IssuedLinkCode: Sendable, Equatable, Codable {
    /// `ABCD-EFGH`.
    public let code: String
    public let expiresMs: Int
}

/// How redeeming a code went; each case has its chat reply.
public enum LinkRedemption: Sendable, Equatable {
    case linked(accountName: String)
    case unknown, expired, used

    public func reply(on platform: MessagingPlatform) -> String {
        let again = "Ask for a new code under Chat apps on the Muse web page, then send: link CODE"
        switch self {
        case .linked(let name):
            return "Done: this \(platform.displayName) chat is now linked to the Muse account \"\(name)\". "
                + "Answers here follow that account's memory and privacy settings. You can unlink it under Chat apps on the web page."
        case .unknown: return "I don't know that link code. " + again
        case .expired: return "That link code has expired (codes last \(LinkCode.lifetimeMs / 60_000) minutes). " + again
        case .used: return "That link code was already used. " + again
        }
    }
}

/// A chat identity linked to a web account, as its owner sees it on the web page.
public struct LinkedChat: Sendable, Equatable, Codable {
    /// The messaging conversation: what unlinking names.
    public let id: String
    public let platform: MessagingPlatform
    /// The sender id with all but its last characters hidden (`•••1234`).
    public let maskedSender: String
    public let linkedMs: Int

    /// Enough of the end to tell two phones apart, never the whole number or PSID.
    public static func mask(_ senderID: String) -> String {
        String(repeating: "•", count: 3) + String(senderID.suffix(min(4, senderID.count / 2)))
    }
}

/// Who wrote, as a composer may use it: the chat conversation and the web account it is
/// linked to (nil: none), read as each message is answered, so unlinking takes effect at once.
public struct ChatSender: Sendable, Equatable {
    public let conversationID: String
    public let linkedUserID: String?

    public init(conversationID: String, linkedUserID: String?) { (self.conversationID, self.linkedUserID) = (conversationID, linkedUserID) }
}

extension MessagingPlatform {
    /// The app's name as people know it.
    public var displayName: String {
        switch self {
        case .whatsapp: return "WhatsApp"
        case .messenger: return "Messenger"
        case .instagram: return "Instagram"
        }
    }
}

extension MessagingStore {
    /// Used codes and expired ones older than this are deleted as new codes are issued.
    static let linkCodeRetentionMs = 24 * 3_600_000

    /// A fresh code for `userID`; `accountName` is what the chat reply will call the account.
    public func issueLinkCode(userID: String, accountName: String, now: Int) async throws(MessagingError) -> IssuedLinkCode {
        let code = LinkCode.generate()
        try await transaction { connection in
            try connection.execute("DELETE FROM messaging_link_codes WHERE expires_ms < $1", SQLValue(now - Self.linkCodeRetentionMs))
            try connection.execute("""
                INSERT INTO messaging_link_codes (code_sha256, user_id, account_name, created_ms, expires_ms, used_ms, used_by)
                VALUES ($1, $2, $3, $4, $5, NULL, NULL)
                """, SQLValue(LinkCode.hash(code)), SQLValue(userID), SQLValue(accountName), SQLValue(now),
                SQLValue(now + LinkCode.lifetimeMs))
        }
        return IssuedLinkCode(code: LinkCode.display(code), expiresMs: now + LinkCode.lifetimeMs)
    }

    /// In one transaction: the code is checked (known, unused, unexpired), marked used and the
    /// conversation of `inbound` (the `link CODE` message) linked to its account; the message's
    /// stored text loses the code. The same code sent again by the conversation it linked (still
    /// linked) answers `linked` again, so a reply lost to a crash is not a refusal.
    public func redeemLinkCode(_ code: String, from inbound: PendingInbound, now: Int) async throws(MessagingError) -> LinkRedemption {
        let conversationID = inbound.conversationID
        return try await transaction { connection in
            let hash = SQLValue(LinkCode.hash(code)), conversation = SQLValue(conversationID)
            try connection.execute("UPDATE messaging_inbound SET body = $1 WHERE platform = $2 AND message_id = $3",
                                   SQLValue(LinkCode.redactedCommand), SQLValue(inbound.message.platform.rawValue),
                                   SQLValue(inbound.message.messageID))
            guard let row = try connection.execute("""
                SELECT k.user_id, k.account_name, k.expires_ms, k.used_ms, k.used_by, c.user_id AS linked_to
                FROM messaging_link_codes k LEFT JOIN messaging_conversations c ON c.id = $2 WHERE k.code_sha256 = $1
                """, hash, conversation).first else { return .unknown }
            let userID = try row.string("user_id"), name = try row.string("account_name")
            if try row.optionalInt("used_ms") != nil {
                let usedBy = try row.optionalString("used_by"), linkedTo = try row.optionalString("linked_to")
                return usedBy == conversationID && linkedTo == userID ? .linked(accountName: name) : .used
            }
            guard try row.int("expires_ms") > now else { return .expired }
            // `used_ms IS NULL` again: of two replicas redeeming at once, PostgreSQL lets one update the row.
            guard !(try connection.execute("""
                UPDATE messaging_link_codes SET used_ms = $1, used_by = $2 WHERE code_sha256 = $3 AND used_ms IS NULL
                RETURNING code_sha256
                """, SQLValue(now), conversation, hash)).isEmpty else { return .used }
            guard !(try connection.execute("UPDATE messaging_conversations SET user_id = $1, linked_ms = $2 WHERE id = $3 RETURNING id",
                                           SQLValue(userID), SQLValue(now), conversation)).isEmpty else {
                throw StorageError.unexpectedValue(column: "messaging_conversations.id")
            }
            return .linked(accountName: name)
        }
    }

    /// The chat identities linked to `userID`, oldest link first.
    public func linkedChats(userID: String) async throws(MessagingError) -> [LinkedChat] {
        try await run { connection in
            try connection.execute("""
                SELECT id, platform, sender_id, COALESCE(linked_ms, created_ms) AS linked_ms FROM messaging_conversations
                WHERE user_id = $1 ORDER BY linked_ms, id
                """, SQLValue(userID)).map { row in
                guard let platform = MessagingPlatform(rawValue: try row.string("platform")) else {
                    throw StorageError.unexpectedValue(column: "platform")
                }
                return LinkedChat(id: try row.string("id"), platform: platform, maskedSender: LinkedChat.mask(try row.string("sender_id")),
                                  linkedMs: try row.int("linked_ms"))
            }
        }
    }

    /// Unlinks one of `userID`'s chats; false when no such link is theirs.
    public func unlink(conversationID: String, userID: String) async throws(MessagingError) -> Bool {
        try await run { connection in
            try !connection.execute("""
                UPDATE messaging_conversations SET user_id = NULL, linked_ms = NULL WHERE id = $1 AND user_id = $2 RETURNING id
                """, SQLValue(conversationID), SQLValue(userID)).isEmpty
        }
    }
}

extension MessagingService {
    /// Answers a `link CODE` message through the outbox (reply window, rate limit and retries
    /// apply); the code never reaches the model or the conversation's turns. False when another
    /// replica took the message over meanwhile (it then answers; a repeated redemption by the same
    /// chat is answered "linked" again).
    func answerLinkCommand(_ code: String, _ inbound: PendingInbound, now: Int) async throws(MessagingError) -> Bool {
        let outcome = try await store.redeemLinkCode(code, from: inbound, now: now)
        return try await store.answer(inbound, userTurn: LinkCode.redactedCommand, reply: outcome.reply(on: inbound.message.platform),
                                      now: now) != nil
    }
}

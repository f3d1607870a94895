import Accounts
import Foundation
import Shopping
import Storage
import Testing
import TestSupport

/// A low scrypt cost keeps the suites quick; the parameters are stored with each hash, and the
/// server uses `PasswordHasher()`'s defaults (one test below checks those too).
let testHasher = PasswordHasher(cost: 1 << 10)
let now = 1_790_000_000_000

func stores() throws -> [AccountStore] {
    try TestDatabase.freshLocations().map { AccountStore(database: try Database($0), hasher: testHasher) }
}

@Suite struct PasswordTests {
    @Test func defaultHashRoundTripsAndStoresItsParameters() throws {
        let stored = try PasswordHasher().hash("correct horse battery")
        let parts = stored.split(separator: "$")
        #expect(parts.count == 6)
        #expect(parts[0] == "scrypt" && parts[1] == "32768" && parts[2] == "8" && parts[3] == "1")
        #expect(try PasswordHasher.verify("correct horse battery", against: stored))
        #expect(try !PasswordHasher.verify("correct horse batterx", against: stored))
    }

    @Test func saltsDiffer() throws {
        #expect(try testHasher.hash("same password") != testHasher.hash("same password"))
    }

    @Test func damagedHashIsATypedError() {
        #expect(throws: AccountsError.corruptPasswordHash) { try PasswordHasher.verify("x", against: "scrypt$3$8$1$AA==$AA==") }
        #expect(throws: AccountsError.corruptPasswordHash) { try PasswordHasher.verify("x", against: "md5$abc") }
    }
}

@Suite struct AccountStoreTests {
    @Test func localSignUpAndSignIn() async throws {
        for store in try stores() {
            let user = try await store.signUp(username: "Ada", password: "analytical-engine", nowMs: now)
            #expect(try await store.signIn(username: "ada", password: "analytical-engine") == user)
            await #expect(throws: AccountsError.signInFailed) { try await store.signIn(username: "ada", password: "wrong-password") }
            await #expect(throws: AccountsError.signInFailed) { try await store.signIn(username: "nobody", password: "analytical-engine") }
            await #expect(throws: AccountsError.usernameTaken) { try await store.signUp(username: "ADA", password: "another-one", nowMs: now) }
            await #expect(throws: AccountsError.self) { try await store.signUp(username: "bob", password: "short", nowMs: now) }
            let stored = try await store.database.run { try $0.execute("SELECT password_hash FROM local_credentials").first?.string("password_hash") }
            #expect(stored?.contains("analytical") == false)
        }
    }

    @Test func identitiesAreKeyedByIssuerAndSubjectNeverEmail() async throws {
        for store in try stores() {
            let a = try await store.user(forIssuer: "https://idp.one", subject: "123", email: "same@example.com", name: "A", nowMs: now)
            let again = try await store.user(forIssuer: "https://idp.one", subject: "123", email: "changed@example.com", name: "A", nowMs: now)
            #expect(again == a)
            // The same e-mail at another provider is another person unless they link it.
            let b = try await store.user(forIssuer: "https://idp.two", subject: "123", email: "same@example.com", name: "B", nowMs: now)
            #expect(b.id != a.id)
            let linked = try await store.user(forIssuer: "https://idp.three", subject: "x", email: nil, name: nil, linkTo: a.id, nowMs: now)
            #expect(linked.id == a.id)
            #expect(try await store.identities(userId: a.id).map(\.issuer) == ["https://idp.one", "https://idp.three"])
        }
    }

    @Test func sessionsStoreOnlyTheHashAndExpire() async throws {
        for store in try stores() {
            let user = try await store.signUp(username: "carol", password: "password-123", nowMs: now)
            let session = try await store.startSession(userId: user.id, nowMs: now)
            let (found, who) = try await store.session(token: session.token, nowMs: now + 1000)
            #expect(who == user && found.csrfToken == session.csrfToken)
            let stored = try await store.database.run { try $0.execute("SELECT token_sha256 FROM web_sessions").map { try $0.string("token_sha256") } }
            #expect(stored.count == 1 && stored[0] != session.token && stored[0].count == 64)
            await #expect(throws: AccountsError.sessionInvalid) {
                try await store.session(token: session.token, nowMs: now + AccountStore.sessionLifetimeMs)
            }
            await #expect(throws: AccountsError.sessionInvalid) { try await store.session(token: "forged", nowMs: now) }
            try await store.endSession(token: session.token)
            await #expect(throws: AccountsError.sessionInvalid) { try await store.session(token: session.token, nowMs: now + 1000) }
        }
    }

    @Test func conversationsArePrivateToTheirOwner() async throws {
        for store in try stores() {
            let alice = try await store.signUp(username: "alice", password: "password-a", nowMs: now)
            let mallory = try await store.signUp(username: "mallory", password: "password-m", nowMs: now)
            let conversation = try await store.createConversation(userId: alice.id, title: "Secret plans\nmore", mode: "instant", nowMs: now)
            #expect(conversation.title == "Secret plans")
            try await store.appendMessage(conversationId: conversation.id, userId: alice.id, role: "user", content: "hi", mode: "instant", nowMs: now)
            try await store.appendMessage(conversationId: conversation.id, userId: alice.id, role: "assistant", content: "hello",
                                          reasoning: "greet back", mode: "thinking", nowMs: now + 1)
            let messages = try await store.messages(conversationId: conversation.id, userId: alice.id)
            #expect(messages.map(\.content) == ["hi", "hello"] && messages.map(\.position) == [0, 1])
            #expect(messages[1].reasoning == "greet back")
            #expect(try await store.conversations(userId: mallory.id).isEmpty)
            await #expect(throws: AccountsError.notFound("conversation")) {
                try await store.messages(conversationId: conversation.id, userId: mallory.id)
            }
            await #expect(throws: AccountsError.notFound("conversation")) {
                try await store.appendMessage(conversationId: conversation.id, userId: mallory.id, role: "user", content: "x", mode: nil, nowMs: now)
            }
            await #expect(throws: AccountsError.notFound("conversation")) { try await store.deleteConversation(id: conversation.id, userId: mallory.id) }
            try await store.truncate(conversationId: conversation.id, userId: alice.id, from: 1)
            #expect(try await store.messages(conversationId: conversation.id, userId: alice.id).map(\.content) == ["hi"])
        }
    }

    @Test func aMessageKeepsItsPictureAndRefusesOtherData() async throws {
        for store in try stores() {
            let user = try await store.signUp(username: "pia", password: "password-p", nowMs: now)
            let conversation = try await store.createConversation(userId: user.id, title: "Label", mode: "instant", nowMs: now)
            let picture = "data:image/png;base64,iVBORw0KGgo="
            try await store.appendMessage(conversationId: conversation.id, userId: user.id, role: "user", content: "what is this?",
                                          mode: "instant", image: picture, nowMs: now)
            let messages = try await store.messages(conversationId: conversation.id, userId: user.id)
            #expect(messages.map(\.image) == [picture])
            for bad in ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                        "data:image/png;base64," + String(repeating: "A", count: AccountStore.imageLength)] {
                await #expect(throws: AccountsError.self) {
                    try await store.appendMessage(conversationId: conversation.id, userId: user.id, role: "user", content: "x",
                                                  mode: nil, image: bad, nowMs: now)
                }
            }
        }
    }

    @Test func anAnswerKeepsTheProductCardsItShowed() async throws {
        let json = #"{"product_id":"p1","title":"<b>Wool</b> scarf","brand_id":"b1","brand":"North","category":"fashion","price":"€39.00","#
            + #""price_cents":3900,"currency":"EUR","in_stock":true,"reason":"because you follow @ana, who styled it in 'Autumn layers'","#
            + #""source":"followed_post","sponsored":true,"post_id":"c1-3","score":0.5}"#
        let card = try JSONDecoder().decode(ProductCard.self, from: Data(json.utf8))
        for store in try stores() {
            let user = try await store.signUp(username: "shopper", password: "password-s", nowMs: now)
            let conversation = try await store.createConversation(userId: user.id, title: "Scarf", mode: "shopping", nowMs: now)
            try await store.appendMessage(conversationId: conversation.id, userId: user.id, role: "user", content: "a scarf", mode: "shopping",
                                          nowMs: now)
            let answer = try await store.appendMessage(conversationId: conversation.id, userId: user.id, role: "assistant",
                                                       content: "Here is what I found", mode: "shopping", products: [card], nowMs: now)
            let messages = try await store.messages(conversationId: conversation.id, userId: user.id)
            #expect(messages.map(\.products) == [nil, [card]])
            #expect(messages.last?.products?.first?.priceCents == 3900 && messages.last?.products?.first?.postId == "c1-3")
            await #expect(throws: AccountsError.self) {
                try await store.appendMessage(conversationId: conversation.id, userId: user.id, role: "assistant", content: "x", mode: nil,
                                              products: Array(repeating: card, count: AccountStore.productsPerMessage + 1), nowMs: now)
            }
            // A damaged row is a typed storage error, not a crash.
            _ = try await store.database.run { connection in
                try connection.execute("UPDATE conversation_messages SET products = $1 WHERE id = $2", .text("[{\"product_id\":"), .text(answer.id))
            }
            await #expect(throws: AccountsError.storage(.unexpectedValue(column: "products"))) {
                try await store.messages(conversationId: conversation.id, userId: user.id)
            }
        }
    }

    @Test func memoryIsUsedOnlyWithPersonalisationOn() async throws {
        for store in try stores() {
            let user = try await store.signUp(username: "dana", password: "password-d", nowMs: now)
            let other = try await store.signUp(username: "eve", password: "password-e", nowMs: now)
            #expect(try await store.settings(userId: user.id) == PrivacySettings(personalisation: false, healthConsent: false))
            let fact = try await store.addFact(userId: user.id, text: "  Vegetarian  ", nowMs: now)
            #expect(fact.text == "Vegetarian")
            try await store.editFact(id: fact.id, userId: user.id, text: "Vegan", nowMs: now + 1)
            await #expect(throws: AccountsError.notFound("memory fact")) { try await store.editFact(id: fact.id, userId: other.id, text: "x", nowMs: now) }
            await #expect(throws: AccountsError.notFound("memory fact")) { try await store.deleteFact(id: fact.id, userId: other.id) }
            #expect(try await store.factsForPrompt(userId: user.id, conversationId: "c1", nowMs: now).isEmpty)
            try await store.updateSettings(userId: user.id, PrivacySettings(personalisation: true, healthConsent: false), nowMs: now)
            #expect(try await store.factsForPrompt(userId: user.id, conversationId: "c1", nowMs: now + 2) == ["Vegan"])
            #expect(try await store.personalisationUses(userId: user.id) == [PersonalisationUse(conversationId: "c1", facts: ["Vegan"], createdMs: now + 2)])
            try await store.updateSettings(userId: user.id, PrivacySettings(personalisation: true, healthConsent: true), nowMs: now)
            #expect(try await store.settings(userId: user.id).healthConsent)
            try await store.deleteFact(id: fact.id, userId: user.id)
            #expect(try await store.memory(userId: user.id).isEmpty)
        }
    }

    @Test func exportHoldsEverythingAndDeletionLeavesNoRowOfTheUser() async throws {
        for store in try stores() {
            let user = try await store.signUp(username: "frank", password: "password-f", nowMs: now)
            let keep = try await store.signUp(username: "grace", password: "password-g", nowMs: now)
            for someone in [user, keep] {
                _ = try await store.user(forIssuer: "https://idp", subject: "sub-" + someone.id, email: nil, name: nil, linkTo: someone.id, nowMs: now)
                _ = try await store.startSession(userId: someone.id, nowMs: now)
                let conversation = try await store.createConversation(userId: someone.id, title: "t", mode: "instant", nowMs: now)
                try await store.appendMessage(conversationId: conversation.id, userId: someone.id, role: "user", content: "m", mode: nil, nowMs: now)
                _ = try await store.addFact(userId: someone.id, text: "likes tea", nowMs: now)
                try await store.updateSettings(userId: someone.id, PrivacySettings(personalisation: true), nowMs: now)
                _ = try await store.factsForPrompt(userId: someone.id, conversationId: conversation.id, nowMs: now)
                try await store.database.run { connection in
                    try connection.execute("INSERT INTO shop_follows (user_id, target_kind, target_id, created_ms) VALUES ($1, 'creator', 'c1', $2)",
                                           .text(someone.id), SQLValue(now))
                    // A chat-app conversation linked to the account, with a turn that references it.
                    try connection.execute("""
                        INSERT INTO messaging_conversations (id, platform, sender_id, business_id, user_id, last_inbound_ms, created_ms)
                        VALUES ($1, 'whatsapp', $2, 'b', $3, $4, $4)
                        """, .text("chat-" + someone.id), .text("wa-" + someone.id), .text(someone.id), SQLValue(now))
                    try connection.execute("""
                        INSERT INTO messaging_turns (conversation_id, position, role, content, created_ms) VALUES ($1, 1, 'user', 'hi', $2)
                        """, .text("chat-" + someone.id), SQLValue(now))
                }
            }
            let export = try await store.export(userId: user.id, nowMs: now)
            #expect(export.user == user && export.localUsername == "frank" && export.identities.count == 1)
            #expect(export.conversations.count == 1 && export.conversations[0].messages.map(\.content) == ["m"])
            #expect(export.memory.map(\.text) == ["likes tea"] && export.settings.personalisation && export.personalisationUses.count == 1)
            #expect(export.otherData["shop_follows"]?.first?["target_id"] == "c1")
            #expect(export.otherData["messaging_conversations"]?.first?["sender_id"] == "wa-" + user.id, "the linked chat identity")
            #expect(String(decoding: try JSONEncoder().encode(export), as: UTF8.self).contains("likes tea"))

            try await store.deleteAccount(userId: user.id)
            let leftovers = try await store.database.run { connection in
                var counts: [String: Int] = [:]
                for table in try AccountStore.tablesWithUserID(connection) {
                    counts[table] = try connection.execute("SELECT COUNT(*) AS n FROM \(table) WHERE user_id = $1", .text(user.id)).first?.int("n")
                }
                counts["users"] = try connection.execute("SELECT COUNT(*) AS n FROM users WHERE id = $1", .text(user.id)).first?.int("n")
                return counts
            }
            #expect(leftovers.count >= 11)  // users + the 8 tables of migration 5 with user_id + shopping's
            #expect(leftovers.values.allSatisfy { $0 == 0 }, "rows left: \(leftovers.filter { $0.value != 0 })")
            // The linked chat stays the sender's, unlinked: its turns reference it.
            let chat = try #require(try await store.database.run { connection in
                try connection.execute("SELECT user_id FROM messaging_conversations WHERE id = $1", .text("chat-" + user.id)).first
            })
            #expect(chat["user_id"] == .null)
            // The other user is untouched.
            #expect(try await store.export(userId: keep.id, nowMs: now).conversations.count == 1)
            await #expect(throws: AccountsError.signInFailed) { try await store.signIn(username: "frank", password: "password-f") }
        }
    }
}

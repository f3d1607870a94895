import Foundation
import Messaging
import Testing
import TestSupport

@Suite struct WebhookParserTests {
    typealias P = WebhookPayloads

    static func parse(_ body: String, _ platform: MessagingPlatform) throws -> [WebhookEvent] {
        try WebhookParser.parse(Data(body.utf8), platform: platform)
    }

    @Test func whatsAppTextImageAndStatus() throws {
        let text = try Self.parse(P.whatsAppText(id: "wamid.A", from: "16505551234", body: "Does it come in \"blue\"?",
                                                 seconds: 1_749_416_383), .whatsapp)
        #expect(text == [.message(InboundMessage(platform: .whatsapp, messageID: "wamid.A", senderID: "16505551234",
                                                 businessID: P.phoneNumberID, sentMs: 1_749_416_383_000,
                                                 content: .text("Does it come in \"blue\"?")))])
        let image = try Self.parse(P.whatsAppImage(id: "wamid.B", from: "1", mediaID: "MEDIA9", sha256: "ab", caption: "this?",
                                                   seconds: 5), .whatsapp)
        #expect(image.first == .message(InboundMessage(platform: .whatsapp, messageID: "wamid.B", senderID: "1",
                                                       businessID: P.phoneNumberID, sentMs: 5000,
                                                       content: .image(.graphMediaID("MEDIA9", sha256: "ab"), caption: "this?"))))
        let status = try Self.parse(P.whatsAppStatus(messageID: "wamid.out.1", status: "delivered", recipient: "1", seconds: 7), .whatsapp)
        #expect(status == [.status(DeliveryStatus(platform: .whatsapp, messageID: "wamid.out.1", status: "delivered",
                                                  recipientID: "1", timestampMs: 7000))])
    }

    @Test func messengerAndInstagramTextImageEchoAndDelivery() throws {
        for instagram in [false, true] {
            let platform: MessagingPlatform = instagram ? .instagram : .messenger
            let business = instagram ? P.instagramID : P.pageID
            let text = try Self.parse(P.pageText(instagram: instagram, mid: "m_1", from: "PSID1", text: "hello, world!",
                                                 milliseconds: 1_458_692_752_478), platform)
            #expect(text == [.message(InboundMessage(platform: platform, messageID: "m_1", senderID: "PSID1", businessID: business,
                                                     sentMs: 1_458_692_752_478, content: .text("hello, world!")))])
            let image = try Self.parse(P.pageImage(instagram: instagram, mid: "m_2", from: "PSID1", url: "https://cdn.example/x.png",
                                                   milliseconds: 9), platform)
            #expect(image.first == .message(InboundMessage(platform: platform, messageID: "m_2", senderID: "PSID1", businessID: business,
                                                           sentMs: 9, content: .image(.url("https://cdn.example/x.png"), caption: nil))))
            let echo = try Self.parse(P.pageEcho(instagram: instagram, mid: "m_3", to: "PSID1", text: "ours", milliseconds: 9), platform)
            #expect(echo == [.echo(platform: platform, messageID: "m_3", recipientID: "PSID1")])
        }
        let delivery = try Self.parse(P.pageDelivery(mids: ["m_out.1", "m_out.2"], from: "PSID1", milliseconds: 11), .messenger)
        #expect(delivery.count == 2)
        #expect(delivery.last == .status(DeliveryStatus(platform: .messenger, messageID: "m_out.2", status: "delivered",
                                                        recipientID: "PSID1", timestampMs: 11)))
    }

    @Test func wrongPlatformAndMalformedBodiesAreTypedErrors() {
        #expect(throws: MessagingError.wrongPlatform(expected: "instagram", found: "page")) {
            try Self.parse(P.pageText(mid: "m", from: "p", text: "t", milliseconds: 1), .instagram)
        }
        #expect(throws: MessagingError.malformedPayload("missing 'entry'")) {
            try Self.parse(#"{"object":"page"}"#, .messenger)
        }
        #expect(throws: MessagingError.malformedPayload("timestamp 'soon' is not a time in seconds")) {
            try Self.parse(P.whatsAppText(id: "w", from: "1", body: "b", seconds: 1).replacingOccurrences(of: "\"1\",\"type\"", with: "\"soon\",\"type\""), .whatsapp)
        }
        do {
            _ = try Self.parse("not json", .whatsapp)
            Issue.record("not JSON was parsed")
        } catch let error as MessagingError {
            guard case .malformedPayload = error else { Issue.record("\(error)"); return }
        } catch { Issue.record("\(error)") }
    }
}

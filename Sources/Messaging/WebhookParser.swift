import Foundation

/// Turns a webhook body (already signature-checked) into events. Fields we do not use are
/// ignored; fields we rely on that are missing or of the wrong type make the body malformed.
public enum WebhookParser {
    public static func parse(_ body: Data, platform: MessagingPlatform) throws(MessagingError) -> [WebhookEvent] {
        var events: [WebhookEvent] = []
        switch platform {
        case .whatsapp:
            let payload = try decode(WhatsAppPayload.self, from: body)
            try check(payload.object, platform)
            for entry in payload.entry {
                for change in entry.changes where change.field == "messages" { events += try whatsAppEvents(change.value) }
            }
        case .messenger, .instagram:
            let payload = try decode(PagePayload.self, from: body)
            try check(payload.object, platform)
            for entry in payload.entry {
                for item in entry.messaging ?? [] { events += try pageEvents(item, platform: platform) }
            }
        }
        return events
    }

    private static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws(MessagingError) -> T {
        do { return try JSONDecoder().decode(T.self, from: body) } catch let error as DecodingError {
            throw .malformedPayload(describe(error))
        } catch { throw .malformedPayload("\(error)") }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    private static func check(_ object: String, _ platform: MessagingPlatform) throws(MessagingError) {
        guard object == platform.webhookObject else { throw .wrongPlatform(expected: platform.rawValue, found: object) }
    }

    /// WhatsApp sends times as decimal seconds in a string.
    private static func milliseconds(_ seconds: String, field: String) throws(MessagingError) -> Int {
        guard let value = Int(seconds), value >= 0 else { throw .malformedPayload("\(field) '\(seconds)' is not a time in seconds") }
        return value * 1000
    }

    private static func whatsAppEvents(_ value: WhatsAppPayload.Value) throws(MessagingError) -> [WebhookEvent] {
        let business = value.metadata.phone_number_id
        var events: [WebhookEvent] = []
        for message in value.messages ?? [] {
            let content: MessageContent
            switch message.type {
            case "text":
                guard let body = message.text?.body else { throw .malformedPayload("text message \(message.id) has no text.body") }
                content = .text(body)
            case "image":
                guard let image = message.image else { throw .malformedPayload("image message \(message.id) has no image") }
                content = .image(.graphMediaID(image.id, sha256: image.sha256), caption: image.caption)
            default: content = .unsupported(type: message.type)
            }
            events.append(.message(InboundMessage(
                platform: .whatsapp, messageID: message.id, senderID: message.from, businessID: business,
                sentMs: try milliseconds(message.timestamp, field: "timestamp"), content: content)))
        }
        for status in value.statuses ?? [] {
            events.append(.status(DeliveryStatus(
                platform: .whatsapp, messageID: status.id, status: status.status, recipientID: status.recipient_id,
                timestampMs: try milliseconds(status.timestamp, field: "status timestamp"),
                error: status.errors?.first.map { $0.title ?? "error \($0.code ?? 0)" })))
        }
        return events
    }

    private static func pageEvents(_ item: PagePayload.Messaging, platform: MessagingPlatform) throws(MessagingError) -> [WebhookEvent] {
        if let message = item.message {
            if message.is_echo == true {
                return [.echo(platform: platform, messageID: message.mid, recipientID: item.recipient.id)]
            }
            let content: MessageContent
            if let image = message.attachments?.first(where: { $0.type == "image" }), let url = image.payload?.url {
                content = .image(.url(url), caption: message.text)
            } else if let text = message.text {
                content = .text(text)
            } else {
                content = .unsupported(type: message.attachments?.first?.type ?? "empty")
            }
            return [.message(InboundMessage(platform: platform, messageID: message.mid, senderID: item.sender.id,
                                            businessID: item.recipient.id, sentMs: item.timestamp, content: content))]
        }
        // Messenger's `delivery` lists the mids it covers; a `read` (Instagram: `messaging_seen`)
        // names one mid or only a watermark, which marks no single message.
        if let delivery = item.delivery {
            return (delivery.mids ?? []).map {
                .status(DeliveryStatus(platform: platform, messageID: $0, status: "delivered", recipientID: item.sender.id,
                                       timestampMs: item.timestamp))
            }
        }
        if let mid = item.read?.mid {
            return [.status(DeliveryStatus(platform: platform, messageID: mid, status: "read", recipientID: item.sender.id,
                                           timestampMs: item.timestamp))]
        }
        return []
    }
}

// The wire shapes (PRODUCT-NOTES.md section 3): field names as Meta spells them.

struct WhatsAppPayload: Decodable {
    struct Entry: Decodable { let changes: [Change] }
    struct Change: Decodable {
        let field: String
        let value: Value
    }
    struct Value: Decodable {
        struct Metadata: Decodable { let phone_number_id: String }
        let metadata: Metadata
        let messages: [Message]?
        let statuses: [Status]?
    }
    struct Message: Decodable {
        struct Text: Decodable { let body: String }
        struct Image: Decodable {
            let id: String
            let sha256: String?
            let caption: String?
        }
        let from: String
        let id: String
        let timestamp: String
        let type: String
        let text: Text?
        let image: Image?
    }
    struct Status: Decodable {
        struct StatusError: Decodable {
            let code: Int?
            let title: String?
        }
        let id: String
        let status: String
        let timestamp: String
        let recipient_id: String
        let errors: [StatusError]?
    }
    let object: String
    let entry: [Entry]
}

struct PagePayload: Decodable {
    struct Entry: Decodable { let messaging: [Messaging]? }
    struct Party: Decodable { let id: String }
    struct Messaging: Decodable {
        struct Message: Decodable {
            struct Attachment: Decodable {
                struct Payload: Decodable { let url: String? }
                let type: String
                let payload: Payload?
            }
            let mid: String
            let text: String?
            let attachments: [Attachment]?
            let is_echo: Bool?
        }
        struct Delivery: Decodable { let mids: [String]? }
        struct Read: Decodable { let mid: String? }
        let sender: Party
        let recipient: Party
        let timestamp: Int
        let message: Message?
        let delivery: Delivery?
        let read: Read?
    }
    let object: String
    let entry: [Entry]
}

/// The three Meta surfaces, each with its own webhook `object` and send format.
public enum MessagingPlatform: String, Sendable, CaseIterable, Codable {
    case whatsapp, messenger, instagram

    /// The `object` field of this platform's webhook bodies.
    public var webhookObject: String {
        switch self {
        case .whatsapp: return "whatsapp_business_account"
        case .messenger: return "page"
        case .instagram: return "instagram"
        }
    }

    /// The longest text one message may carry: WhatsApp's text body limit is 4096 characters,
    /// Messenger's Send API takes 2000 and Instagram's 1000 (PRODUCT-NOTES.md section 3).
    public var textLimit: Int {
        switch self {
        case .whatsapp: return 4096
        case .messenger: return 2000
        case .instagram: return 1000
        }
    }
}

/// Where an inbound image can be fetched: WhatsApp gives a media id to resolve through Graph,
/// Messenger and Instagram a (signed, short-lived) CDN URL.
public enum MediaReference: Sendable, Equatable {
    case graphMediaID(String, sha256: String?)
    case url(String)
}

/// What a person sent.
public enum MessageContent: Sendable, Equatable {
    case text(String)
    case image(MediaReference, caption: String?)
    /// Audio, stickers, locations, ...: kept so it is de-duplicated and answered with a note.
    case unsupported(type: String)
}

/// One message a person sent to the business.
public struct InboundMessage: Sendable, Equatable {
    public let platform: MessagingPlatform
    /// `wamid...` on WhatsApp, `mid` on Messenger and Instagram: Meta's retries reuse it.
    public let messageID: String
    /// The person: `wa_id` / PSID / IGSID; replies go to it.
    public let senderID: String
    /// The business side that received it: WhatsApp's phone_number_id, the Page id or the IG id.
    public let businessID: String
    /// When the person sent it, ms since 1970 (WhatsApp sends seconds; converted).
    public let sentMs: Int
    public let content: MessageContent

    public init(platform: MessagingPlatform, messageID: String, senderID: String, businessID: String, sentMs: Int,
                content: MessageContent) {
        (self.platform, self.messageID, self.senderID, self.businessID, self.sentMs, self.content) =
            (platform, messageID, senderID, businessID, sentMs, content)
    }
}

/// A delivery receipt for something we sent: WhatsApp's `statuses`, Messenger's `delivery`/`read`.
public struct DeliveryStatus: Sendable, Equatable {
    public let platform: MessagingPlatform
    public let messageID: String
    /// `sent`, `delivered`, `read` or `failed`.
    public let status: String
    public let recipientID: String
    public let timestampMs: Int
    /// WhatsApp's `errors[0].title` on a failed delivery.
    public let error: String?

    public init(platform: MessagingPlatform, messageID: String, status: String, recipientID: String, timestampMs: Int,
                error: String? = nil) {
        (self.platform, self.messageID, self.status, self.recipientID, self.timestampMs, self.error) =
            (platform, messageID, status, recipientID, timestampMs, error)
    }
}

/// One thing a webhook body reported. A body may carry several (Meta batches entries).
public enum WebhookEvent: Sendable, Equatable {
    case message(InboundMessage)
    case status(DeliveryStatus)
    /// Our own message echoed back (`is_echo`): recorded, never answered.
    case echo(platform: MessagingPlatform, messageID: String, recipientID: String)
}

import Foundation

/// Webhook bodies shaped as Meta sends them (PRODUCT-NOTES.md section 3), for replay in tests.
public enum WebhookPayloads {
    public static let phoneNumberID = "106540352242922"
    public static let pageID = "PAGE_ID_1"
    public static let instagramID = "17841400000000000"

    /// WhatsApp text (`timestamp` in seconds, as a string).
    public static func whatsAppText(id: String, from: String, body: String, seconds: Int) -> String {
        whatsApp(#"""
            "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"\#(from)"}],
            "messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(seconds)","type":"text","text":{"body":\#(quoted(body))}}]
            """#)
    }

    public static func whatsAppImage(id: String, from: String, mediaID: String, sha256: String, caption: String, seconds: Int) -> String {
        whatsApp(#"""
            "contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"\#(from)"}],
            "messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(seconds)","type":"image",
              "image":{"caption":\#(quoted(caption)),"mime_type":"image/png","sha256":"\#(sha256)","id":"\#(mediaID)"}}]
            """#)
    }

    public static func whatsAppStatus(messageID: String, status: String, recipient: String, seconds: Int) -> String {
        whatsApp(#"""
            "statuses":[{"id":"\#(messageID)","status":"\#(status)","timestamp":"\#(seconds)","recipient_id":"\#(recipient)",
              "conversation":{"id":"CONVERSATION_ID","origin":{"type":"service"}},
              "pricing":{"billable":false,"pricing_model":"PMP","category":"service"}}]
            """#)
    }

    private static func whatsApp(_ inner: String) -> String {
        #"""
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"\#(phoneNumberID)"},
          \#(inner)}}]}]}
        """#
    }

    /// Messenger (`object: page`) or Instagram (`object: instagram`) text; `timestamp` in ms.
    public static func pageText(instagram: Bool = false, mid: String, from: String, text: String, milliseconds: Int) -> String {
        page(instagram: instagram, milliseconds: milliseconds, sender: from,
             #""message":{"mid":"\#(mid)","text":\#(quoted(text))}"#)
    }

    public static func pageImage(instagram: Bool = false, mid: String, from: String, url: String, milliseconds: Int) -> String {
        page(instagram: instagram, milliseconds: milliseconds, sender: from,
             #""message":{"mid":"\#(mid)","attachments":[{"type":"image","payload":{"url":"\#(url)"}}]}"#)
    }

    /// Our own message echoed back: the page is the sender.
    public static func pageEcho(instagram: Bool = false, mid: String, to: String, text: String, milliseconds: Int) -> String {
        let business = instagram ? instagramID : pageID
        return #"""
            {"object":"\#(instagram ? "instagram" : "page")","entry":[{"id":"\#(business)","time":\#(milliseconds),"messaging":[{
              "sender":{"id":"\#(business)"},"recipient":{"id":"\#(to)"},"timestamp":\#(milliseconds),
              "message":{"mid":"\#(mid)","is_echo":true,"app_id":1517776481860111,"metadata":"muse","text":\#(quoted(text))}}]}]}
            """#
    }

    public static func pageDelivery(mids: [String], from: String, milliseconds: Int) -> String {
        let list = mids.map { "\"\($0)\"" }.joined(separator: ",")
        return page(instagram: false, milliseconds: milliseconds, sender: from,
                    #""delivery":{"mids":[\#(list)],"watermark":\#(milliseconds)}"#)
    }

    private static func page(instagram: Bool, milliseconds: Int, sender: String, _ inner: String) -> String {
        let business = instagram ? instagramID : pageID
        return #"""
            {"object":"\#(instagram ? "instagram" : "page")","entry":[{"id":"\#(business)","time":\#(milliseconds),"messaging":[{
              "sender":{"id":"\#(sender)"},"recipient":{"id":"\#(business)"},"timestamp":\#(milliseconds),\#(inner)}]}]}
            """#
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        let array = String(decoding: (try? JSONSerialization.data(withJSONObject: [text])) ?? Data(#"[""]"#.utf8), as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    /// A small valid PNG: signature, IHDR, IDAT and IEND with real CRCs, `width` x 1 grey pixels.
    public static func png(width: Int = 4) -> Data {
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ payload: [UInt8]) {
            let typed = Array(type.utf8) + payload
            data.append(contentsOf: be32(payload.count) + typed + be32(Int(crc32(typed))))
        }
        chunk("IHDR", be32(width) + be32(1) + [8, 0, 0, 0, 0])
        // One filter byte then the row, stored (uncompressed deflate block) inside zlib.
        let row: [UInt8] = [0] + [UInt8](repeating: 0x80, count: width)
        let length = row.count
        var zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)]
        zlib += row + be32(Int(adler32(row)))
        chunk("IDAT", zlib)
        chunk("IEND", [])
        return data
    }

    static func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xff) } }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }
}

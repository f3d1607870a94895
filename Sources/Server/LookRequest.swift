import Foundation
import Speech

/// `POST /v1/look` body (JSON): a photo and a question, typed or spoken.
/// - `image_url`: the photo as a `data:` or http(s) URL, as in chat's image parts.
/// - `question`: the question as text, or
/// - `audio`: the question spoken, a 16-bit PCM WAV in base64 (bare or as `data:audio/wav;base64,...`).
/// - `stream`: server-sent events, text and audio sentence by sentence (`LookEvent`).
/// - `model` (optional; the served one), `max_tokens` (optional; `LookAnswerer.defaultMaxTokens`).
struct LookRequest: Decodable, Sendable {
    let image_url: String
    let question: String?
    let audio: String?
    let stream: Bool?
    let model: String?
    let max_tokens: Int?

    /// The most bytes a spoken question may have: 30 s of 48 kHz stereo 16-bit is 5.8 MB.
    static let maxAudioBytes = 6 << 20

    /// The WAV in `audio`, decoded (several channels averaged; any rate, resampled later).
    func spokenQuestion() throws(APIError) -> WAVFile? {
        guard let audio else { return nil }
        var payload = Substring(audio)
        if payload.hasPrefix("data:") {
            guard let comma = payload.firstIndex(of: ","), payload[..<comma].hasSuffix(";base64") else {
                throw .badRequest("audio data URL must be base64-encoded (data:audio/wav;base64,...)", param: "audio", code: "invalid_audio")
            }
            payload = payload[payload.index(after: comma)...]
        }
        // Four base64 characters carry three bytes: refuse before decoding anything too large.
        guard payload.utf8.count / 4 * 3 <= Self.maxAudioBytes else {
            throw .badRequest("audio is over the limit of \(Self.maxAudioBytes) bytes", param: "audio", code: "invalid_audio")
        }
        guard let data = Data(base64Encoded: String(payload.filter { !$0.isWhitespace })) else {
            throw .badRequest("audio is not valid base64", param: "audio", code: "invalid_audio")
        }
        do { return try WAVFile.decode(data) } catch {
            throw .badRequest("audio could not be read: \(error)", param: "audio", code: "invalid_audio")
        }
    }
}

/// What `/v1/look` answers without `stream`.
struct LookAnswer: Encodable {
    struct Question: Encodable {
        let text: String
        /// "text" or "speech" (recognised by pocketsphinx).
        let source: String
    }
    struct Audio: Encodable {
        let format = "wav"
        let sample_rate: Int
        let duration_s: Double
        /// The WAV file, base64.
        let data: String

        init(_ wav: WAVFile) {
            (sample_rate, duration_s, data) = (wav.sampleRate, wav.durationSeconds, wav.encoded().base64EncodedString())
        }
    }
    struct Product: Encodable {
        let rank: Int
        let name: String
        let nutri_score: String
    }
    let id: String
    let object = "look.answer"
    let created: Int
    let model: String
    let question: Question
    let answer: String
    let audio: Audio
    /// The catalogue products on the photo, healthiest first (empty without a catalogue).
    let products: [Product]
    let usage: Usage
}

/// One server-sent event of a streamed `/v1/look` answer, by `type`: `question` (what was heard
/// or typed), `text` (a piece of the answer as the model writes it), `audio` (one whole sentence
/// spoken, a WAV in base64), `done` (the whole answer and its products), or `error`.
struct LookEvent: Encodable {
    let type: String
    var question: LookAnswer.Question? = nil
    var delta: String? = nil
    var index: Int? = nil
    var sentence: String? = nil
    var audio: LookAnswer.Audio? = nil
    var answer: String? = nil
    var products: [LookAnswer.Product]? = nil
    var usage: Usage? = nil
}

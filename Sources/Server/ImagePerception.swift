import Dispatch
import Foundation
import Imaging
import Nutrition
import Shelf

/// Turns an `image_url` into text the language model can read: the image is fetched, decoded
/// (limits, orientation), read by OCR and, when the server has a tagger, labelled; the result is
/// a structured observation placed before the user's words.
public struct ImagePerception: Sendable {
    public let source: ImageSource
    public let decoder: ImageDecoder
    public let recognizer: TextRecognizer
    /// The Vision module's tagger when configured; without one the observation has OCR only.
    public let tagger: (any ImageTagging)?

    public init(source: ImageSource = ImageSource(), decoder: ImageDecoder = ImageDecoder(),
                recognizer: TextRecognizer = TextRecognizer(), tagger: (any ImageTagging)? = nil) {
        self.source = source
        self.decoder = decoder
        self.recognizer = recognizer
        self.tagger = tagger
    }

    /// The most images one request may carry: each costs a decode and an OCR pass (about a second
    /// on one core for a phone photo).
    public static let maxImagesPerRequest = 4
    /// Labels from the tagger shown to the model, and the least probability worth showing.
    static let tagCount = 5
    static let minimumTagProbability = 0.05
    /// Lines of OCR text shown; the rest are counted, so a dense page cannot fill the context.
    public static let maxLines = 40
    /// Below this Tesseract confidence a line is marked uncertain rather than dropped.
    static let uncertainConfidence = 60.0

    /// What was perceived on one image.
    public struct Observation: Sendable {
        public let width: Int
        public let height: Int
        public let format: ImageFormat
        public let text: RecognizedText
        public let labels: [ImageLabel]
        /// Catalogue products read on the image (a shelf, a pack), healthiest first; empty when
        /// the server has no catalogue or nothing matched.
        public let products: [ShelfProduct]
    }

    /// - Parameter catalogue: products to identify on the image (nil or empty: none are looked for).
    public func observe(_ url: String, catalogue: CatalogIndex? = nil) async throws(APIError) -> Observation {
        let bytes: [UInt8]
        do { bytes = try await source.bytes(for: url) } catch {
            throw .badRequest("image could not be fetched: \(error.message)", param: "messages", code: "invalid_image_url")
        }
        return try await observe(bytes: bytes, catalogue: catalogue)
    }

    /// The same for an image already in hand (a chat app's photo, downloaded from its media API).
    public func observe(bytes: [UInt8], catalogue: CatalogIndex? = nil) async throws(APIError) -> Observation {
        let result: Result<Observation, APIError> = await withCheckedContinuation { continuation in
            // Decoding and OCR are seconds of CPU: off the cooperative pool, which serves requests.
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(APIError) in try perceive(bytes, catalogue: catalogue) }) }
        }
        return try result.get()
    }

    private func perceive(_ bytes: [UInt8], catalogue: CatalogIndex?) throws(APIError) -> Observation {
        let header: ImageDecoder.Header
        let image: RGBImage
        do {
            header = try decoder.header(bytes)
            image = try decoder.decode(bytes)
        } catch {
            throw .badRequest("image could not be read: \(error)", param: "messages", code: "invalid_image")
        }
        let text: RecognizedText
        do { text = try recognizer.recognize(image) } catch { throw .internalFailure("\(error)") }
        var labels: [ImageLabel] = []
        if let tagger {
            do { labels = try tagger.labels(for: image, top: Self.tagCount).filter { $0.probability >= Self.minimumTagProbability } }
            catch { throw .internalFailure("image tagger failed: \(error)") }
        }
        let products = catalogue.map { index in
            index.products.isEmpty ? []
                : ShelfReader.ranking(ShelfReader(index: index, recognizer: recognizer).products(reading: text, photoWidth: image.width))
        } ?? []
        return Observation(width: image.width, height: image.height, format: header.format, text: text, labels: labels,
                           products: products)
    }
}

extension ImagePerception.Observation {
    /// The observation as the model reads it, numbered as the image's place in the request;
    /// at most `maxLines` lines of OCR text (0: none, for an answer grounded on the products).
    public func rendered(number: Int, maxLines: Int = ImagePerception.maxLines) -> String {
        var out = ["[Image \(number): \(width)x\(height) \(format.rawValue)]"]
        if !labels.isEmpty {
            let seen = labels.map { "\($0.name) (\(Int(($0.probability * 100).rounded()))%)" }.joined(separator: ", ")
            out.append("Seen: \(seen)")
        }
        let lines = text.lines
        if lines.isEmpty {
            out.append("Text read: none")
        } else if maxLines > 0 {
            out.append("Text read (top to bottom):")
            for line in lines.prefix(maxLines) {
                let doubt = line.confidence < ImagePerception.uncertainConfidence ? ", uncertain" : ""
                out.append("- \"\(line.text)\" (\(place(line.box))\(doubt))")
            }
            if lines.count > maxLines {
                out.append("- ... \(lines.count - maxLines) more lines")
            }
        }
        if !products.isEmpty {
            out.append("Products identified (catalogue match; Nutri-Score 2023, healthiest first):")
            for (rank, found) in products.enumerated() {
                guard let product = found.product, let result = found.assessment?.nutriScore else { continue }
                let points = result.score.map { "\($0) points" } ?? "\(result.scoreRange.lowerBound) to \(result.scoreRange.upperBound) points"
                out.append("\(rank + 1). \(Self.name(of: product)): Nutri-Score \(Self.grade(of: result)), \(points) (\(place(found.box)))")
            }
        }
        out.append("[End of image \(number)]")
        return out.joined(separator: "\n")
    }

    /// Brand and name, as the pack shows them.
    static func name(of product: CatalogProduct) -> String {
        [product.brand, product.name].compactMap { $0 }.joined(separator: " ")
    }

    /// "B", or the range "B-D (estimated)" when inputs were missing.
    static func grade(of result: NutriScoreResult) -> String {
        result.grade?.rawValue ?? "\(result.gradeRange.lowerBound.rawValue)-\(result.gradeRange.upperBound.rawValue) (estimated)"
    }

    /// Where a box's centre lies, in thirds of the image: "top left" ... "bottom right".
    func place(_ box: PixelBox) -> String {
        let column = ["left", "centre", "right"][min(2, (box.x + box.width / 2) * 3 / max(width, 1))]
        let row = ["top", "middle", "bottom"][min(2, (box.y + box.height / 2) * 3 / max(height, 1))]
        return row == "middle" && column == "centre" ? "centre" : "\(row) \(column)"
    }
}

extension MuseAPI {
    /// The messages with every `image_url` part replaced by its observation, placed before the
    /// message's text; messages without images are returned as they are.
    func perceivingImages(_ messages: [ChatCompletionRequest.Message]) async throws(APIError) -> [ChatCompletionRequest.Message] {
        guard try checkImageCount(messages) > 0 else { return messages }
        var number = 0
        let products = try await catalogueIndex()
        return try await replacingImageParts(messages) { (url, place) throws(APIError) -> MessageContent.Part in
            number += 1
            do throws(APIError) {
                return MessageContent.Part(text: try await perception.observe(url, catalogue: products).rendered(number: number))
            } catch {
                if case .badRequest(let message, let param, let code) = error { throw .badRequest("\(place): \(message)", param: param, code: code) }
                throw error
            }
        }
    }

    /// `messages` with each user message's `image_url` parts replaced by what `replace` makes of
    /// them (given the URL and the part's place, "messages[i].content[j]"), in order, before the
    /// message's text parts. Images in other roles' messages, or without a URL, are refused.
    func replacingImageParts(_ messages: [ChatCompletionRequest.Message],
                             _ replace: (_ url: String, _ place: String) async throws(APIError) -> MessageContent.Part)
        async throws(APIError) -> [ChatCompletionRequest.Message] {
        var result: [ChatCompletionRequest.Message] = []
        for (index, message) in messages.enumerated() {
            guard case .parts(let parts)? = message.content, parts.contains(where: { $0.type == "image_url" }) else {
                result.append(message)
                continue
            }
            guard message.role == "user" else {
                throw .badRequest("messages[\(index)]: images are read in user messages only", param: "messages")
            }
            var replaced: [MessageContent.Part] = [], texts: [MessageContent.Part] = []
            for (partIndex, part) in parts.enumerated() {
                guard part.type == "image_url" else {
                    texts.append(part)
                    continue
                }
                let place = "messages[\(index)].content[\(partIndex)]"
                guard let url = part.image_url?.url, !url.isEmpty else {
                    throw .badRequest("\(place): image_url part needs image_url.url", param: "messages")
                }
                replaced.append(try await replace(url, place))
            }
            result.append(message.replacingContent(.parts(replaced + texts)))
        }
        return result
    }

    /// The number of images in `messages`, refused beyond `ImagePerception.maxImagesPerRequest`.
    @discardableResult
    func checkImageCount(_ messages: [ChatCompletionRequest.Message]) throws(APIError) -> Int {
        let count = messages.reduce(0) { $0 + ($1.content?.imageURLs.count ?? 0) }
        guard count <= ImagePerception.maxImagesPerRequest else {
            throw .badRequest("at most \(ImagePerception.maxImagesPerRequest) images per request, got \(count)", param: "messages")
        }
        return count
    }

    /// The store's catalogue, indexed, for identifying products on images (nil without one).
    func catalogueIndex() async throws(APIError) -> CatalogIndex? {
        guard let catalogue else { return nil }
        do { return try await catalogue.index() } catch { throw .internalFailure("product catalogue: \(error)") }
    }
}

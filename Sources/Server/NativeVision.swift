import Crypto
import Dispatch
import Foundation
import Imaging
import Models
import Tokenization
import Vision

/// The native VLM path (bring your own weights): each `image_url` part is encoded by a
/// `VisionEncoder` (an mmproj GGUF file) into embedding rows in the text model's width, spliced
/// into the prompt where the image stands, instead of the OCR/tagger observation.
///
/// The prompt around an image: SmolVLM/Idefics3 (pixel-shuffle projector, a vocabulary with
/// `<fake_token_around_image>` and `<global-img>`) gets
/// `<fake_token_around_image><global-img>` + the image's rows + `<fake_token_around_image>`, as
/// llama.cpp's mtmd writes a single (untiled) image; LLaVA, or a vocabulary without those tokens,
/// gets the rows alone. Images come first in their message, before its text.
public struct NativeVision: Sendable {
    public let encoder: VisionEncoder
    /// Token ids before and after each image's rows (empty when the vocabulary lacks them).
    let opening: [Int], closing: [Int]

    /// Stands for an image in the rendered chat template until the prompt is tokenized: private-use
    /// characters no chat template writes.
    static let marker = "\u{F8FF}image\u{F8FF}"

    /// Fails when the projector's output width is not the text model's embedding width: such a
    /// pair cannot run (a startup error, not a per-request one).
    public init(encoder: VisionEncoder, model: ModelInfo, tokenizer: Tokenizer) throws(VisionError) {
        guard encoder.outputDimension == model.embeddingLength else {
            throw .invalidConfiguration("the mmproj projector makes \(encoder.outputDimension)-wide embeddings, "
                                        + "but the text model's embedding is \(model.embeddingLength) wide: not a matching pair")
        }
        self.encoder = encoder
        func single(_ text: String) -> Int? {
            let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: true)
            return ids.count == 1 ? ids[0] : nil
        }
        if case .pixelShuffle = encoder.configuration.projector,
           let around = single("<fake_token_around_image>"), let global = single("<global-img>") {
            (opening, closing) = ([around, global], [around])
        } else {
            (opening, closing) = ([], [])
        }
    }

    /// The image's rows as a prompt chunk, named by the SHA-256 of their bytes (so the prefix cache
    /// shares the same image and tells different ones apart). Encoding runs off the cooperative pool.
    func chunk(for image: RGBImage) async throws(APIError) -> EmbeddingChunk {
        let encoder = encoder
        let result: Result<EmbeddingChunk, APIError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(APIError) in
                    let embeddings: ImageEmbeddings
                    do { embeddings = try encoder.encode(image) } catch { throw .internalFailure("image encoder failed: \(error)") }
                    let digest = embeddings.values.withUnsafeBytes { SHA256.hash(data: $0) }
                    let identity = digest.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    do {
                        return try EmbeddingChunk(identity: identity, values: embeddings.values, rows: embeddings.tokens,
                                                  dimension: embeddings.dimension)
                    } catch { throw .internalFailure("image embeddings: \(error)") }
                })
            }
        }
        return try result.get()
    }

    /// The rendered prompt tokenized, each `marker` replaced by the next chunk's placeholder ids
    /// (with the opening and closing tokens).
    func tokens(of rendered: String, images: [EmbeddingChunk], tokenizer: Tokenizer) throws(APIError) -> [Int] {
        let pieces = rendered.components(separatedBy: Self.marker)
        guard pieces.count == images.count + 1 else {
            throw .badRequest("the messages contain the reserved character U+F8FF", param: "messages")
        }
        var tokens = tokenizer.encode(pieces[0], addSpecial: true, parseSpecial: true)
        for (image, piece) in zip(images, pieces.dropFirst()) {
            tokens += opening + image.placeholderIDs + closing
            tokens += tokenizer.encode(piece, addSpecial: false, parseSpecial: true)
        }
        return tokens
    }
}

extension MuseAPI {
    /// The messages with every `image_url` part fetched, decoded and encoded into a chunk, the part
    /// replaced by `NativeVision.marker` (images first in their message); the chunks in prompt order.
    func encodingImages(_ messages: [ChatCompletionRequest.Message],
                        with vision: NativeVision) async throws(APIError) -> ([ChatCompletionRequest.Message], [EmbeddingChunk]) {
        var chunks: [EmbeddingChunk] = []
        try checkImageCount(messages)
        let result = try await replacingImageParts(messages) { (url, place) throws(APIError) -> MessageContent.Part in
            let bytes: [UInt8]
            do throws(ImageSource.Failure) { bytes = try await perception.source.bytes(for: url) } catch {
                throw .badRequest("\(place): image could not be fetched: \(error.message)", param: "messages", code: "invalid_image_url")
            }
            let image: RGBImage
            do { image = try perception.decoder.decode(bytes) } catch {
                throw .badRequest("\(place): image could not be read: \(error)", param: "messages", code: "invalid_image")
            }
            chunks.append(try await vision.chunk(for: image))
            return MessageContent.Part(text: NativeVision.marker)
        }
        return (result, chunks)
    }
}

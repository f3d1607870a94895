/// One class an image tagger saw, with its probability.
public struct ImageLabel: Sendable, Equatable, Codable {
    public let name: String
    /// Softmax probability, 0...1.
    public let probability: Double

    public init(name: String, probability: Double) {
        self.name = name
        self.probability = probability
    }
}

/// What the server asks of an image tagger (the Vision module's EfficientNet-Lite0 conforms):
/// the most probable labels of an upright RGB image, most probable first.
public protocol ImageTagging: Sendable {
    func labels(for image: RGBImage, top count: Int) throws -> [ImageLabel]
}

/// Why a vision model could not be loaded or run.
public enum VisionError: Error, Equatable, Sendable {
    case missingTensor(String)
    case badShape(tensor: String, expected: [Int], actual: [Int])
}

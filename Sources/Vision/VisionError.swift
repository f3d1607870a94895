import Imaging
import ModelFiles

/// Why a vision model could not be loaded or run.
public enum VisionError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(ModelFileError)
    case missingTensor(String)
    case badShape(tensor: String, expected: [Int], actual: [Int])
    case unsupportedTensorType(tensor: String, type: String)
    case unusedTensors([String])
    /// Hyper-parameters that do not describe a runnable network (a GGUF key or a configuration field).
    case invalidConfiguration(String)
    /// The class-name list is missing, unreadable or does not match the classifier.
    case invalidLabels(String)
    /// The image does not have the size the network's input takes.
    case wrongImageSize(width: Int, height: Int, expected: Int)
    /// The image could not be prepared for the network (resizing failed).
    case image(ImagingError)

    public var description: String {
        switch self {
        case .file(let error): return "\(error)"
        case .missingTensor(let name): return "the model file lacks tensor '\(name)'"
        case .badShape(let name, let expected, let actual):
            return "tensor '\(name)' has shape \(actual), expected \(expected)"
        case .unsupportedTensorType(let name, let type):
            return "tensor '\(name)' is stored as \(type), which the vision models cannot compute with"
        case .unusedTensors(let names):
            let shown = names.prefix(5).joined(separator: ", ")
            return "the model file has \(names.count) tensor(s) this network does not use: \(shown)"
                + (names.count > 5 ? ", ..." : "")
        case .invalidConfiguration(let reason): return "invalid vision model configuration: \(reason)"
        case .invalidLabels(let reason): return "invalid class names: \(reason)"
        case .wrongImageSize(let width, let height, let expected):
            return "the network takes a \(expected)x\(expected) image, got \(width)x\(height)"
        case .image(let error): return "cannot prepare the image: \(error)"
        }
    }
}

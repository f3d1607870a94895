import ArgumentParser
import Foundation
import Generation
import Kernels
import ModelFiles

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a GGUF file's metadata and tensors (names, shapes, quantization types, sizes).")

    @Argument(help: "GGUF file to inspect (default: the installed default model).")
    var file: String?

    @Flag(help: "Print every tensor, not only a summary per type.")
    var tensors = false

    func run() throws {
        let path = file ?? LoadedModel.defaultModelPath
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure(GenerationError.modelMissing(path)) }
        let gguf: GGUFFile
        do { gguf = try GGUFFile(path: path) } catch { throw CommandFailure("cannot read \(path): \(error)") }
        print("file: \(path)")
        print("GGUF version \(gguf.version), \(gguf.fileSize) bytes, \(gguf.metadataKeys.count) metadata keys, "
              + "\(gguf.tensors.count) tensors, alignment \(gguf.alignment)")
        print("\nmetadata:")
        for key in gguf.metadataKeys {
            guard let value = gguf.metadata[key] else { continue }
            print("  \(key) = \(Self.summary(of: value))")
        }
        var byType: [TensorType: (count: Int, elements: Int, bytes: Int)] = [:]
        for tensor in gguf.tensors {
            let entry = byType[tensor.type, default: (0, 0, 0)]
            byType[tensor.type] = (entry.count + 1, entry.elements + tensor.elementCount, entry.bytes + tensor.byteCount)
        }
        let totalElements = gguf.tensors.reduce(0) { $0 + $1.elementCount }
        let totalBytes = gguf.tensors.reduce(0) { $0 + $1.byteCount }
        print("\ntensors by type:")
        for (type, entry) in byType.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            print("  \(type.description.padding(toLength: 6, withPad: " ", startingAt: 0)) \(entry.count) tensors, "
                  + "\(entry.elements) elements, \(Self.megabytes(entry.bytes))")
        }
        print("  total  \(gguf.tensors.count) tensors, \(totalElements) parameters, \(Self.megabytes(totalBytes)), "
              + String(format: "%.2f bits per weight", Double(totalBytes * 8) / Double(max(totalElements, 1))))
        if tensors {
            print("\ntensors:")
            for tensor in gguf.tensors {
                print("  \(tensor.name) \(tensor.dimensions) \(tensor.type) \(tensor.byteCount) bytes @ \(tensor.offset)")
            }
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1e6) }

    /// One line per value; long arrays show their length and first elements.
    static func summary(of value: GGUFValue) -> String {
        switch value {
        case .string(let text):
            let escaped = text.replacingOccurrences(of: "\n", with: "\\n")
            return escaped.count > 120 ? "\"\(escaped.prefix(120))...\" (\(text.count) characters)" : "\"\(escaped)\""
        case .array(let type, let elements):
            let head = elements.prefix(5).map { summary(of: $0) }.joined(separator: ", ")
            return "[\(type)] x \(elements.count): [\(head)\(elements.count > 5 ? ", ..." : "")]"
        default:
            if let int = value.intValue { return "\(int)" }
            if let double = value.floatValue { return "\(double)" }
            if let bool = value.boolValue { return "\(bool)" }
            return "\(value)"
        }
    }
}

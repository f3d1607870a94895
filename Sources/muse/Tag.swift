import ArgumentParser
import Foundation
import Imaging
import Kernels
import Vision

/// `muse tag PHOTO`: what the EfficientNet-Lite0 ImageNet tagger sees in a photo.
struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Name what is in a photo (JPEG, PNG or WebP): the image tagger's most probable ImageNet classes.",
        discussion: """
        A coarse tagger (EfficientNet-Lite0, 1000 ImageNet classes): it names the kind of thing \
        in the picture, not which product it is. With --repetitions N the tagging runs N times \
        and its median latency (resize and forward pass, not the decoding) goes to standard error.
        """)

    @Argument(help: "The photo.")
    var image: String

    @Option(name: .long, help: "How many classes to print.")
    var top: Int = 5

    @Option(name: .customLong("tagger"), help: "Folder with the tagger's weights and class names (default: the installed one).")
    var folder: String?

    @Option(name: .customLong("threads"), help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Run the tagger this many times and report the median latency.")
    var repetitions: Int = 1

    @Flag(help: "Print a JSON array of {label, probability} instead of the table.")
    var json = false

    func run() throws {
        guard top > 0, repetitions > 0 else { throw CommandFailure("--top and --repetitions must be positive") }
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image))) } catch {
            throw CommandFailure("cannot read \(image): \(error.localizedDescription)")
        }
        let photo: RGBImage
        do { photo = try ImageDecoder().decode(bytes) } catch { throw CommandFailure("\(image): \(error)") }
        let pool = ThreadPool(threadCount: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let tagger: ImageTagger
        do { tagger = try ImageTagger(folder: folder ?? ImageTagger.defaultFolder, pool: pool) } catch {
            throw CommandFailure("cannot load the image tagger: \(error) (run scripts/setup.sh)")
        }
        var tags: [ImageLabel] = []
        var seconds: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            do { tags = try tagger.labels(for: photo, top: top) } catch { throw CommandFailure("\(image): \(error)") }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        if repetitions > 1 {
            let sorted = seconds.sorted()
            printError(String(format: "tagger: median %.1f ms, min %.1f ms over %d runs, %d threads, %dx%d photo",
                              sorted[sorted.count / 2] * 1000, sorted[0] * 1000, repetitions, pool.threadCount,
                              photo.width, photo.height))
        }
        if json {
            let objects = tags.map { ["label": $0.name, "probability": $0.probability] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for tag in tags { print(String(format: "%.4f", tag.probability) + "  " + tag.name) }
        }
    }
}

import Foundation
import Testing

/// `muse tag` as a user runs it: a real photo (when scripts/setup.sh installed the tagger and the
/// sample photos) and a file that is not an image.
@Suite struct TagCommandTests {
    static var cache: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["MUSE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/muse"
    }
    static var coffee: String { cache + "/test-images/coffee.png" }
    static var installed: Bool {
        FileManager.default.fileExists(atPath: cache + "/models/efficientnet-lite0/efficientnet-lite0.safetensors")
            && FileManager.default.fileExists(atPath: coffee)
    }

    @Test(.enabled(if: installed, "the image tagger or the sample photos are not installed: run scripts/setup.sh"))
    func tagsTheCoffeePhoto() throws {
        let run = try CLITests.muse(["tag", Self.coffee, "--top", "2", "--json", "--threads", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let tags = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(tags.count == 2)
        #expect(tags.first?["label"] as? String == "espresso")
        let table = try CLITests.muse(["tag", Self.coffee, "--top", "1", "--threads", "2"])
        #expect(table.stdout.hasSuffix("  espresso\n"), "\(table.stdout)")
    }

    @Test func refusesAFileThatIsNotAnImage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muse-tag-\(UUID().uuidString).txt").path
        try Data("not a picture".utf8).write(to: URL(fileURLWithPath: path))
        let run = try CLITests.muse(["tag", path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("unrecognized image format"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}

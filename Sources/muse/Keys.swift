import ArgumentParser
import Foundation
import PartnerAccess
import Storage

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke partner API keys.",
        discussion: "Keys live in the same store as `muse serve` (--data-dir or --database-url); only their SHA-256 is kept.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key for a partner; the key is printed once, alone on the last line of stdout.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Who the key is for (shown in listings and usage).") var partner: String
        @Option(help: "Requests per minute (default: no limit).") var rpm: Int?
        @Option(help: "Tokens per minute, prompt plus answer (default: no limit).") var tpm: Int?
        @Option(help: "Comma-separated models the key may use (default: all).") var models: String?

        func run() async throws {
            let database = try store.open(try store.sources())
            let allowList = models.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let created: (key: PartnerKey, secret: String)
            do {
                created = try await KeyStore(database: database).create(partner: partner, requestsPerMinute: rpm,
                                                                         tokensPerMinute: tpm, models: allowList)
            } catch { throw CommandFailure(error) }
            let key = created.key
            print("created \(key.id) for \(key.partner): \(Keys.limits(key)); store \(database.location)")
            print("the key is shown only now; keep it secret:")
            print(created.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: id, partner, prefix, limits, state.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let keys: [PartnerKey]
            do { keys = try await KeyStore(database: try store.open(try store.sources())).list() } catch { throw CommandFailure(error) }
            if json { return try printJSON(keys) }
            print(Table(header: ["id", "partner", "prefix", "limits", "created", "state"], rows: keys.map { key in
                [key.id, key.partner, key.prefix + "...", Keys.limits(key), Table.time(key.createdMs),
                 key.revokedMs.map { "revoked " + Table.time($0) } ?? "active"]
            }).render())
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once, on every replica sharing the store.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key's id or its displayed prefix (at least 8 characters).") var key: String

        func run() async throws {
            do {
                let revoked = try await KeyStore(database: try store.open(try store.sources())).revoke(key)
                print("revoked \(revoked.id) (\(revoked.partner), \(revoked.prefix)...)")
            } catch let error as PartnerAccessError { throw CommandFailure(error.description) }
        }
    }

    static func limits(_ key: PartnerKey) -> String {
        let parts = [key.requestsPerMinute.map { "\($0) rpm" }, key.tokensPerMinute.map { "\($0) tpm" },
                     key.models.map { "models " + $0.joined(separator: ",") }].compactMap { $0 }
        return parts.isEmpty ? "no limits" : parts.joined(separator: ", ")
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A plain-text table for terminals.
struct Table {
    let header: [String]
    let rows: [[String]]

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func time(_ milliseconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

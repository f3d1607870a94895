import ArgumentParser
import Foundation
import PartnerAccess
import Storage

struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show metered API usage: totals per partner and key, or each request (--requests).",
        discussion: "Status 0 marks a request the server was running when it stopped (shown as 'interrupted').")

    @OptionGroup var store: StoreOptions
    @Option(help: "Only this partner (or key id).") var partner: String?
    @Option(help: "Only the last N minutes.") var minutes: Int?
    @Flag(help: "List requests instead of totals.") var requests = false
    @Option(help: "With --requests: how many, newest first.") var limit = 50
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        guard minutes.map({ $0 >= 1 }) ?? true, limit >= 1 else { throw CommandFailure("--minutes and --limit must be at least 1") }
        let ledger = UsageLedger(database: try store.open(try store.sources()), server: "cli")
        let since = minutes.map { Clock.milliseconds() - $0 * 60_000 }
        if requests {
            let records: [UsageRecord]
            do { records = try await ledger.records(partner: partner, sinceMs: since, limit: limit) } catch { throw CommandFailure(error) }
            if json { return try printJSON(records) }
            print(Table(header: ["time", "partner", "endpoint", "model", "status", "prompt", "cached", "completion", "ms", "server"],
                        rows: records.map { record in
                [Table.time(record.startedMs), record.partner ?? "-", record.endpoint, record.model ?? "-",
                 record.interrupted ? "interrupted" : String(record.status), String(record.promptTokens),
                 String(record.cachedTokens), String(record.completionTokens), record.latencyMs.map(String.init) ?? "-", record.server]
            }).render())
            return
        }
        var totals: [UsageLedger.Summary]
        do { totals = try await ledger.summary(sinceMs: since) } catch { throw CommandFailure(error) }
        if let partner { totals = totals.filter { $0.partner == partner || $0.keyID == partner } }
        if json { return try printJSON(totals) }
        print(Table(header: ["partner", "key", "requests", "failed", "interrupted", "prompt tokens", "completion tokens", "mean ms"],
                    rows: totals.map { total in
            [total.partner ?? "(no key)", total.keyID ?? "-", String(total.requests), String(total.failed), String(total.interrupted),
             String(total.promptTokens), String(total.completionTokens), total.meanLatencyMs.map { String(format: "%.0f", $0) } ?? "-"]
        }).render())
    }
}

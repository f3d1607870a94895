import Foundation

/// Counters and histograms for `GET /metrics`, in Prometheus' text format. Thread-safe.
public final class ServerMetrics: @unchecked Sendable {
    /// Upper bounds (seconds) of the latency histogram buckets.
    static let latencyBuckets: [Double] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.latencyBuckets.count)
        var sum = 0.0
        var total = 0

        mutating func observe(_ value: Double) {
            for (index, bound) in ServerMetrics.latencyBuckets.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            total += 1
        }
    }

    private let lock = NSLock()
    private var requests: [String: Int] = [:]        // "endpoint|status" -> count
    private var durations: [String: Histogram] = [:] // endpoint -> request latency
    private var firstToken = Histogram()
    private var promptTokens = 0
    private var cachedPromptTokens = 0
    private var completionTokens = 0

    public init() {}

    func recordRequest(endpoint: String, status: Int, seconds: Double) {
        lock.withLock {
            requests["\(endpoint)|\(status)", default: 0] += 1
            durations[endpoint, default: Histogram()].observe(seconds)
        }
    }

    func recordFirstToken(seconds: Double) {
        lock.withLock { firstToken.observe(seconds) }
    }

    func recordTokens(prompt: Int, cached: Int, completion: Int) {
        lock.withLock {
            promptTokens += prompt
            cachedPromptTokens += cached
            completionTokens += completion
        }
    }

    /// The exposition, with the scheduler's gauges read now.
    func render(queueDepth: Int, activeSlots: Int, slots: Int) -> String {
        lock.withLock {
            var out = ""
            out += "# HELP muse_requests_total HTTP requests by endpoint and status.\n# TYPE muse_requests_total counter\n"
            for (key, count) in requests.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                out += "muse_requests_total{endpoint=\"\(Self.escape(parts[0]))\",status=\"\(parts.count > 1 ? parts[1] : "")\"} \(count)\n"
            }
            out += "# HELP muse_request_duration_seconds Time to the response head (streams: to their start).\n"
            out += "# TYPE muse_request_duration_seconds histogram\n"
            for (endpoint, histogram) in durations.sorted(by: { $0.key < $1.key }) {
                out += Self.render(histogram, name: "muse_request_duration_seconds", labels: "endpoint=\"\(Self.escape(endpoint))\",")
            }
            out += "# HELP muse_time_to_first_token_seconds From request to the first generated token.\n"
            out += "# TYPE muse_time_to_first_token_seconds histogram\n"
            out += Self.render(firstToken, name: "muse_time_to_first_token_seconds", labels: "")
            out += "# HELP muse_prompt_tokens_total Prompt tokens received.\n# TYPE muse_prompt_tokens_total counter\n"
            out += "muse_prompt_tokens_total \(promptTokens)\n"
            out += "# HELP muse_prompt_tokens_cached_total Prompt tokens served from the prefix cache.\n"
            out += "# TYPE muse_prompt_tokens_cached_total counter\nmuse_prompt_tokens_cached_total \(cachedPromptTokens)\n"
            out += "# HELP muse_completion_tokens_total Tokens generated.\n# TYPE muse_completion_tokens_total counter\n"
            out += "muse_completion_tokens_total \(completionTokens)\n"
            out += "# HELP muse_queue_depth Requests waiting or running.\n# TYPE muse_queue_depth gauge\nmuse_queue_depth \(queueDepth)\n"
            out += "# HELP muse_active_slots Sequences being decoded.\n# TYPE muse_active_slots gauge\nmuse_active_slots \(activeSlots)\n"
            out += "# HELP muse_slots Sequences that can be decoded together.\n# TYPE muse_slots gauge\nmuse_slots \(slots)\n"
            return out
        }
    }

    private static func render(_ histogram: Histogram, name: String, labels: String) -> String {
        var out = ""
        for (bound, count) in zip(latencyBuckets, histogram.counts) {
            out += "\(name)_bucket{\(labels)le=\"\(bound)\"} \(count)\n"
        }
        out += "\(name)_bucket{\(labels)le=\"+Inf\"} \(histogram.total)\n"
        let plain = labels.isEmpty ? "" : "{\(labels.dropLast())}"
        out += "\(name)_sum\(plain) \(histogram.sum)\n\(name)_count\(plain) \(histogram.total)\n"
        return out
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

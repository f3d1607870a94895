/// What a `StopMatcher` lets through after one piece of text.
public struct StopMatchResult: Sendable, Equatable {
    /// Text that can be shown now: it cannot be part of a stop string.
    public let text: String
    /// The stop string that was hit, or nil. Once set, generation should end; `text` then holds
    /// everything up to, not including, the stop string.
    public let stop: String?

    public init(text: String, stop: String?) {
        self.text = text
        self.stop = stop
    }

    public var isStopped: Bool { stop != nil }
}

/// Finds stop strings in streamed text and holds back any tail that could still grow into one,
/// so that no part of a stop string is ever emitted even when it arrives split across tokens.
///
/// Matching is exact on UTF-8 bytes (no Unicode normalisation), like llama.cpp's server. Because
/// both the text and the stop strings are valid UTF-8, a match or a held tail always begins on a
/// scalar boundary, so every emitted piece is valid text. When several stops match, the one that
/// starts first wins; at the same start, the one listed first.
public struct StopMatcher: Sendable {
    public let stops: [String]
    private let stopBytes: [[UInt8]]
    private var pending: [UInt8] = []  // text not yet emitted: the longest tail that begins a stop
    private var stopHit: String?

    /// Empty strings in `stops` are ignored (they would match everywhere).
    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        stopBytes = self.stops.map { Array($0.utf8) }
    }

    /// Feeds the next piece of text. After a stop was hit, every further call returns no text
    /// and the same stop.
    public mutating func append(_ text: String) -> StopMatchResult {
        if let stopHit { return StopMatchResult(text: "", stop: stopHit) }
        pending.append(contentsOf: text.utf8)
        if let (start, index) = earliestStop() {
            let before = String(decoding: pending[..<start], as: UTF8.self)
            pending.removeAll()
            stopHit = stops[index]
            return StopMatchResult(text: before, stop: stopHit)
        }
        let heldFrom = startOfHeldTail()
        let emitted = String(decoding: pending[..<heldFrom], as: UTF8.self)
        pending.removeSubrange(..<heldFrom)
        return StopMatchResult(text: emitted, stop: nil)
    }

    /// Releases the held tail at the end of generation (nothing if a stop was hit), and makes the
    /// matcher ready for a new stream.
    public mutating func finish() -> String {
        let rest = stopHit == nil ? String(decoding: pending, as: UTF8.self) : ""
        pending.removeAll()
        stopHit = nil
        return rest
    }

    /// The text held back so far, for callers that must know what has not been shown yet.
    public var heldText: String { String(decoding: pending, as: UTF8.self) }

    /// Byte offset in `pending` and index in `stops` of the first complete stop, if any.
    private func earliestStop() -> (start: Int, index: Int)? {
        var best: (start: Int, index: Int)?
        for (index, stop) in stopBytes.enumerated() {
            guard let start = firstOccurrence(of: stop) else { continue }
            if best.map({ start < $0.start }) ?? true { best = (start, index) }
        }
        return best
    }

    private func firstOccurrence(of stop: [UInt8]) -> Int? {
        guard stop.count <= pending.count else { return nil }
        for start in 0...(pending.count - stop.count) where pendingMatches(stop, at: start, length: stop.count) {
            return start
        }
        return nil
    }

    /// Where the longest tail of `pending` that is a proper prefix of some stop begins
    /// (`pending.count` when there is none). Everything before it is safe to emit.
    private func startOfHeldTail() -> Int {
        let longestStop = stopBytes.map(\.count).max() ?? 0
        let earliest = max(0, pending.count - (longestStop - 1))
        guard earliest < pending.count else { return pending.count }
        for start in earliest..<pending.count {
            let length = pending.count - start
            if stopBytes.contains(where: { $0.count > length && pendingMatches($0, at: start, length: length) }) {
                return start
            }
        }
        return pending.count
    }

    /// Whether `pending[start ..< start + length]` equals the first `length` bytes of `stop`.
    private func pendingMatches(_ stop: [UInt8], at start: Int, length: Int) -> Bool {
        var offset = 0
        while offset < length {
            if pending[start + offset] != stop[offset] { return false }
            offset += 1
        }
        return true
    }
}

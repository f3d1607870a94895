import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast RNG whose sequence depends only on the
/// seed, so a world generated twice with the same seed is the same world.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Pareto-distributed (scale 1, shape `alpha`): the heavy tail behind popularity skew.
    public mutating func pareto(alpha: Double) -> Double { pow(1 - unit(), -1 / alpha) }

    /// Log-normal around `median` with spread `sigma` (Box–Muller).
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return median * exp(sigma * normal)
    }

    public mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int(next() % UInt64(items.count))] }

    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

/// Draws indices in proportion to fixed weights (cumulative sums and a binary search).
struct WeightedPicker: Sendable {
    let items: [Int]
    private let cumulative: [Double]

    init(items: [Int], weight: (Int) -> Double) {
        self.items = items
        var total = 0.0
        cumulative = items.map { total += weight($0); return total }
    }

    func pick(_ random: inout SeededGenerator) -> Int? {
        guard let total = cumulative.last, total > 0 else { return nil }
        let target = random.unit() * total
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}

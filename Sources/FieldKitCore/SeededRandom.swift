/// SplitMix64: a small, fast, well-mixed generator with a fixed algorithm, unlike the
/// standard library's, so the same seed gives the same values on every machine and in every
/// release. The built-in inventory, the benchmark's dataset and the property tests (which
/// print their seed) are made with it. Not for secrets.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A whole number in `0..<bound` (0 when `bound` is not positive).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

    /// One of `choices`, each as likely as its weight; nil when there are none.
    public mutating func weighted<T>(_ choices: [(T, Int)]) -> T? {
        let total = choices.reduce(0) { $0 + max($1.1, 0) }
        guard total > 0 else { return choices.first?.0 }
        var pick = below(total)
        for (value, weight) in choices where weight > 0 {
            if pick < weight { return value }
            pick -= weight
        }
        return choices.last?.0
    }
}

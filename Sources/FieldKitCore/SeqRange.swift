/// A run of consecutive seqs of one device, `first…last` inclusive; in JSON, `[first, last]`.
public struct SeqRange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The first seq of the run.
    public var first: Int64
    /// The last seq of the run (at least `first`).
    public var last: Int64

    /// Makes a range; `last` must not be below `first`.
    public init(_ first: Int64, _ last: Int64) {
        self.first = first
        self.last = max(first, last)
    }

    /// How many seqs the range holds.
    public var count: Int64 { last - first + 1 }

    public var description: String { first == last ? "\(first)" : "\(first)–\(last)" }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let first = try container.decode(Int64.self)
        let last = try container.decode(Int64.self)
        guard first >= 1, last >= first, container.isAtEnd else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a seq range is [first, last] with 1 <= first <= last")
        }
        self.init(first, last)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(first)
        try container.encode(last)
    }

    /// The runs of consecutive values in `seqs` (any order, duplicates ignored), ascending.
    public static func ranges(of seqs: some Sequence<Int64>) -> [SeqRange] {
        var result: [SeqRange] = []
        for seq in Set(seqs).sorted() {
            if let last = result.last, last.last + 1 == seq {
                result[result.count - 1].last = seq
            } else {
                result.append(SeqRange(seq, seq))
            }
        }
        return result
    }

    /// The seqs missing below the highest one held: the gaps between and before `held`.
    public static func gaps(in held: [SeqRange]) -> [SeqRange] {
        var gaps: [SeqRange] = []
        var next: Int64 = 1
        for range in held.sorted(by: { $0.first < $1.first }) {
            if range.first > next { gaps.append(SeqRange(next, range.first - 1)) }
            next = max(next, range.last + 1)
        }
        return gaps
    }

    /// The highest seq up to which every seq from 1 is held.
    public static func contiguousThrough(_ held: [SeqRange]) -> Int64 {
        guard let first = held.min(by: { $0.first < $1.first }), first.first == 1 else { return 0 }
        return gaps(in: held).first.map { $0.first - 1 } ?? (held.map(\.last).max() ?? 0)
    }
}

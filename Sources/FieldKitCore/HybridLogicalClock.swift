/// A hybrid logical clock reading: milliseconds since 1970 and a counter.
///
/// It orders events for display and history only; no decision depends on it.
public struct HLCTimestamp: Hashable, Sendable, Codable, Comparable {
    /// Milliseconds since 1970-01-01 UTC (the larger of the wall clock and every reading seen).
    public var millis: Int64
    /// Breaks ties within one millisecond.
    public var counter: Int64

    /// Makes a reading.
    public init(millis: Int64, counter: Int64) {
        self.millis = millis
        self.counter = counter
    }

    enum CodingKeys: String, CodingKey {
        case millis = "t"
        case counter = "c"
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.millis, lhs.counter) < (rhs.millis, rhs.counter)
    }

    /// The zero reading, before any event.
    public static let zero = HLCTimestamp(millis: 0, counter: 0)
}

/// The clock's rule, as a value: it never goes backwards, whatever the wall clock does.
public struct HybridLogicalClock: Sendable, Equatable {
    /// A received reading more than this far ahead of the local wall clock does not move the clock.
    public static let maximumLead: Int64 = 24 * 60 * 60 * 1000

    /// The last reading issued or taken in.
    public private(set) var last: HLCTimestamp

    /// Starts after `last` (the newest reading in the store).
    public init(last: HLCTimestamp = .zero) {
        self.last = last
    }

    /// The reading for a new local event at wall time `wallMillis`.
    public mutating func tick(wallMillis: Int64) -> HLCTimestamp {
        if wallMillis > last.millis {
            last = HLCTimestamp(millis: wallMillis, counter: 0)
        } else {
            last = HLCTimestamp(millis: last.millis, counter: last.counter + 1)
        }
        return last
    }

    /// Takes in a reading from another device; one too far ahead of `wallMillis` is ignored,
    /// so a laptop stuck in 2038 cannot drag every clock along.
    public mutating func receive(_ remote: HLCTimestamp, wallMillis: Int64) {
        guard remote.millis <= max(wallMillis, last.millis) + Self.maximumLead else { return }
        if remote > last { last = remote }
    }
}

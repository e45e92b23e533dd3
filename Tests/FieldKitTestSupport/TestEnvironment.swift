import FieldKitCore
import Foundation
import Synchronization

/// A controllable clock for tests.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// Starts at `start` (default 2026-03-14 09:30 UTC).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_773_480_600)) {
        current = Mutex(start)
    }

    /// The time now.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock (backwards too).
    public func set(_ date: Date) { current.withLock { $0 = date } }

    /// Moves the clock by `seconds`.
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Ids `0000…0001`, `0000…0002`, … so tests see stable values.
public final class CountingIDs: Sendable {
    private let next = Mutex(0)
    private let prefix: String

    /// Starts at 1; `prefix` (hex) keeps ids of several test devices apart.
    public init(prefix: String = "") {
        self.prefix = prefix
    }

    /// The next id.
    public func make() -> String {
        let value = next.withLock { value -> Int in
            value += 1
            return value
        }
        let digits = String(format: "%032x", value)
        return prefix + digits.dropFirst(prefix.count)
    }
}

extension FieldKitEnvironment {
    /// An environment with a test clock, counting ids, a fixed time zone and no variables.
    public static func test(
        clock: TestClock = TestClock(), ids: CountingIDs = CountingIDs(),
        timeZone: TimeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .gmt, variables: [String: String] = [:]
    ) -> FieldKitEnvironment {
        FieldKitEnvironment(
            now: { clock.now }, timeZone: timeZone, makeID: { ids.make() }, variables: variables)
    }
}

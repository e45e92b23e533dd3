import Foundation

/// What the outside world supplies to the logic: time, time zone, ids, randomness.
///
/// Commands receive one; tests pass a fixed clock and counting ids. Nothing deep inside the
/// logic calls `Date()` or makes a random id on its own.
public struct FieldKitEnvironment: Sendable {
    /// The wall clock.
    public var now: @Sendable () -> Date
    /// The local time zone, for the UTC offset and local dates.
    public var timeZone: TimeZone
    /// Makes a new unique id (32 lower-case hex digits).
    public var makeID: @Sendable () -> String
    /// Process environment variables (`FIELDKIT_HOME`, `XDG_DATA_HOME`, `HOME`).
    public var variables: [String: String]

    /// Makes an environment.
    public init(
        now: @escaping @Sendable () -> Date, timeZone: TimeZone, makeID: @escaping @Sendable () -> String,
        variables: [String: String]
    ) {
        self.now = now
        self.timeZone = timeZone
        self.makeID = makeID
        self.variables = variables
    }

    /// The real machine.
    public static var live: FieldKitEnvironment {
        FieldKitEnvironment(
            now: { Date() }, timeZone: .current,
            makeID: {
                var generator = SystemRandomNumberGenerator()
                let high = generator.next() as UInt64
                let low = generator.next() as UInt64
                return String(format: "%016llx%016llx", high, low)
            },
            variables: ProcessInfo.processInfo.environment)
    }
}

/// Time as events record it.
public enum EventTime {
    /// Milliseconds since 1970 of `date`.
    public static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
    public static func wallString(_ date: Date) -> String {
        let millis = millis(date)
        let seconds = millis.floorDivided(by: 1000)
        let parts = civil(fromDays: seconds.floorDivided(by: 86_400))
        let secondOfDay = seconds - seconds.floorDivided(by: 86_400) * 86_400
        return String(
            format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", parts.year, parts.month, parts.day,
            secondOfDay / 3600, (secondOfDay / 60) % 60, secondOfDay % 60, millis - seconds * 1000)
    }

    /// The local date `YYYY-MM-DD` of `date` at `offsetMinutes` east of UTC.
    public static func localDate(_ date: Date, offsetMinutes: Int) -> String {
        let seconds = millis(date).floorDivided(by: 1000) + Int64(offsetMinutes) * 60
        let parts = civil(fromDays: seconds.floorDivided(by: 86_400))
        return String(format: "%04lld-%02lld-%02lld", parts.year, parts.month, parts.day)
    }

    /// Parses a `YYYY-MM-DD` date strictly (a real calendar day).
    public static func parseDate(_ text: String) throws(CoreFailure) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { throw .invalidValue(what: "date \"\(text)\"", reason: "expected a real day as YYYY-MM-DD") }
        return text
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date.
    public static func days(of date: String) throws(CoreFailure) -> Int64 {
        let checked = try parseDate(date)
        let parts = checked.split(separator: "-").compactMap { Int64($0) }
        return daysFromCivil(year: parts[0], month: parts[1], day: parts[2])
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil-from-days: exact for every day, no calendar object on the hot path.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = adjustedYear.floorDivided(by: 400)
        let yearOfEra = adjustedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension Int64 {
    /// Division rounding towards minus infinity (dates before 1970 stay right).
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

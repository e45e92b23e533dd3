import FieldKitCore
import Foundation
import Testing

@Suite("event time")
struct EventTimeTests {
    @Test(
        "wall clock strings and local dates",
        arguments: [
            (0.0, 0, "1970-01-01T00:00:00.000Z", "1970-01-01"),
            (1_773_480_600.25, 60, "2026-03-14T09:30:00.250Z", "2026-03-14"),
            (1_773_529_200.0, -240, "2026-03-14T23:00:00.000Z", "2026-03-14"),
            (1_773_529_200.0, 120, "2026-03-14T23:00:00.000Z", "2026-03-15"),
            (2_145_916_800.0, 0, "2038-01-01T00:00:00.000Z", "2038-01-01"),
            (-86_400.0, 0, "1969-12-31T00:00:00.000Z", "1969-12-31"),
        ])
    func rendering(seconds: Double, offset: Int, wall: String, date: String) {
        let instant = Date(timeIntervalSince1970: seconds)
        #expect(EventTime.wallString(instant) == wall)
        #expect(EventTime.localDate(instant, offsetMinutes: offset) == date)
    }

    @Test("dates must be real days", arguments: ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-1", "today", ""])
    func invalidDates(_ text: String) {
        #expect(throws: CoreFailure.self) { try EventTime.parseDate(text) }
    }

    @Test("leap days and day numbers agree")
    func dayNumbers() throws {
        #expect(try EventTime.parseDate("2028-02-29") == "2028-02-29")
        #expect(try EventTime.days(of: "1970-01-02") == 1)
        #expect(try EventTime.days(of: "2026-03-14") == 20526)
    }

    @Test("text is NFC-normalised and control characters are refused")
    func normalisation() throws {
        let decomposed = "Cura\u{0063}\u{0327}ao"
        #expect(try Text.normalised(decomposed, field: "x") == "Curaçao")
        #expect(throws: CoreFailure.self) { try Text.normalised("a\u{0000}b", field: "x") }
    }
}

import FieldKitCore
import FieldKitReports
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Logging
import Testing

@testable import FieldKitServer

@Suite("hub report: a committed season and its expected CSV; the dashboard in headless Chromium")
struct ReportTests {
    static let expected = Repository.path("Tests/FieldKitServerTests/Fixtures/report-expected.csv")

    @Test("the fixture season's report equals the committed CSV (FIELDKIT_WRITE_FIXTURES=1 rewrites it)")
    func fixtureCSV() throws {
        let world = try SyncWorld("report-fixture")
        try ReportFixture.season(in: world)
        let report = try world.hubStore.hubReport(
            from: nil, to: nil, asOf: ReportFixture.asOf, now: ReportFixture.now)
        let csv = ReportTable(report).csv
        if ProcessInfo.processInfo.environment["FIELDKIT_WRITE_FIXTURES"] == "1" {
            try FileLayer.writeAtomically(Data(csv.utf8), to: ReportTests.expected)
        }
        let committed = try String(contentsOfFile: ReportTests.expected, encoding: .utf8)
        #expect(csv == committed)
        // The season holds what each section needs, so the comparison means something.
        #expect(report.repairs.reduce(0) { $0 + $1.count } >= 15)
        #expect(Set(report.repairs.map(\.region)) == ["Curaçao", "Noord-Holland"])
        #expect(report.training.contains { $0.competencies > 0 })
        #expect(report.devices.contains { $0.openConflicts > 0 })
        #expect(!report.overdue.isEmpty)
        // A narrower period counts fewer repairs, and an amended repair counts once.
        let june = try world.hubStore.hubReport(
            from: "2026-06-01", to: "2026-06-30", asOf: ReportFixture.asOf, now: ReportFixture.now)
        #expect(!june.repairs.isEmpty && june.repairs.allSatisfy { $0.month == "2026-06" })
        let records = try world.hubStore.records(kind: "repair")
        #expect(records.contains { $0.amendments > 0 }, "the season amends a repair")
        #expect(report.repairs.reduce(0) { $0 + $1.count } == records.count)
        #expect(
            report.repairs.reduce(0) { $0 + $1.minutes }
                == records.reduce(0) { $0 + Int($1.values["minutes"]?.intValue ?? 0) })
    }

    @Test("the dashboard loads offline in headless Chromium with no failed request, and shows the JSON's numbers")
    func dashboardInChromium() async throws {
        let world = try SyncWorld("report-browser")
        try ReportFixture.season(in: world)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try HubServer(
            folder: world.hub.folder, store: world.hubStore,
            environment: FieldKitEnvironment.test(clock: TestClock(ReportFixture.now), ids: CountingIDs()),
            configuration: .init(
                listen: ListenAddress(host: "127.0.0.1", port: 0),
                dashboard: ListenAddress(host: "127.0.0.1", port: 0), version: "test"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { listener, _, port in if listener == .dashboard { continuation.yield(port) } })
        let running = Task { try await server.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let now = ReportFixture.now
        let report = try world.hubStore.hubReport(
            from: nil, to: nil, asOf: EventTime.localDate(now, offsetMinutes: 0), now: now)
        let json = world.folder.appending("report.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileLayer.writeAtomically(try encoder.encode(report), to: json)
        let output = Repository.path(".build/test-output")
        try FileLayer.makeFolder(output)
        let checked = try await Thread.run {
            try Tools.run(
                "/usr/bin/python3",
                [
                    Repository.path("Tests/Browser/check_dashboard.py"), "--url", "http://127.0.0.1:\(port)/",
                    "--json", json, "--screenshot", output + "/dashboard.png",
                ])
        }
        #expect(checked.status == 0, "\(checked.stdout)\n\(checked.stderr)")
        #expect(checked.stdout.contains("numbers checked:"), "\(checked.stdout)")
        #expect(FileLayer.exists(output + "/dashboard.png"))
    }
}

import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("trust statements: dates warn, versions decide")
struct TrustDatesTests {
    let clock = TestClock()
    let ids = CountingIDs()
    var fieldkit: CLIHarness { CLIHarness(environment: .test(clock: clock, ids: ids)) }

    func day(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text + "T12:00:00Z"))
    }

    @Test("a statement issued after the laptop's today is taken; an expired one is taken with a warning at sync")
    func futureAndExpired() throws {
        let folder = TemporaryFolder("trust-dates")
        let hq = ["--data-dir", folder.appending("hq")]
        let laptop = ["--data-dir", folder.appending("laptop")]
        let stick = folder.appending("stick")
        let root = folder.appending("root")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        clock.set(try day("2026-03-14"))
        #expect(fieldkit.run(["hub", "init", "--root-out", root, "--expires", "2026-06-30"] + hq).status == 0)
        let made = fieldkit.run(
            ["init", "--device", "bus-1", "--site", "CUR-02", "--technician", "Anne", "--hq-root", root + "/root.pub"]
                + laptop)
        #expect(made.status == 0, "\(made.stderr)")
        let enrol = fieldkit.run(["enrol", "--to", stick, "--json"] + laptop)
        let fingerprint = try #require(try enrol.json()["fingerprint"] as? String, "\(enrol.stderr)")
        #expect(fieldkit.run(["hub", "enrol", stick, "--fingerprint", fingerprint] + hq).status == 0)
        #expect(fieldkit.run(["sync", stick] + laptop).status == 0)
        #expect(fieldkit.run(["hub", "import", stick] + hq).status == 0)

        // The laptop's clock says 2025: the statement beside the receipt was issued "in the
        // future". Clocks at sites lie, so dates never refuse; the version decides.
        clock.set(try day("2025-01-01"))
        let early = fieldkit.run(["sync", stick] + laptop)
        #expect(early.status == 0, "\(early.stdout)\(early.stderr)")
        #expect(try fieldkit.run(["status", "--json"] + laptop).json()["lastReceipt"] as? Int == 1)
        #expect(!(early.stdout + early.stderr).contains("expired"))

        // Past the statement's last day: taken, with a warning that says what to do.
        clock.set(try day("2026-08-01"))
        #expect(fieldkit.run(["hub", "import", stick] + hq).status == 0)
        let late = fieldkit.run(["sync", stick] + laptop)
        #expect(late.status == 0, "\(late.stdout)\(late.stderr)")
        #expect(
            (late.stdout + late.stderr).contains(
                "warning: headquarters' trust statement expired on 2026-06-30; accepted anyway (ask headquarters to renew it)"
            ), "\(late.stdout)\(late.stderr)")
        #expect(try fieldkit.run(["status", "--json"] + laptop).json()["lastReceipt"] as? Int == 2)
    }
}

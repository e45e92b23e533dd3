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

    @Test("an expired trust statement only warns at bundle install and update: both go ahead")
    func expiredAtInstallAndUpdate() throws {
        let folder = TemporaryFolder("trust-dates-install")
        let hq = ["--data-dir", folder.appending("hq")]
        let laptop = ["--data-dir", folder.appending("laptop")]
        let root = folder.appending("root")
        clock.set(try day("2026-03-14"))
        #expect(fieldkit.run(["hub", "init", "--root-out", root, "--expires", "2026-06-30"] + hq).status == 0)
        let made = fieldkit.run(
            ["init", "--device", "bus-1", "--site", "CUR-02", "--hq-root", root + "/root.pub"] + laptop)
        #expect(made.status == 0, "\(made.stderr)")
        let bundle = folder.appending("release/fieldkit-bundle.tar.zst")
        let packed = fieldkit.run([
            "bundle", "pack", Repository.path("Bundles"), "--key", folder.appending("hq/keys/device.key"),
            "--trust", folder.appending("hq/trust"), "--out", bundle,
        ])
        #expect(packed.status == 0, "\(packed.stderr)")
        let executable = folder.appending("bin/fieldkit")
        try FileManager.default.createDirectory(atPath: folder.appending("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.appending("new"), withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho old\n".utf8).write(to: URL(fileURLWithPath: executable))
        try Data("#!/bin/sh\necho new\n".utf8).write(to: URL(fileURLWithPath: folder.appending("new/fieldkit")))
        let released = fieldkit.run(
            [
                "hub", "release", folder.appending("new/fieldkit"), "--version", "99.0.0", "--to",
                folder.appending("out"),
            ]
                + hq)
        #expect(released.status == 0, "\(released.stderr)")

        // Past the statement's last day: both go ahead, each with the warning sync gives.
        clock.set(try day("2026-08-01"))
        let warning =
            "warning: headquarters' trust statement expired on 2026-06-30; accepted anyway (ask headquarters to renew it)"
        let installed = fieldkit.run(["bundle", "install", bundle] + laptop)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains(warning), "\(installed.stderr)")
        let guides = fieldkit.run(["guide", "list", "--json"] + laptop)
        #expect(guides.status == 0 && guides.stdout.contains("\"id\""), "\(guides.stderr)")
        let updated = fieldkit.run(
            ["update", folder.appending("out/fieldkit"), "--executable", executable] + laptop)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stderr.contains(warning), "\(updated.stderr)")
        #expect(try String(contentsOfFile: executable, encoding: .utf8) == "#!/bin/sh\necho new\n")

        // Before it expires: no warning.
        clock.set(try day("2026-06-30"))
        let again = fieldkit.run(["bundle", "install", bundle] + laptop)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("expired"), "\(again.stderr)")
    }
}

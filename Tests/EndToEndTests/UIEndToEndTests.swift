import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: fieldkit ui in headless Chromium, checked through the CLI")
struct UIEndToEndTests {
    /// A technician's laptop as the tour leaves it: enrolled, synced once, with a repair on record.
    func laptop(_ folder: TemporaryFolder) throws -> String {
        let kept = folder.appending("kept")
        let tour = try Tools.fieldkit(["tour", "--keep", kept])
        try #require(tour.status == 0, "\(tour.stderr)")
        return kept + "/amsterdam"
    }

    @Test("a technician searches, reads, looks up, repairs, trains, audits and syncs in the browser")
    func technicianInBrowser() throws {
        let folder = TemporaryFolder("e2e-ui")
        let laptop = try laptop(folder)
        let output = Repository.path(".build/test-output/ui")
        let checked = try Tools.run(
            "/usr/bin/python3",
            [
                Repository.path("Tests/Browser/check_ui.py"), "--fieldkit", Tools.fieldkitBinary, "--data-dir", laptop,
                "--stick", folder.appending("stick"), "--out", output,
            ])
        #expect(checked.status == 0, "\(checked.stdout)\n\(checked.stderr)")
        #expect(checked.stdout.contains("scenarios passed: 14 of 14"), "\(checked.stdout)")
        for page in ["home", "guides", "guide", "instrument", "repair", "training", "audit", "sync"] {
            #expect(FileManager.default.fileExists(atPath: "\(output)/\(page).png"), "no screenshot of \(page)")
        }
        // The browser's records are the CLI's: the same log, and doctor finds it whole.
        #expect(try Tools.fieldkit(["doctor", "--data-dir", laptop]).status == 0)
    }

    @Test("ui refuses an address beyond this machine and a folder that is not set up")
    func refusals() throws {
        let folder = TemporaryFolder("e2e-ui-refusals")
        let beyond = try Tools.fieldkit(["ui", "--listen", "0.0.0.0:0", "--data-dir", folder.appending("none")])
        #expect(beyond.status == 66, "\(beyond.stderr)")
        let empty = folder.appending("empty")
        #expect(try Tools.fieldkit(["init", "--data-dir", empty, "--device", "ui-test"]).status == 0)
        let open = try Tools.fieldkit(["ui", "--listen", "0.0.0.0:0", "--data-dir", empty])
        #expect(open.status == 64)
        #expect(
            open.stderr
                == """
                error: the interface would listen on 0.0.0.0:0, beyond this machine
                hint: the interface serves this laptop's own browser only: use 127.0.0.1:PORT (0 picks a free port)

                """, "\(open.stderr)")
    }
}

import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: a technician's day on the built binary")
struct FieldRecordsEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }

    @Test("repair, training, loan and an audit piped from a scanner, then status counts them")
    func day() throws {
        let folder = TemporaryFolder("e2e-day")
        let data = folder.appending("device")
        let d = ["--data-dir", data]
        #expect(try Tools.fieldkit(["init", "--device", "bus-3", "--technician", "Anne"] + d).status == 0)
        #expect(try Tools.fieldkit(["site", "use", "cur-02"] + d).status == 0)
        let repair = try Tools.fieldkit(
            [
                "repair", "log", "lo vn 4123", "--problem", "Snaar gebroken", "--action", "Snaar vervangen", "--part",
                "string-set-violin-3-4", "--minutes", "15", "--outcome", "fixed", "--json",
            ] + d)
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(try json(repair)["tag"] as? String == "LO-VN-004123")
        let training = try Tools.fieldkit(
            [
                "training", "record", "--checklist", "brass-valves-slides", "--trainer", "Anne", "--trainee", "Jaïr",
                "--done", "tell-valve-types",
            ] + d)
        #expect(training.status == 0, "\(training.stderr)")
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-004123", "--to", "CUR-02"] + d).status == 0)

        let scans = Data("lo-vn-004123\nLO VN 4123\nnot-a-tag\n".utf8)
        let audit = try Tools.fieldkit(["audit", "--json"] + d, stdin: scans)
        #expect(audit.status == 0, "\(audit.stderr)")
        let findings = try json(audit)
        #expect(findings["scanned"] as? [String] == ["LO-VN-004123", "NOT-A-TAG"])
        #expect(findings["unexpected"] as? [String] == ["NOT-A-TAG"])

        let missing = try Tools.fieldkit(["repair", "log", "LO-VN-004123", "--problem", "p"] + d, stdin: Data())
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("error: missing --action"))

        let status = try json(try Tools.fieldkit(["status", "--json"] + d))
        #expect(status["repairs"] as? Int == 1)
        #expect(status["trainings"] as? Int == 1)
        #expect(status["undelivered"] as? Int == 5)
        #expect(try Tools.fieldkit(["doctor"] + d).status == 0)
    }
}

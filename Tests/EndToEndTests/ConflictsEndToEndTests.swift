import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: a concurrent move becomes a conflict, headquarters decides, both laptops follow")
struct ConflictsEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
    }

    @Test("two laptops move the same violin; hub conflicts lists both sides; resolve reaches both laptops")
    func concurrentMove() throws {
        let folder = TemporaryFolder("e2e-conflicts")
        let hq = ["--data-dir", folder.appending("hq")]
        let a = ["--data-dir", folder.appending("a")]
        let b = ["--data-dir", folder.appending("b")]
        let stick = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        let root = folder.appending("root")
        #expect(try Tools.fieldkit(["hub", "init", "--root-out", root] + hq).status == 0)
        var fingerprints: [String] = []
        for (device, site) in [(a, "CUR-01"), (b, "CUR-02")] {
            let made = try Tools.fieldkit(
                ["init", "--device", site.lowercased(), "--site", site, "--hq-root", root + "/root.pub"] + device)
            #expect(made.status == 0, "\(made.stderr)")
            let request = try #require(
                try json(try Tools.fieldkit(["enrol", "--to", stick, "--json"] + device)) as? [String: Any])
            fingerprints.append(try #require(request["fingerprint"] as? String))
        }
        let enrolled = try Tools.fieldkit(
            ["hub", "enrol", stick, "--fingerprint", fingerprints[0], "--fingerprint", fingerprints[1]] + hq)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")

        // Neither has seen the other's move.
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-01"] + a).status == 0)
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-02"] + b).status == 0)
        func roundTrip() throws {
            for device in [a, b] { #expect(try Tools.fieldkit(["sync", stick] + device).status == 0) }
            let imported = try Tools.fieldkit(["hub", "import", stick] + hq)
            #expect(imported.status == 0, "\(imported.stderr)")
            for device in [a, b] { #expect(try Tools.fieldkit(["sync", stick] + device).status == 0) }
        }
        try roundTrip()

        let listed = try #require(
            try json(try Tools.fieldkit(["hub", "conflicts", "--json"] + hq)) as? [[String: Any]])
        #expect(listed.count == 1)
        let conflict = try #require(listed.first)
        #expect(conflict["id"] as? String == "LO-VN-000001/site")
        let sides = try #require(conflict["sides"] as? [[String: Any]])
        #expect(Set(sides.compactMap { $0["value"] as? String }) == ["CUR-01", "CUR-02"])
        for device in [a, b] {
            let known = try #require(
                try json(try Tools.fieldkit(["conflicts", "--json"] + device)) as? [[String: Any]])
            #expect(known.map { $0["id"] as? String } == ["LO-VN-000001/site"], "each laptop sees the conflict")
            #expect(known.first?["provisional"] as? String == conflict["provisional"] as? String, "the same everywhere")
        }
        let human = try Tools.fieldkit(["hub", "conflicts"] + hq)
        #expect(human.stdout.contains("LO-VN-000001/site"))

        // Headquarters keeps Curaçao 02's move, whichever the provisional winner was.
        let keep = try #require(sides.first { $0["value"] as? String == "CUR-02" }?["event"] as? String)
        let wrong = try Tools.fieldkit(["hub", "conflicts", "resolve", "LO-VN-000001/site", "--keep", "zz"] + hq)
        #expect(wrong.status == 64)
        let resolved = try Tools.fieldkit(
            ["hub", "conflicts", "resolve", "LO-VN-000001/site", "--keep", String(keep.prefix(10))] + hq)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(try json(try Tools.fieldkit(["hub", "conflicts", "--json"] + hq)) as? [Any] != nil)
        #expect((try json(try Tools.fieldkit(["hub", "conflicts", "--json"] + hq)) as? [Any])?.isEmpty == true)

        try roundTrip()
        for device in [a, b] {
            let shown = try #require(
                try json(try Tools.fieldkit(["instrument", "show", "LO-VN-000001", "--json"] + device))
                    as? [String: Any])
            #expect(shown["site"] as? String == "CUR-02")
            #expect((shown["conflicts"] as? [String: Any])?.isEmpty == true)
            #expect((try json(try Tools.fieldkit(["conflicts", "--json"] + device)) as? [Any])?.isEmpty == true)
        }
    }
}

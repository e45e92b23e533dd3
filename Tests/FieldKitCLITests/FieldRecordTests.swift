import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("field records")
struct FieldRecordTests {
    let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))  // 2026-11-18
    let ids = CountingIDs()
    var fieldkit: CLIHarness { CLIHarness(environment: .test(clock: clock, ids: ids)) }

    func device(_ folder: TemporaryFolder, technician: String = "Anne") -> String {
        let data = folder.appending("device")
        precondition(
            fieldkit("init", "--data-dir", data, "--device", "bus", "--site", "CUR-02", "--technician", technician)
                .status == 0)
        precondition(fieldkit("guide", "list", "--data-dir", data).status == 0)  // installs the built-in bundle
        return data
    }

    @Test("a repair is logged, amended and shown as amended with its history; the original stays")
    func repairLifecycle() throws {
        let folder = TemporaryFolder("repair")
        let data = device(folder)
        let logged = fieldkit(
            "repair", "log", "lo-vn-4123", "--problem", "Kam scheef", "--action", "Kam rechtgezet", "--guide",
            "violin-bridge-straighten", "--part", "string-set-violin-3-4:2", "--minutes", "20", "--outcome", "fixed",
            "--condition-after", "fair", "--follow-up", "2026-12-01", "--json", "--data-dir", data)
        #expect(logged.status == 0, "\(logged.stderr)")
        #expect(
            logged.stderr.contains("warning: guide violin-bridge-straighten asks for the training string-setup-check"))
        let id = try #require(try logged.json()["id"] as? String)
        #expect(fieldkit("repair", "amend", String(id.prefix(12)), "--minutes", "35", "--data-dir", data).status == 0)
        let shown = try fieldkit("repair", "show", id, "--json", "--data-dir", data).json()
        let values = try #require(shown["values"] as? [String: Any])
        #expect(values["minutes"] as? Int == 35)
        #expect(values["problem"] as? String == "Kam scheef")
        #expect(shown["amendments"] as? Int == 1)
        #expect((shown["history"] as? [Any])?.count == 1)
        let events = try FieldKitStoreAccess.events(in: data)
        #expect(events.filter { $0.type == "repair.logged" }.first?.payload["minutes"] == .int(20))
        let state = try fieldkit("instrument", "show", "LO-VN-004123", "--json", "--data-dir", data).json()
        #expect(state["condition"] as? String == "fair")
        #expect(state["lastService"] as? String == "2026-11-18")
        let status = try fieldkit("status", "--json", "--data-dir", data).json()
        #expect(status["repairs"] as? Int == 1)
        #expect(status["undelivered"] as? Int == 3)
        #expect(events.allSatisfy { $0.type == "device.initialised" || $0.bundle?.count == 64 })
    }

    @Test("a signed-off training is a competency, and the training warning goes away")
    func trainingCompetency() throws {
        let folder = TemporaryFolder("training")
        let data = device(folder)
        let recorded = fieldkit(
            "training", "record", "--checklist", "string-setup-check", "--trainer", "Rosa", "--trainee", "Anne",
            "--all-done", "--signed-off", "--json", "--data-dir", data)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let logged = fieldkit(
            "repair", "log", "LO-VN-004123", "--problem", "x", "--action", "y", "--guide", "violin-bridge-straighten",
            "--minutes", "5", "--outcome", "fixed", "--data-dir", data)
        #expect(logged.status == 0)
        #expect(!logged.stderr.contains("warning"))
        let list = fieldkit("training", "list", "--json", "--data-dir", data)
        let trainings = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(trainings.count == 1)
        #expect(((trainings[0]["values"] as? [String: Any])?["done"] as? [String])?.count == 13)
        // Names live apart from events: the event names ids only.
        let lines = try FieldKitStoreAccess.lines(in: data)
        #expect(!lines.contains { $0.contains("Rosa") })
    }

    @Test("loans change site and status with the previous values as basis; a swap is a return plus a loan")
    func loans() throws {
        let folder = TemporaryFolder("loans")
        let data = device(folder)
        #expect(fieldkit("loan", "out", "LO-VN-004123", "--to", "AMS-ZO-01", "--data-dir", data).status == 0)
        #expect(fieldkit("loan", "move", "LO-VN-004123", "--to", "BON-01", "--data-dir", data).status == 0)
        var state = try fieldkit("instrument", "show", "LO-VN-004123", "--json", "--data-dir", data).json()
        #expect(state["site"] as? String == "BON-01")
        #expect(state["status"] as? String == "in-use")
        #expect((state["conflicts"] as? [String: Any])?.isEmpty == true)
        #expect(fieldkit("loan", "return", "LO-VN-004123", "--data-dir", data).status == 0)
        state = try fieldkit("instrument", "show", "LO-VN-004123", "--json", "--data-dir", data).json()
        #expect(state["site"] as? String == "DEPOT" && state["status"] as? String == "at-depot")
        let events = try FieldKitStoreAccess.events(in: data).filter { $0.type.hasPrefix("loan.") }
        #expect(events.count == 3)
        #expect(events[1].basis == [events[0].id])
        #expect(Set(events[2].basis) == [events[0].id, events[1].id])
        let history = fieldkit("instrument", "history", "lo vn 4123", "--json", "--data-dir", data)
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["type"] as? String } == ["loan.out", "loan.moved", "loan.returned"])
    }

    @Test("a registered instrument gets a provisional tag and can be repaired and moved like any other")
    func registration() throws {
        let folder = TemporaryFolder("register")
        let data = device(folder)
        let registered = try fieldkit(
            "instrument", "register", "--type", "viool", "--maker", "Stentor", "--json", "--data-dir", data
        ).json()
        let tag = try #require(registered["tag"] as? String)
        #expect(tag.hasPrefix("P-"))
        #expect(
            fieldkit(
                "repair", "log", tag, "--problem", "p", "--action", "a", "--minutes", "5", "--outcome", "fixed",
                "--data-dir", data
            ).status == 0)
        #expect(fieldkit("loan", "move", tag, "--to", "BON-01", "--data-dir", data).status == 0)
        let state = try fieldkit("instrument", "show", tag, "--json", "--data-dir", data).json()
        #expect(state["provisional"] as? Bool == true)
        #expect(state["site"] as? String == "BON-01")
    }

    @Test("an audit records missing, unexpected and wrong-site instruments as one event")
    func audit() throws {
        let folder = TemporaryFolder("audit")
        let data = device(folder)
        let expected = try #require(
            try JSONSerialization.jsonObject(
                with: Data(
                    fieldkit("audit", "--site", "CUR-02", "--json", "--data-dir", data, "LO-XX-000001").stdout.utf8))
                as? [String: Any])
        let missing = try #require(expected["missing"] as? [String])
        #expect(!missing.isEmpty)
        let scanFile = folder.appending("scans.txt")
        try Data(
            (missing.dropFirst().map { $0.lowercased().replacingOccurrences(of: "-", with: " ") } + [
                "LO-VN-004123", "nonsense",
            ]).joined(separator: "\n").utf8
        )
        .write(to: URL(fileURLWithPath: scanFile))
        let result = try fieldkit("audit", "--site", "CUR-02", "--from", scanFile, "--json", "--data-dir", data).json()
        #expect(result["missing"] as? [String] == [missing[0]])
        #expect(result["unexpected"] as? [String] == ["NONSENSE"])
        #expect((result["wrongSite"] as? [[String: Any]])?.first?["tag"] as? String == "LO-VN-004123")
        #expect(try FieldKitStoreAccess.events(in: data).filter { $0.type == "audit.recorded" }.count == 2)
    }

    @Test("due lists follow-ups that have come and instruments long unserviced at the site")
    func due() throws {
        let folder = TemporaryFolder("due")
        let data = device(folder)
        #expect(fieldkit("loan", "out", "LO-VN-004123", "--to", "CUR-02", "--data-dir", data).status == 0)
        #expect(
            fieldkit(
                "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                "fixed", "--follow-up", "2026-11-18", "--data-dir", data
            ).status == 0)
        let report = try fieldkit("due", "--json", "--data-dir", data).json()
        #expect((report["followUps"] as? [[String: Any]])?.first?["tag"] as? String == "LO-VN-004123")
        #expect(!((report["overdue"] as? [[String: Any]])?.contains { $0["tag"] as? String == "LO-VN-004123" } ?? true))
    }

    @Test("a date more than a day ahead of every clock is accepted with a warning")
    func futureDate() throws {
        let folder = TemporaryFolder("future")
        let data = device(folder)
        let result = fieldkit(
            "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome", "fixed",
            "--date", "2027-02-01", "--data-dir", data)
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: 2027-02-01 is more than a day after 2026-11-20"))
    }

    @Test(
        "bad input is refused with a clear message, a sysexits code and an unchanged store",
        arguments: [
            (
                [
                    "repair", "log", "LO-VN-999999", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                    "fixed",
                ], 65, "error: no instrument \"LO-VN-999999\"; did you mean"
            ),
            (
                [
                    "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                    "fixed", "--guide", "no-guide",
                ], 65, "error: no guide \"no-guide\""
            ),
            (
                [
                    "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                    "fixed", "--part", "valve-oli",
                ], 65, "error: no part \"valve-oli\"; did you mean valve-oil"
            ),
            (
                [
                    "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes=-5", "--outcome",
                    "fixed",
                ], 64, "error: --minutes must be between 0 and 1440, not -5"
            ),
            (
                [
                    "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                    "mended",
                ], 64, "error: --outcome must be one of fixed, needs-depot, beyond-repair"
            ),
            (
                ["repair", "log", "LO-VN-004123", "--action", "a", "--minutes", "5", "--outcome", "fixed"], 64,
                "error: missing --problem"
            ),
            (["repair", "amend", "0123456789ab", "--minutes", "5"], 65, "error: no repair record \"0123456789ab\""),
            (
                ["training", "record", "--checklist", "no-such", "--trainer", "R", "--trainee", "A"], 65,
                "error: no checklist \"no-such\""
            ),
            (
                ["training", "record", "--checklist", "string-setup-check", "--trainer", "R"], 64,
                "error: missing --trainee"
            ),
            (
                [
                    "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                    "fixed", "--site", "XYZ-99",
                ], 65, "error: no site \"XYZ-99\""
            ),
            (["loan", "out", "LO-VN-004123", "--to", "NOWHERE"], 65, "error: no site \"NOWHERE\""),
            (["site", "use", "MARS-01"], 65, "error: no site \"MARS-01\""),
        ] as [([String], Int32, String)])
    func badInput(arguments: [String], status: Int32, message: String) throws {
        let folder = TemporaryFolder("bad")
        let data = device(folder)
        let before = try storeState(data)
        let result = fieldkit.run(arguments + ["--data-dir", data])
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(try storeState(data) == before)
    }

    @Test("a photo that is not a JPEG or PNG is refused; a real one is stored by its hash and listed")
    func photos() throws {
        let folder = TemporaryFolder("photos")
        let data = device(folder)
        let text = folder.appending("note.jpg")
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: text))
        let before = try storeState(data)
        let refused = fieldkit(
            "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome", "fixed",
            "--photo", text, "--data-dir", data)
        #expect(refused.status == 65)
        #expect(refused.stderr.hasPrefix("error: \(text) is not a JPEG or PNG photo"))
        #expect(try storeState(data) == before)
        let png = folder.appending("crack.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: URL(fileURLWithPath: png))
        let logged = fieldkit(
            "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome", "fixed",
            "--photo", png, "--json", "--data-dir", data)
        #expect(logged.status == 0)
        let id = try #require(try logged.json()["id"] as? String)
        let shown = fieldkit("repair", "show", id, "--data-dir", data)
        let hash = Hashing.sha256Hex(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]))
        #expect(shown.stdout.contains("photo: \(data)/blobs/\(hash)"))
        #expect(FileLayer.exists(data + "/blobs/" + hash))
    }
}

extension FieldRecordTests {
    @Test("a later repair's condition overrides an earlier one instead of making a conflict")
    func conditionSuccession() throws {
        let folder = TemporaryFolder("condition")
        let data = device(folder)
        for condition in ["poor", "good"] {
            let result = fieldkit(
                "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                "fixed",
                "--condition-after", condition, "--data-dir", data)
            #expect(result.status == 0)
        }
        let state = try fieldkit("instrument", "show", "LO-VN-004123", "--json", "--data-dir", data).json()
        #expect(state["condition"] as? String == "good")
        #expect((state["conflicts"] as? [String: Any])?.isEmpty == true)
    }

    @Test("an empty part id is a usage error, not a crash")
    func emptyPart() throws {
        let folder = TemporaryFolder("empty-part")
        let data = device(folder)
        for part in ["", ":", ":5"] {
            let result = fieldkit(
                "repair", "log", "LO-VN-004123", "--problem", "p", "--action", "a", "--minutes", "5", "--outcome",
                "fixed",
                "--part", part, "--data-dir", data)
            #expect(result.status == 64, "\(part)")
        }
    }

    @Test("a name given as trainer and trainee, or twice, is one person")
    func onePersonPerName() throws {
        let folder = TemporaryFolder("names")
        let data = device(folder)
        let result = fieldkit(
            "training", "record", "--checklist", "depot-intake", "--trainer", "Ana", "--trainee", "Ana", "--trainee",
            "Ana", "--trainee", "Bo", "--json", "--data-dir", data)
        #expect(result.status == 0, "\(result.stderr)")
        let event = try #require(try FieldKitStoreAccess.events(in: data).last)
        guard case .array(let trainees)? = event.payload["trainees"] else {
            Issue.record("no trainees")
            return
        }
        #expect(trainees.count == 2)
        #expect(event.payload["trainer"] == trainees[0])
    }
}

import FieldKitTestSupport
import Foundation
import Testing

/// What a lost stick gives away (the privacy issue): with sealing, nothing a person could read;
/// in the explicit unsealed mode, everything — so the check itself can fail.
@Suite("end to end: a lost stick holds no name, note or tag, and still verifies with stock tools")
struct PrivacyEndToEndTests {
    /// What must never be readable on a stick: persons' names, note text, instrument tags.
    static let secrets = [
        "Marieke Bosman", "Shurendy Martina", "Jaïr Rosalia", "Scheur in bovenblad", "Nieuwe stapel gezet",
        "LO-VN-004123",
    ]

    /// Everything under `folder`, files only.
    func files(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).map { folder + "/" + $0 }
            .filter { path in
                var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
            }
    }

    /// The secrets found in `data`.
    func found(in data: Data) -> Set<String> {
        Set(Self.secrets.filter { data.range(of: Data($0.utf8)) != nil })
    }

    /// The secrets anyone could read from the stick: in raw bytes, in what `zstd -d` gets out of
    /// any file, and in anything `tar --zstd -x` extracts from any file.
    func readable(on stick: String, scratch: TemporaryFolder) throws -> [String: Set<String>] {
        var readable: [String: Set<String>] = [:]
        for (index, file) in files(under: stick).enumerated() {
            let name = (file as NSString).lastPathComponent
            var seen = found(in: try Data(contentsOf: URL(fileURLWithPath: file)))
            let decompressed = try Tools.run("zstd", ["-d", "-c", "-q", file])
            seen.formUnion(found(in: Data(decompressed.stdout.utf8)))
            let out = scratch.appending("x-\(index)")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            _ = try Tools.run("tar", ["--zstd", "-xf", file, "-C", out])
            for extracted in files(under: out) {
                seen.formUnion(found(in: try Data(contentsOf: URL(fileURLWithPath: extracted))))
            }
            if !seen.isEmpty { readable[name] = seen }
        }
        return readable
    }

    struct Round {
        var folder: TemporaryFolder
        var stick: String
        var hq: [String]
        var devices: [[String]]
        /// The stick's readable secrets after the devices synced, and after headquarters answered.
        var afterSync: [String: Set<String>]
        var afterImport: [String: Set<String>]
        var imported: Tools.Outcome
        var synced: [Tools.Outcome]
        /// Each signed file on the stick after headquarters answered, and whether the stock
        /// `minisign -V` verified it with its signer's public key.
        var stockVerified: [String: Bool]
    }

    /// Headquarters and two laptops with named technicians record a repair with a note, a
    /// training with a trainee, and a move; the laptops sync to a stick and headquarters answers.
    func round(_ label: String, unsealed: Bool) throws -> Round {
        let folder = TemporaryFolder(label)
        let hq = ["--data-dir", folder.appending("hq")]
        let a = ["--data-dir", folder.appending("a")]
        let b = ["--data-dir", folder.appending("b")]
        let stick = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        #expect(try Tools.fieldkit(["hub", "init", "--root-out", folder.appending("root")] + hq).status == 0)
        let rootPub = folder.appending("root/root.pub")
        for (device, name, site, technician) in [
            (a, "laptop-a", "RTM-04", "Marieke Bosman"), (b, "laptop-b", "CUR-02", "Shurendy Martina"),
        ] {
            let made = try Tools.fieldkit(
                ["init", "--device", name, "--site", site, "--technician", technician, "--hq-root", rootPub] + device)
            #expect(made.status == 0, "\(made.stderr)")
        }
        var fingerprints: [String] = []
        for device in [a, b] {
            let enrol = try Tools.fieldkit(["enrol", "--to", stick, "--json"] + device)
            let fields = try JSONSerialization.jsonObject(with: Data(enrol.stdout.utf8)) as? [String: Any]
            fingerprints.append(try #require(fields?["fingerprint"] as? String))
        }
        let enrolled = try Tools.fieldkit(
            ["hub", "enrol", stick, "--fingerprint", fingerprints[0], "--fingerprint", fingerprints[1]] + hq)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        // The enrolment requests have done their work; what follows is what travels every week.
        try FileManager.default.removeItem(atPath: stick + "/fieldkit-sync/enrol")

        let repair = try Tools.fieldkit(
            [
                "repair", "log", "LO-VN-004123", "--problem", "Scheur in bovenblad bij f-gat", "--action",
                "Nieuwe stapel gezet", "--minutes", "40", "--outcome", "fixed",
            ] + b)
        #expect(repair.status == 0, "\(repair.stderr)")
        let training = try Tools.fieldkit(
            [
                "training", "record", "--checklist", "brass-valves-slides", "--trainer", "Shurendy Martina",
                "--trainee", "Jaïr Rosalia", "--done", "tell-valve-types",
            ] + b)
        #expect(training.status == 0, "\(training.stderr)")
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-004123", "--to", "CUR-02"] + a).status == 0)

        let mode = unsealed ? ["--unsealed"] : []
        for device in [a, b] {
            let sync = try Tools.fieldkit(["sync", stick] + mode + device)
            #expect(sync.status == 0, "\(sync.stderr)")
            #expect(sync.stderr.contains("WARNING: --unsealed") == unsealed)
        }
        let afterSync = try readable(on: stick, scratch: TemporaryFolder(label + "-x1"))
        let imported = try Tools.fieldkit(["hub", "import", stick, "--json"] + mode + hq)
        let afterImport = try readable(on: stick, scratch: TemporaryFolder(label + "-x2"))

        let keys = try Tools.fieldkit(["hub", "keys", "--json"] + hq)
        let fields = try JSONSerialization.jsonObject(with: Data(keys.stdout.utf8)) as? [String: Any]
        let signingPub = folder.appending("hq-signing.pub")
        try Data(try #require(fields?["signing"] as? String).utf8).write(to: URL(fileURLWithPath: signingPub))
        let idOfA = try deviceID(a)
        var stockVerified: [String: Bool] = [:]
        for file in files(under: stick) where file.hasSuffix(".sealed") || file.hasSuffix(".tar.zst") {
            let key =
                file.contains("/inbound/")
                ? signingPub : folder.appending(file.contains(idOfA) ? "a/keys/device.pub" : "b/keys/device.pub")
            stockVerified[(file as NSString).lastPathComponent] =
                try Tools.run("minisign", ["-V", "-p", key, "-m", file]).status == 0
        }
        let synced = try [a, b].map { try Tools.fieldkit(["sync", stick, "--json"] + $0) }
        return Round(
            folder: folder, stick: stick, hq: hq, devices: [a, b], afterSync: afterSync, afterImport: afterImport,
            imported: imported, synced: synced, stockVerified: stockVerified)
    }

    @Test("sealed by default: no name, note or tag in any byte, zstd or tar output; minisign verifies; hq imports")
    func sealedStick() throws {
        let round = try round("e2e-privacy-sealed", unsealed: false)
        #expect(round.afterSync.isEmpty, "readable after the laptops synced: \(round.afterSync)")
        #expect(round.afterImport.isEmpty, "readable after headquarters answered: \(round.afterImport)")
        #expect(round.imported.status == 0, "\(round.imported.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(round.imported.stdout.utf8)) as? [String: Any])
        let archives = try #require(report["archives"] as? [[String: Any]])
        #expect(archives.count == 2)
        #expect(archives.allSatisfy { $0["outcome"] as? String == "accepted" && $0["sealed"] as? Bool == true })

        // The stock minisign verifies every sealed archive and receipt without opening it.
        #expect(round.stockVerified.count == 4, "two archives and two receipts: \(round.stockVerified)")
        #expect(round.stockVerified.allSatisfy { $0.key.hasSuffix(".sealed") && $0.value }, "\(round.stockVerified)")

        // The laptops open their own receipts, and see each other's work.
        for synced in round.synced {
            #expect(synced.status == 0, "\(synced.stderr)")
            let result = try #require(
                try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [String: Any])
            let receipts = try #require(result["receipts"] as? [[String: Any]])
            #expect(receipts.map { $0["outcome"] as? String } == ["applied"])
            #expect(receipts.map { $0["sealed"] as? Bool } == [true])
        }
        let history = try Tools.fieldkit(["instrument", "history", "LO-VN-004123"] + round.devices[0])
        #expect(history.stdout.contains("repair"), "\(history.stdout)")
    }

    @Test("the explicit unsealed mode says so loudly, and its names, notes and tags are readable after decompression")
    func unsealedStick() throws {
        let round = try round("e2e-privacy-unsealed", unsealed: true)
        let seen = round.afterSync.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        #expect(seen == Set(Self.secrets), "the check finds what an unsealed stick gives away: \(round.afterSync)")
        #expect(round.imported.status == 0, "\(round.imported.stderr)")
        #expect(round.imported.stderr.contains("WARNING: --unsealed writes receipts"))
        #expect(round.afterImport.keys.contains { $0.hasPrefix("receipt-") }, "\(round.afterImport)")
    }

    @Test("an access export holds every event naming the person; erasure reaches the laptops and keeps every hash")
    func accessAndErasure() throws {
        let round = try round("e2e-privacy-gdpr", unsealed: false)
        let hubStore = round.folder.appending("hq/fieldkit.sqlite")
        let found = try Tools.fieldkit(["hub", "person", "find", "jair", "--json"] + round.hq)
        let matches = try #require(try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]])
        let id = try #require(matches.first?["id"] as? String, "\(found)")
        #expect(matches.first?["name"] as? String == "Jaïr Rosalia")

        // Every event that holds the id, counted by the stock sqlite3, is in the export.
        let out = round.folder.appending("export")
        let export = try Tools.fieldkit(["hub", "person", "export", id, "--out", out] + round.hq)
        #expect(export.status == 0, "\(export.stderr)")
        let counted = try Tools.run(
            "sqlite3", [hubStore, "SELECT count(*) FROM events WHERE instr(CAST(line AS TEXT), '\(id)') > 0"])
        let expected = try #require(Int(counted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(expected >= 1)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/person-\(id).json")))
                as? [String: Any])
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == expected)
        #expect((document["person"] as? [String: Any])?["name"] as? String == "Jaïr Rosalia")
        let csv = try String(contentsOfFile: out + "/person-\(id).csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").count == expected + 1, "a header and one row per event")
        let mode = try FileManager.default.attributesOfItem(atPath: out + "/person-\(id).json")[.posixPermissions]
        #expect(mode as? Int == 0o600)

        // Erasing asks for confirmation, then keeps every event and hash.
        let before = try Tools.fieldkit(["hub", "status", "--json"] + round.hq).stdout
        let unconfirmed = try Tools.fieldkit(["hub", "person", "erase", id] + round.hq)
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.stderr.contains("pass --yes"))
        #expect(try Tools.fieldkit(["hub", "person", "erase", id, "--yes"] + round.hq).status == 0)
        let after = try Tools.fieldkit(["hub", "status", "--json"] + round.hq).stdout
        func digest(_ text: String) throws -> String? {
            (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["stateDigest"] as? String
        }
        #expect(try digest(after) == (try digest(before)))
        let name = try Tools.run(
            "sqlite3", [hubStore, "SELECT coalesce(name, 'NULL'), erased FROM people WHERE id = '\(id)'"])
        #expect(name.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "NULL|1")

        // The laptop that recorded the training erases the name with its next receipt.
        let b = round.devices[1]
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-004123", "--to", "CUR-01"] + b).status == 0)
        #expect(try Tools.fieldkit(["sync", round.stick] + b).status == 0)
        #expect(try Tools.fieldkit(["hub", "import", round.stick] + round.hq).status == 0)
        #expect(try Tools.fieldkit(["sync", round.stick] + b).status == 0)
        let onLaptop = try Tools.run(
            "sqlite3",
            [
                round.folder.appending("b/fieldkit.sqlite"),
                "SELECT coalesce(name, 'NULL'), erased FROM people WHERE id = '\(id)'",
            ])
        #expect(onLaptop.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "NULL|1")
    }

    func deviceID(_ device: [String]) throws -> String {
        let shown = try Tools.fieldkit(["status", "--json"] + device)
        let fields = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        return try #require(fields?["device"] as? String)
    }
}

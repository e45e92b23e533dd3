import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: headquarters and two laptops exchange a stick")
struct SyncEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome)")
    }

    func files(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).map { folder + "/" + $0 }
            .filter { !FileManager.default.isDirectory($0) }
    }

    @Test("record, sync, import, sync, record more, sync, import, sync: each event once, stock tools verify every file")
    func twoLaptops() throws {
        let folder = TemporaryFolder("e2e-sync")
        let hq = ["--data-dir", folder.appending("hq")]
        let a = ["--data-dir", folder.appending("a")]
        let b = ["--data-dir", folder.appending("b")]
        let stick = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        let root = folder.appending("root")

        #expect(try Tools.fieldkit(["hub", "init", "--root-out", root] + hq).status == 0)
        let rootPub = root + "/root.pub"
        #expect(
            try Tools.fieldkit(["init", "--device", "laptop-a", "--site", "RTM-04", "--hq-root", rootPub] + a).status
                == 0)
        #expect(
            try Tools.fieldkit(["init", "--device", "laptop-b", "--site", "CUR-01", "--hq-root", rootPub] + b).status
                == 0)
        var fingerprints: [String] = []
        for device in [a, b] {
            let enrol = try json(try Tools.fieldkit(["enrol", "--to", stick, "--json"] + device))
            fingerprints.append(try #require(enrol["fingerprint"] as? String))
        }
        let refused = try Tools.fieldkit(["hub", "enrol", stick] + hq)
        #expect(refused.status == 65, "not on a terminal, unconfirmed requests are not accepted")
        let enrolled = try Tools.fieldkit(
            ["hub", "enrol", stick, "--fingerprint", fingerprints[0], "--fingerprint", fingerprints[1]] + hq)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")

        // Day one: A moves a violin to Curaçao, B repairs one there.
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-01"] + a).status == 0)
        let repair = try Tools.fieldkit(
            [
                "repair", "log", "LO-VN-000001", "--problem", "Kam verschoven", "--action", "Kam rechtgezet",
                "--minutes", "10",
                "--outcome", "fixed",
            ] + b)
        #expect(repair.status == 0, "\(repair.stderr)")
        for device in [a, b] {
            let sync = try Tools.fieldkit(["sync", stick] + device)
            #expect(sync.status == 0, "\(sync.stderr)")
            #expect(sync.stdout.contains("It is safe to remove the stick."))
        }
        let dry = try Tools.fieldkit(["sync", stick, "--dry-run"] + a)
        #expect(dry.stdout.contains("archive(s) waiting for headquarters"))

        // Stock tools check what fieldkit wrote.
        let archives = files(under: stick + "/fieldkit-sync/outbound").filter { $0.hasSuffix(".sealed") }
        #expect(archives.count == 2)
        for (device, pub) in [(a, folder.appending("a/keys/device.pub")), (b, folder.appending("b/keys/device.pub"))] {
            let shown = try Tools.fieldkit(["key", "show"] + device)
            #expect(shown.stdout.contains(try String(contentsOfFile: pub, encoding: .utf8).split(separator: "\n")[1]))
        }
        for archive in archives {
            let owner = archive.contains(try deviceID(folder.appending("a"))) ? "a" : "b"
            let verified = try Tools.run(
                "minisign", ["-V", "-p", folder.appending("\(owner)/keys/device.pub"), "-m", archive])
            #expect(verified.status == 0, "\(verified.stderr)")
            // Sealed: the stock tools see no tar and no zstd frame in it.
            #expect(try Tools.run("tar", ["--zstd", "-tf", archive]).status != 0)
        }

        let imported = try json(try Tools.fieldkit(["hub", "import", stick, "--json"] + hq))
        #expect(
            (imported["archives"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["accepted", "accepted"])
        let keys = try json(try Tools.fieldkit(["hub", "keys", "--json"] + hq))
        let signingPub = folder.appending("hq-signing.pub")
        try Data(try #require(keys["signing"] as? String).utf8).write(to: URL(fileURLWithPath: signingPub))
        let receipts = files(under: stick + "/fieldkit-sync/inbound").filter { $0.hasSuffix(".sealed") }
        #expect(receipts.count == 2)
        for receipt in receipts {
            #expect(try Tools.run("minisign", ["-V", "-p", signingPub, "-m", receipt]).status == 0)
            #expect(
                try Tools.run(
                    "minisign",
                    ["-V", "-p", rootPub, "-m", (receipt as NSString).deletingLastPathComponent + "/trust.json"]
                ).status == 0)
            #expect(try Tools.run("tar", ["--zstd", "-tf", receipt]).status != 0)
        }

        for device in [a, b] { #expect(try Tools.fieldkit(["sync", stick] + device).status == 0) }
        #expect(files(under: stick + "/fieldkit-sync/outbound").isEmpty, "no acknowledged archive stays on the stick")
        let seenByA = try Tools.fieldkit(["instrument", "history", "LO-VN-000001"] + a)
        #expect(seenByA.stdout.contains("repair"), "A sees B's repair of the violin it moved: \(seenByA.stdout)")

        // Day two: B moves it on; A sees that too.
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-02"] + b).status == 0)
        for device in [a, b] { #expect(try Tools.fieldkit(["sync", stick] + device).status == 0) }
        #expect(try Tools.fieldkit(["hub", "import", stick] + hq).status == 0)
        for device in [a, b] { #expect(try Tools.fieldkit(["sync", stick] + device).status == 0) }
        let shownByA = try json(try Tools.fieldkit(["instrument", "show", "LO-VN-000001", "--json"] + a))
        #expect(shownByA["site"] as? String == "CUR-02")

        for device in [a, b] {
            let status = try json(try Tools.fieldkit(["status", "--json"] + device))
            #expect(status["undelivered"] as? Int == 0)
        }
        let hub = try json(try Tools.fieldkit(["hub", "status", "--json"] + hq))
        #expect(hub["events"] as? Int == 5, "two inits, a move, a repair and a move: each once")
        #expect((hub["stateDigest"] as? String)?.count == 64)
        let devices = try #require(hub["devices"] as? [[String: Any]])
        #expect(devices.allSatisfy { ($0["gaps"] as? [Any])?.isEmpty == true })
        #expect(files(under: stick + "/fieldkit-sync/outbound").isEmpty)
    }

    func deviceID(_ data: String) throws -> String {
        let shown = try Tools.fieldkit(["status", "--json", "--data-dir", data])
        return try #require(try json(shown)["device"] as? String)
    }
}

extension FileManager {
    fileprivate func isDirectory(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }
}

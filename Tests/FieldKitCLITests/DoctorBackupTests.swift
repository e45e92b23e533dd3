import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("fieldkit doctor, backup and restore")
struct DoctorBackupTests {
    let clock = TestClock()
    let ids = CountingIDs()
    var fieldkit: CLIHarness { CLIHarness(environment: .test(clock: clock, ids: ids)) }

    func initialised(_ folder: TemporaryFolder) -> String {
        let data = folder.appending("device")
        let result = fieldkit(
            "init", "--data-dir", data, "--device", "bus-1", "--site", "CUR-02", "--technician", "Anne")
        precondition(result.status == 0, result.stderr)
        return data
    }

    @Test("doctor passes a fresh device")
    func healthy() throws {
        let folder = TemporaryFolder("doctor")
        let data = initialised(folder)
        let result = fieldkit("doctor", "--json", "--data-dir", data)
        #expect(result.status == 0)
        let report = try result.json()
        #expect(report["healthy"] as? Bool == true)
        #expect((report["findings"] as? [Any])?.isEmpty == true)
    }

    @Test("doctor lists a secret key others may read and exits 65")
    func keyPermissions() throws {
        let folder = TemporaryFolder("doctor-perm")
        let data = initialised(folder)
        chmod(data + "/keys/device.key", 0o640)
        let result = fieldkit("doctor", "--data-dir", data)
        #expect(result.status == 65)
        #expect(result.stdout.contains("problem: \(data)/keys/device.key has mode 640; it must be 600"))
    }

    @Test("doctor reports a store file that is no longer SQLite and exits 65")
    func corruptedStore() throws {
        let folder = TemporaryFolder("doctor-corrupt")
        let data = initialised(folder)
        for suffix in ["-wal", "-shm"] { unlink(data + "/fieldkit.sqlite" + suffix) }
        try Data(repeating: 0x5a, count: 16384).write(to: URL(fileURLWithPath: data + "/fieldkit.sqlite"))
        let result = fieldkit("doctor", "--data-dir", data)
        #expect(result.status == 65)
        #expect(result.stdout.contains("problem: the store \(data)/fieldkit.sqlite is damaged"))
    }

    @Test("doctor finds one damaged page in a store that is still SQLite and exits 65")
    func damagedPage() throws {
        let folder = TemporaryFolder("doctor-page")
        let data = initialised(folder)
        let store = data + "/fieldkit.sqlite"
        try DamagedPage.damageIndex(of: store)
        let result = fieldkit("doctor", "--data-dir", data)
        #expect(result.status == 65, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.contains("problem: the store \(store) is damaged: SQLite found a damaged page in it"),
            "\(result.stdout)")
        #expect(result.stderr.contains("restore the latest backup"), "\(result.stderr)")
    }

    @Test("doctor warns, without failing, about a clock before 2020 or behind the newest event")
    func clockWarnings() throws {
        let folder = TemporaryFolder("doctor-clock")
        let data = initialised(folder)
        clock.set(Date(timeIntervalSince1970: 0))
        let result = fieldkit("doctor", "--json", "--data-dir", data)
        #expect(result.status == 0)
        let warnings = try #require(try result.json()["warnings"] as? [String])
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("before 2020") })
        #expect(warnings.contains { $0.contains("earlier than the newest event") })
    }

    @Test("a backup restores as a new device with every event, marked undelivered, and no secret key inside")
    func backupRestore() throws {
        let folder = TemporaryFolder("backup")
        let data = initialised(folder)
        let out = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let backup = fieldkit("backup", "--json", "--to", out, "--data-dir", data)
        #expect(backup.status == 0, "\(backup.stderr)")
        let file = try #require(try backup.json()["file"] as? String)
        #expect((file as NSString).lastPathComponent.hasPrefix("fieldkit-backup-"))

        // Independent checks: the stock tools list and verify it, and no secret key is inside.
        let listing = try Tools.run("tar", ["--zstd", "-tf", file])
        #expect(
            listing.stdout.split(separator: "\n") == [
                "manifest.json", "fieldkit.sqlite", "keys/device.pub", "keys/sealing.pub",
            ])
        let stock = try Tools.run("minisign", ["-V", "-p", data + "/keys/device.pub", "-m", file])
        #expect(stock.status == 0, "\(stock.stderr)")
        let secret = try String(contentsOfFile: data + "/keys/device.key", encoding: .utf8).split(separator: "\n")[1]
        let unpacked = try Tools.run("sh", ["-c", "zstd -dc '\(file)' | grep -c '\(secret)' || true"])
        #expect(unpacked.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        let old = try fieldkit("status", "--json", "--data-dir", data).json()
        let target = folder.appending("restored")
        let restore = fieldkit("restore", file, "--json", "--data-dir", target)
        #expect(restore.status == 0, "\(restore.stderr)")
        let new = try fieldkit("status", "--json", "--data-dir", target).json()
        #expect(new["device"] as? String != old["device"] as? String)
        #expect(new["predecessor"] as? String == old["device"] as? String)
        #expect(new["events"] as? Int == 2)
        #expect(new["undelivered"] as? Int == 2)
        #expect(new["site"] as? String == "CUR-02")
        #expect(fieldkit("doctor", "--data-dir", target).status == 0)
    }

    @Test("restore refuses a changed byte, a missing signature and a non-empty folder, leaving the folder as it was")
    func restoreRefusals() throws {
        let folder = TemporaryFolder("restore-bad")
        let data = initialised(folder)
        let out = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = try #require(
            try fieldkit("backup", "--json", "--to", out, "--data-dir", data).json()["file"] as? String)
        let original = try Data(contentsOf: URL(fileURLWithPath: file))

        var changed = original
        changed[changed.count / 2] ^= 0x01
        try changed.write(to: URL(fileURLWithPath: file))
        let tampered = fieldkit("restore", file, "--data-dir", folder.appending("t1"))
        #expect(tampered.status == 65)
        #expect(tampered.stderr.contains("the signature does not match the file"))
        #expect(!FileLayer.exists(folder.appending("t1")))

        try original.write(to: URL(fileURLWithPath: file))
        try FileManager.default.moveItem(atPath: file + ".minisig", toPath: file + ".sig-aside")
        let unsigned = fieldkit("restore", file, "--data-dir", folder.appending("t2"))
        #expect(unsigned.status == 65)
        #expect(unsigned.stderr.contains("is incomplete: its signature"))
        try FileManager.default.moveItem(atPath: file + ".sig-aside", toPath: file + ".minisig")

        let busy = folder.appending("t3")
        try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: busy + "/notes.txt"))
        let nonEmpty = fieldkit("restore", file, "--data-dir", busy)
        #expect(nonEmpty.status == 73)
        #expect(FileLayer.list(busy) == ["notes.txt"])

        let other = folder.appending("other")
        #expect(fieldkit("key", "generate", "--out", other).status == 0)
        let wrongKey = fieldkit("restore", file, "--pub", other + ".pub", "--data-dir", folder.appending("t4"))
        #expect(wrongKey.status == 65)
        #expect(!FileLayer.exists(folder.appending("t4")))
    }

    @Test("restore refuses a backup whose store has a damaged page, and leaves no folder behind")
    func restoreDamagedPage() throws {
        let folder = TemporaryFolder("restore-damaged")
        let data = initialised(folder)
        try DamagedPage.damageIndex(of: data + "/fieldkit.sqlite")
        let out = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // The backup copies the pages as they are (it is signed, so only the store can be wrong).
        let backup = fieldkit("backup", "--json", "--to", out, "--data-dir", data)
        #expect(backup.status == 0, "\(backup.stderr)")
        let file = try #require(try backup.json()["file"] as? String)
        let target = folder.appending("restored")
        let restore = fieldkit("restore", file, "--data-dir", target)
        #expect(restore.status == 65, "\(restore.stderr)")
        #expect(restore.stderr.contains("is damaged: SQLite"), "\(restore.stderr)")
        #expect(restore.stderr.contains("restore the latest backup"), "\(restore.stderr)")
        #expect(!FileLayer.exists(target))
    }

    @Test("a restored device writes under its own id, never reusing the old device's seqs")
    func successorOwnLog() throws {
        let folder = TemporaryFolder("successor")
        let data = initialised(folder)
        let out = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = try #require(
            try fieldkit("backup", "--json", "--to", out, "--data-dir", data).json()["file"] as? String)
        let target = folder.appending("restored")
        #expect(fieldkit("restore", file, "--data-dir", target).status == 0)
        let store = try FieldKitStoreAccess.events(in: target)
        let newID = try #require(try fieldkit("status", "--json", "--data-dir", target).json()["device"] as? String)
        let oldID = try #require(try fieldkit("status", "--json", "--data-dir", data).json()["device"] as? String)
        #expect(store.filter { $0.device == oldID }.map(\.seq) == [1])
        #expect(store.filter { $0.device == newID }.map(\.seq) == [1])
        #expect(store.first { $0.device == newID }?.type == "device.restored")
    }
}

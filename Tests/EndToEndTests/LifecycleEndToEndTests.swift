import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: trust over time — a published bundle, a rotation, a revocation, an update from a stick")
struct LifecycleEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome)")
    }

    /// Headquarters and one enrolled laptop at CUR-01, with a stick.
    struct Setting {
        let folder: TemporaryFolder
        let hq: [String]
        let laptop: [String]
        let stick: String
        let root: String

        init(_ label: String) throws {
            folder = TemporaryFolder(label)
            hq = ["--data-dir", folder.appending("hq")]
            laptop = ["--data-dir", folder.appending("laptop")]
            stick = folder.appending("stick")
            root = folder.appending("root")
            try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
            let made = try Tools.fieldkit(["hub", "init", "--root-out", root] + hq)
            #expect(made.status == 0, "\(made.stderr)")
            let initialised = try Tools.fieldkit(
                ["init", "--device", "laptop", "--site", "CUR-01", "--hq-root", root + "/root.pub"] + laptop)
            #expect(initialised.status == 0, "\(initialised.stderr)")
            let request = try Tools.fieldkit(["enrol", "--to", stick, "--json"] + laptop)
            let data = try #require(try JSONSerialization.jsonObject(with: Data(request.stdout.utf8)) as? [String: Any])
            let fingerprint = try #require(data["fingerprint"] as? String)
            let enrolled = try Tools.fieldkit(
                ["hub", "enrol", stick, "--fingerprint", fingerprint, "--by", "Marit"] + hq)
            #expect(enrolled.status == 0, "\(enrolled.stderr)")
        }

        /// Packs `Bundles/` with headquarters' signing key and trust files into `release/`.
        func packBundle() throws -> String {
            let bundle = folder.appending("release/fieldkit-bundle.tar.zst")
            let packed = try Tools.fieldkit(
                [
                    "bundle", "pack", Repository.path("Bundles"), "--key", folder.appending("hq/keys/device.key"),
                    "--trust", folder.appending("hq/trust"), "--out", bundle,
                ])
            #expect(packed.status == 0, "\(packed.stderr)")
            return bundle
        }

        /// Logs a repair on the laptop.
        func logRepair() throws {
            let logged = try Tools.fieldkit(
                [
                    "repair", "log", "LO-VN-000001", "--problem", "snaar", "--action", "nieuwe snaar", "--minutes", "5",
                    "--outcome", "fixed",
                ] + laptop)
            #expect(logged.status == 0, "\(logged.stderr)")
        }

        /// laptop sync → hub import → laptop sync.
        @discardableResult
        func roundTrip() throws -> Tools.Outcome {
            let out = try Tools.fieldkit(["sync", stick] + laptop)
            #expect(out.status == 0, "\(out.stderr)")
            let imported = try Tools.fieldkit(["hub", "import", stick] + hq)
            #expect(imported.status == 0, "\(imported.stderr)")
            return try Tools.fieldkit(["sync", stick, "--json"] + laptop)
        }
    }

    @Test("a bundle published at headquarters reaches the laptop through its next receipt and is installed")
    func publishedBundle() throws {
        let setting = try Setting("e2e-publish")
        let bundle = try setting.packBundle()
        let published = try Tools.fieldkit(["hub", "publish", bundle] + setting.hq)
        #expect(published.status == 0, "\(published.stderr)")
        let again = try Tools.fieldkit(["hub", "publish", bundle] + setting.hq)
        #expect(again.status == 65, "the same version again is not newer")
        #expect(again.stderr.contains("not newer"))

        try setting.logRepair()
        let back = try json(try setting.roundTrip())
        let result = try #require(back["bundleResult"] as? [String: Any], "\(back)")
        #expect(result["outcome"] as? String == "installed")
        let status = try json(try Tools.fieldkit(["status", "--json"] + setting.laptop))
        let shown = try #require(status["bundle"] as? String)
        #expect(shown.hasPrefix("version ") && !shown.contains("development"), "\(shown)")
        let twice = try json(try setting.roundTrip())
        #expect((twice["bundleResult"] as? [String: Any])?["outcome"] as? String == "already installed")
    }

    @Test("hub rotate and hub revoke from the command line; hub status shows each device's state")
    func rotateAndRevoke() throws {
        let setting = try Setting("e2e-rotate")
        let noKeys = try Tools.fieldkit(["hub", "rotate", "--root-key", setting.root + "/root.key"] + setting.hq)
        #expect(noKeys.status == 64)
        let wrongRoot = setting.folder.appending("other")
        #expect(try Tools.fieldkit(["key", "generate", "--out", wrongRoot]).status == 0)
        let refused = try Tools.fieldkit(["hub", "rotate", "--root-key", wrongRoot + ".key", "--signing"] + setting.hq)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("not headquarters' current root"))
        let newRoot = setting.folder.appending("new-root")
        #expect(try Tools.fieldkit(["key", "generate", "--out", newRoot]).status == 0)
        let rotated = try json(
            try Tools.fieldkit(
                [
                    "hub", "rotate", "--root-key", setting.root + "/root.key", "--signing", "--root", newRoot + ".key",
                    "--json",
                ]
                    + setting.hq))
        #expect(rotated["version"] as? Int == 2)
        #expect(rotated["rootChanged"] as? Bool == true)

        // A bundle packed under the new root, installed by hand on a laptop still pinned to the old one.
        let other = ["--data-dir", setting.folder.appending("other-laptop")]
        #expect(
            try Tools.fieldkit(["init", "--device", "other", "--hq-root", setting.root + "/root.pub"] + other).status
                == 0)
        let pinnedBefore = try json(try Tools.fieldkit(["status", "--json"] + other))["hqRoot"] as? String
        let bundle = try setting.packBundle()
        let installed = try Tools.fieldkit(["bundle", "install", bundle] + other)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("handover"))
        let pinnedAfter = try json(try Tools.fieldkit(["status", "--json"] + other))["hqRoot"] as? String
        #expect(pinnedAfter != nil && pinnedAfter != pinnedBefore)
        let handovers = try FileManager.default.contentsOfDirectory(atPath: setting.folder.appending("release"))
            .filter { $0.hasPrefix("trust-handover-") }
        for name in handovers {
            try FileManager.default.removeItem(atPath: setting.folder.appending("release/" + name))
        }
        let third = ["--data-dir", setting.folder.appending("third-laptop")]
        #expect(
            try Tools.fieldkit(["init", "--device", "third", "--hq-root", setting.root + "/root.pub"] + third).status
                == 0)
        let unlinked = try Tools.fieldkit(["bundle", "install", bundle] + third)
        #expect(unlinked.status == 65, "without the handover a new root is not trusted")
        #expect(unlinked.stderr.contains("not by the pinned root"), "\(unlinked.stderr)")

        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-01"] + setting.laptop).status == 0)
        let back = try json(try setting.roundTrip())
        let receipts = try #require(back["receipts"] as? [[String: Any]])
        #expect(receipts.first?["outcome"] as? String == "applied", "\(receipts)")
        #expect(receipts.first?["trustVersion"] as? Int == 2)
        #expect(receipts.first?["newRoot"] as? String != nil)

        let device = try #require(back["device"] as? String)
        let unknown = try Tools.fieldkit(["hub", "revoke", "0123456789abcdef", "--after-seq", "3"] + setting.hq)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("is not enrolled"))
        let revoked = try Tools.fieldkit(
            ["hub", "revoke", device, "--after-seq", "2", "--reason", "gestolen"] + setting.hq)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let status = try Tools.fieldkit(["hub", "status"] + setting.hq)
        #expect(status.stdout.contains("revoked after seq 2 (gestolen)"), "\(status.stdout)")
        #expect(status.stdout.contains("by Marit"))
        #expect(try Tools.fieldkit(["loan", "move", "LO-VN-000001", "--to", "CUR-02"] + setting.laptop).status == 0)
        #expect(try Tools.fieldkit(["sync", setting.stick] + setting.laptop).status == 0)
        let imported = try Tools.fieldkit(["hub", "import", setting.stick] + setting.hq)
        #expect(imported.status == 65)
        #expect(imported.stderr.contains("revoked"), "\(imported.stderr)")
    }

    /// A headquarters with one repair merged and its receipt delivered, backed up with `hub
    /// backup` (after `damage`, when given, has had its go at the store) and restored with `hub
    /// restore` into `hq2`: the setting and what the restore said.
    func backedUpAndRestored(_ label: String, damage: ((String) throws -> Void)? = nil) throws -> (
        Setting, Tools.Outcome
    ) {
        let setting = try Setting(label)
        try setting.logRepair()
        try setting.roundTrip()
        try damage?(setting.folder.appending("hq/fieldkit.sqlite"))
        let target = setting.folder.appending("backup")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let backup = try json(try Tools.fieldkit(["hub", "backup", "--to", target, "--json"] + setting.hq))
        let file = try #require(backup["file"] as? String)
        let restored = try Tools.fieldkit(
            [
                "hub", "restore", file, "--root", setting.root + "/root.pub", "--data-dir",
                setting.folder.appending("hq2"),
            ])
        return (setting, restored)
    }

    @Test(
        "keys and trust statement left apart, as an interrupted rotation leaves them, stop hub import, backup, release and serve with 65 until hub rotate runs"
    )
    func keysApartFromTrust() throws {
        let setting = try Setting("e2e-keys-apart")
        try setting.logRepair()
        #expect(try Tools.fieldkit(["sync", setting.stick] + setting.laptop).status == 0)
        let hq = setting.folder.appending("hq")
        let stray = setting.folder.appending("stray")
        #expect(try Tools.fieldkit(["key", "generate", "--out", stray]).status == 0)
        for suffix in ["key", "pub"] {
            try FileManager.default.removeItem(atPath: hq + "/keys/device." + suffix)
            try FileManager.default.copyItem(atPath: stray + "." + suffix, toPath: hq + "/keys/device." + suffix)
        }
        let expected = """
            error: headquarters' folder is inconsistent: the trust statement in \(hq)/trust does not name the signing key in \(hq)/keys
            hint: run 'fieldkit hub rotate' again with the root key, or restore the last hub backup

            """
        let out = setting.folder.appending("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let before = try json(try Tools.fieldkit(["hub", "status", "--json"] + setting.hq))["stateDigest"] as? String
        for command in [
            ["hub", "import", setting.stick], ["hub", "backup", "--to", out],
            ["hub", "release", Tools.fieldkitBinary, "--version", "99.0.0", "--to", out],
        ] {
            let refused = try Tools.fieldkit(command + setting.hq)
            #expect(refused.status == 65, "\(command): \(refused.stderr)")
            #expect(refused.stderr == expected, "\(command)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
        // The server does not start (`timeout` ends it if it wrongly does).
        let serve = try Tools.run(
            "timeout", ["60", Tools.fieldkitBinary, "hub", "serve", "--listen", "127.0.0.1:0"] + setting.hq)
        #expect(serve.status == 65, "\(serve.stderr)")
        #expect(serve.stderr == expected)
        let after = try json(try Tools.fieldkit(["hub", "status", "--json"] + setting.hq))["stateDigest"] as? String
        #expect(before != nil && after == before, "nothing was merged")

        let rotated = try Tools.fieldkit(
            ["hub", "rotate", "--root-key", setting.root + "/root.key", "--signing"] + setting.hq)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let imported = try Tools.fieldkit(["hub", "import", setting.stick] + setting.hq)
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    @Test("hub release refuses a --to folder that holds the very file being released, and leaves it as it was")
    func releaseOverItself() throws {
        let setting = try Setting("e2e-release-itself")
        let folder = setting.folder.appending("release")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tools.fieldkitBinary, toPath: folder + "/fieldkit")
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/fieldkit"))
        let refused = try Tools.fieldkit(
            ["hub", "release", folder + "/fieldkit", "--version", "99.0.0", "--to", folder] + setting.hq)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr == "error: invalid --to \(folder): it holds the executable being released\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/fieldkit")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["fieldkit"])
    }

    @Test("hub backup and hub restore from the command line give the same state digest")
    func backupRestore() throws {
        let (setting, restored) = try backedUpAndRestored("e2e-hub-backup")
        #expect(restored.status == 0, "\(restored.stderr)")
        let before = try json(try Tools.fieldkit(["hub", "status", "--json"] + setting.hq))
        let after = try json(
            try Tools.fieldkit(["hub", "status", "--json", "--data-dir", setting.folder.appending("hq2")]))
        #expect(before["stateDigest"] as? String == after["stateDigest"] as? String)
        #expect((before["stateDigest"] as? String) != nil)

        // Restoring again into the folder just filled is refused, and changes nothing there.
        let hq2 = setting.folder.appending("hq2")
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: setting.folder.appending("backup")).first {
                !$0.hasSuffix(".minisig")
            })
        let again = try Tools.fieldkit(
            [
                "hub", "restore", setting.folder.appending("backup/" + file), "--root", setting.root + "/root.pub",
                "--data-dir", hq2,
            ])
        #expect(again.status == 73, "\(again.stderr)")
        #expect(
            again.stderr == """
                error: the data folder \(hq2) is not empty
                hint: restore into a new, empty --data-dir

                """)
        let unchanged = try json(try Tools.fieldkit(["hub", "status", "--json", "--data-dir", hq2]))
        #expect(unchanged["stateDigest"] as? String == after["stateDigest"] as? String)
    }

    @Test("hub restore refuses a backup whose store has a damaged page, and leaves no folder behind")
    func restoreDamagedPage() throws {
        let (setting, restored) = try backedUpAndRestored("e2e-hub-backup-damaged", damage: DamagedPage.damageIndex)
        #expect(restored.status == 65, "\(restored.stderr)")
        #expect(restored.stderr.contains("is damaged: SQLite"), "\(restored.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setting.folder.appending("hq2")))
    }

    @Test(
        "update swaps in a newer signed executable and keeps the old one; unsigned, foreign, older and failed ones change nothing"
    )
    func update() throws {
        let setting = try Setting("e2e-update")
        let installed = setting.folder.appending("bin/fieldkit")
        try FileManager.default.createDirectory(
            atPath: setting.folder.appending("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tools.fieldkitBinary, toPath: installed)
        let original = try Data(contentsOf: URL(fileURLWithPath: installed))
        // The release: other bytes than the installed one (bytes after an ELF's end change
        // nothing in how it runs). A release of the very bytes installed is already in place.
        let newer = setting.folder.appending("new/fieldkit")
        try FileManager.default.createDirectory(
            atPath: setting.folder.appending("new"), withIntermediateDirectories: true)
        try (original + Data("fieldkit test release\n".utf8)).write(to: URL(fileURLWithPath: newer))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: newer)
        func update(_ release: String, environment: [String: String]? = nil) throws -> Tools.Outcome {
            try Tools.run(
                installed, ["update", release + "/fieldkit"] + setting.laptop,
                environment: environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } })
        }
        func release(_ version: String, into name: String, hq: [String]? = nil) throws -> String {
            let folder = setting.folder.appending(name)
            let made = try Tools.fieldkit(
                ["hub", "release", newer, "--version", version, "--to", folder] + (hq ?? setting.hq))
            #expect(made.status == 0, "\(made.stderr)")
            return folder
        }
        let version = try Tools.run(installed, ["--version"])
        #expect(version.stdout.hasPrefix("fieldkit "))
        #expect(version.stdout.contains("bundle "))
        #expect(version.stdout.contains("trust statement "))

        let older = try update(try release("0.0.1", into: "older"))
        #expect(older.status == 65)
        #expect(older.stderr.contains("not newer"), "\(older.stderr)")

        let unsigned = try release("99.0.0", into: "unsigned")
        try FileManager.default.removeItem(atPath: unsigned + "/fieldkit.minisig")
        #expect(try update(unsigned).status == 65)

        let tampered = try release("99.0.0", into: "tampered")
        let handle = try #require(FileHandle(forUpdatingAtPath: tampered + "/fieldkit"))
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data([0x90, 0x90]))
        try handle.close()
        #expect(try update(tampered).status == 65)

        let elsewhere = setting.folder.appending("elsewhere")
        #expect(
            try Tools.fieldkit(["hub", "init", "--root-out", elsewhere + "-root", "--data-dir", elsewhere]).status == 0)
        let otherHQ = try update(try release("99.0.0", into: "other-hq", hq: ["--data-dir", elsewhere]))
        #expect(otherHQ.status == 65)
        #expect(otherHQ.stderr.contains("pinned root"), "\(otherHQ.stderr)")

        let made = try Tools.fieldkit(
            [
                "hub", "release", Tools.fieldkitBinary, "--version", "99.0.0", "--machine", "riscv64", "--to",
                setting.folder.appending("other-machine"),
            ] + setting.hq)
        #expect(made.status == 0)
        let otherMachine = try update(setting.folder.appending("other-machine"))
        #expect(otherMachine.status == 65)
        #expect(otherMachine.stderr.contains("for riscv64"), "\(otherMachine.stderr)")

        let good = try release("99.0.0", into: "good")
        let failed = try update(good, environment: ["FIELDKIT_TEST_FAULT": "update-swap"])
        #expect(failed.status != 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: installed)) == original)
        #expect(try Tools.run(installed, ["--version"]).status == 0, "the old one still works")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: setting.folder.appending("bin")).allSatisfy {
                !$0.hasPrefix(".fieldkit-update-")
            })

        let swapped = try update(good)
        #expect(swapped.status == 0, "\(swapped.stderr)")
        #expect(swapped.stdout.contains("to 99.0.0"))
        #expect(FileManager.default.fileExists(atPath: installed + ".previous"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: installed + ".previous")) == original)
        #expect(try Tools.run(installed, ["--version"]).status == 0)

        // Run again (as after a power cut just past the swap): nothing changes, the old one stays kept.
        let again = try update(good)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "\(installed) is already this release (99.0.0); nothing changed.\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: installed + ".previous")) == original)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: installed)) == (try Data(contentsOf: URL(fileURLWithPath: newer)))
        )
    }
}

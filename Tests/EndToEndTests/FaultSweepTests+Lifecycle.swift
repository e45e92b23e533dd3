import FieldKitTestSupport
import Foundation
import Testing

/// The sweep of `FaultSweepTests` over the commands that fill or replace a whole thing at once:
/// `restore`, `hub restore`, `bundle install` and `update`.
extension FaultSweepTests {
    /// A laptop enrolled at headquarters with one repair delivered and one not, from the
    /// lifecycle tests' setting.
    func lifecycleWorld(_ label: String) throws -> LifecycleEndToEndTests.Setting {
        let setting = try LifecycleEndToEndTests.Setting(label)
        try setting.logRepair()
        try setting.roundTrip()
        try setting.logRepair()
        return setting
    }

    /// `status --json` of a device folder, as far as it must come out the same (not the new
    /// device id and keys a restore makes each time).
    func deviceState(_ folder: String) throws -> [String: String] {
        let status = try json(["status", "--data-dir", folder])
        return Dictionary(
            uniqueKeysWithValues: ["events", "undelivered", "people", "repairs", "trainings", "predecessor", "bundle"]
                .map { ($0, "\(status[$0] ?? "")") })
    }

    /// A start folder with a backup in `backup/`, made by `command` (`backup` or `hub backup`
    /// and its data folder); returns the folder and the backup's file name.
    func backupStart(_ setting: LifecycleEndToEndTests.Setting, _ command: [String]) throws -> (String, String) {
        let start = setting.folder.appending("start")
        try FileManager.default.createDirectory(atPath: start + "/backup", withIntermediateDirectories: true)
        let made = try json(command + ["--to", start + "/backup"])
        let file = try #require(made["file"] as? String)
        return (start, (file as NSString).lastPathComponent)
    }

    /// Whether a restore into `folder` got past its last step: its store is there, its marker gone.
    func restoreFinished(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/fieldkit.sqlite")
            && !FileManager.default.fileExists(atPath: folder + "/.restoring")
    }

    @Test(
        "restore, stopped anywhere or failing any disk call, then run again: the same history on the new device",
        arguments: [Fault.stop, .failingDisk, .failingStore])
    func restoreSweep(fault: Fault) throws {
        let setting = try lifecycleWorld("e2e-fault-restore")
        let (start, name) = try backupStart(setting, ["backup"] + setting.laptop)
        let stopped = try sweep(
            "restore", fault: fault, start: start, scratch: setting.folder,
            command: { ["restore", $0 + "/backup/" + name, "--data-dir", $0 + "/new"] },
            state: { world in
                var state = try deviceState(world + "/new")
                state["names"] = try names(world + "/new").joined(separator: " ")
                state["hidden"] = FileLayerNames.hidden(world + "/new")
                return state
            }, doctor: { ["doctor", "--data-dir", $0 + "/new"] }, finished: { restoreFinished($0 + "/new") })
        #expect(stopped >= (fault == .stop ? 8 : 4), "the sweep stopped restore only \(stopped) times")
    }

    @Test(
        "hub restore, stopped anywhere or failing any disk call, then run again: the same state digest",
        arguments: [Fault.stop, .failingDisk, .failingStore])
    func hubRestoreSweep(fault: Fault) throws {
        let setting = try lifecycleWorld("e2e-fault-hub-restore")
        let (start, name) = try backupStart(setting, ["hub", "backup"] + setting.hq)
        try copy(setting.root + "/root.pub", to: start + "/root.pub")
        let digest = try #require(try json(["hub", "status"] + setting.hq)["stateDigest"] as? String)
        let stopped = try sweep(
            "hub-restore", fault: fault, start: start, scratch: setting.folder,
            command: {
                ["hub", "restore", $0 + "/backup/" + name, "--root", $0 + "/root.pub", "--data-dir", $0 + "/hq"]
            },
            state: { world in
                let status = try json(["hub", "status", "--data-dir", world + "/hq"])
                return [
                    "digest": "\(status["stateDigest"] ?? "")",
                    "names": try names(world + "/hq").joined(separator: " "),
                    "hidden": FileLayerNames.hidden(world + "/hq"),
                ]
            }, doctor: { ["doctor", "--data-dir", $0 + "/hq"] }, finished: { restoreFinished($0 + "/hq") })
        #expect(stopped >= (fault == .stop ? 8 : 4), "the sweep stopped hub restore only \(stopped) times")
        let restored = try json([
            "hub", "status", "--data-dir", setting.folder.appending("hub-restore-\(fault)-reference/hq"),
        ])
        #expect(restored["stateDigest"] as? String == digest, "the restored headquarters is the one backed up")
    }

    @Test(
        "bundle install, stopped anywhere or failing the store's writes, then run again: the bundle in force and the store as after one clean install",
        arguments: [Fault.stop, .failingStore])
    func bundleInstallSweep(fault: Fault) throws {
        let setting = try lifecycleWorld("e2e-fault-bundle")
        let bundle = try setting.packBundle()
        let start = setting.folder.appending("start")
        try FileManager.default.createDirectory(atPath: start, withIntermediateDirectories: true)
        try copy(setting.folder.appending("laptop"), to: start + "/laptop")
        try copy((bundle as NSString).deletingLastPathComponent, to: start + "/release")
        let name = (bundle as NSString).lastPathComponent
        let stopped = try sweep(
            "bundle-install", fault: fault, start: start, scratch: setting.folder,
            command: { ["bundle", "install", $0 + "/release/" + name, "--data-dir", $0 + "/laptop"] },
            state: { world in
                var state = try deviceState(world + "/laptop")
                let guides = try Tools.fieldkit(["guide", "list", "--json", "--data-dir", world + "/laptop"])
                state["guides"] = guides.status == 0 ? guides.stdout : "exit \(guides.status): \(guides.stderr)"
                let found = try Tools.fieldkit([
                    "instrument", "show", "LO-VN-000001", "--json", "--data-dir", world + "/laptop",
                ])
                state["instrument"] = found.status == 0 ? found.stdout : "exit \(found.status): \(found.stderr)"
                return state
            }, doctor: { ["doctor", "--data-dir", $0 + "/laptop"] })
        #expect(stopped >= (fault == .stop ? 1 : 50), "the sweep stopped bundle install only \(stopped) times")
    }

    @Test(
        "update, stopped anywhere or failing any disk call, then run again: the new executable in place, the old one kept",
        arguments: [Fault.stop, .failingDisk])
    func updateSweep(fault: Fault) throws {
        let setting = try lifecycleWorld("e2e-fault-update")
        let start = setting.folder.appending("start")
        // Small stand-ins for the executables: `--executable` names the one to replace, and
        // what is swapped is bytes, checked against headquarters' signature.
        try FileManager.default.createDirectory(atPath: start + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: setting.folder.appending("new"), withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho old\n".utf8).write(to: URL(fileURLWithPath: start + "/bin/fieldkit"))
        try Data("#!/bin/sh\necho new\n".utf8).write(to: URL(fileURLWithPath: setting.folder.appending("new/fieldkit")))
        let released = try Tools.fieldkit(
            [
                "hub", "release", setting.folder.appending("new/fieldkit"), "--version", "99.0.0", "--to",
                start + "/release",
            ]
                + setting.hq)
        try #require(released.status == 0, "\(released.stderr)")
        try copy(setting.folder.appending("laptop"), to: start + "/laptop")
        let stopped = try sweep(
            "update", fault: fault, start: start, scratch: setting.folder,
            command: {
                [
                    "update", $0 + "/release/fieldkit", "--executable", $0 + "/bin/fieldkit", "--data-dir",
                    $0 + "/laptop",
                ]
            },
            state: { world in
                let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "missing" }
                return [
                    "executable": read(world + "/bin/fieldkit"), "previous": read(world + "/bin/fieldkit.previous"),
                    "names": try names(world + "/bin").joined(separator: " "),
                    "hidden": FileLayerNames.hidden(world + "/bin"),
                ]
            }, doctor: { ["doctor", "--data-dir", $0 + "/laptop"] })
        #expect(stopped >= (fault == .stop ? 6 : 4), "the sweep stopped update only \(stopped) times")
        let reference = setting.folder.appending("update-\(fault)-reference/bin")
        #expect(try String(contentsOfFile: reference + "/fieldkit", encoding: .utf8) == "#!/bin/sh\necho new\n")
        #expect(
            try String(contentsOfFile: reference + "/fieldkit.previous", encoding: .utf8) == "#!/bin/sh\necho old\n")
    }
}

/// The hidden names a command left in a folder, which a finished command must not leave: temp
/// files, staging folders, the restore marker. The folder's lock file is not counted.
enum FileLayerNames {
    static func hidden(_ folder: String) -> String {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix(".") && $0 != ".lock"
        }
        .sorted().joined(separator: " ")
    }
}

extension FaultSweepTests {
    @Test("a folder holding a stopped restore is refused by every other command, and the restore run again fills it")
    func stoppedRestoreRefused() throws {
        let setting = try lifecycleWorld("e2e-stopped-restore")
        let out = setting.folder.appending("backup")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = try #require(try json(["backup", "--to", out] + setting.laptop)["file"] as? String)
        let target = setting.folder.appending("new")
        // Stopped dead once the store copy is written, before the store is made.
        let stopped = try Tools.fieldkit(
            ["restore", file, "--data-dir", target],
            environment: ProcessInfo.processInfo.environment.merging(["FIELDKIT_FAULT": "file.renamed:1"]) { $1 })
        try #require(stopped.status == 86, "\(stopped.stderr)")
        #expect(FileManager.default.fileExists(atPath: target + "/.restoring"))
        for command in [["status"], ["doctor"], ["repair", "list"], ["sync", setting.stick]] {
            let refused = try Tools.fieldkit(command + ["--data-dir", target])
            #expect(refused.status == 66, "\(command): \(refused.stderr)")
            #expect(
                refused.stderr == """
                    error: \(target) holds a restore that was stopped before it finished
                    hint: run the same 'fieldkit restore' (or 'fieldkit hub restore') again: it clears the folder and starts over

                    """, "\(command)")
        }
        let again = try Tools.fieldkit(["restore", file, "--data-dir", target])
        #expect(again.status == 0, "\(again.stderr)")
        let original = try json(["status"] + setting.laptop)
        let restored = try json(["status", "--data-dir", target])
        #expect(restored["events"] as? Int == (original["events"] as? Int).map { $0 + 1 }, "its log and the restore")
        #expect(restored["predecessor"] as? String == original["device"] as? String)
        #expect(!FileManager.default.fileExists(atPath: target + "/.restoring"))
    }
}

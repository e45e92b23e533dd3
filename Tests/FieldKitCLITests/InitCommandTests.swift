import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("fieldkit init, status and key")
struct InitCommandTests {
    let fieldkit = CLIHarness()

    @Test("init makes the store and keys, secret files mode 600, and prints the fingerprint")
    func initialises() throws {
        let folder = TemporaryFolder("init")
        let data = folder.appending("device")
        let result = fieldkit(
            "init", "--data-dir", data, "--device", "atelier-bus-1", "--site", "ams-zo-01", "--technician", "Anne")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileLayer.exists(data + "/fieldkit.sqlite"))
        #expect(try FileLayer.permissions(of: data + "/keys/device.key") == 0o600)
        #expect(try FileLayer.permissions(of: data + "/keys/sealing.key") == 0o600)
        let fingerprint = fieldkit("key", "show", "--fingerprint", "--data-dir", data).stdout
        #expect(result.stdout.contains("Fingerprint: \(fingerprint)"))

        let status = try fieldkit("status", "--json", "--data-dir", data).json()
        #expect(status["name"] as? String == "atelier-bus-1")
        #expect(status["site"] as? String == "AMS-ZO-01")
        #expect(status["events"] as? Int == 1)
        #expect(status["undelivered"] as? Int == 1)
        #expect(status["fingerprint"] as? String == fingerprint)
        #expect((status["device"] as? String)?.count == 16)
        #expect((status["lastEvent"] as? [String: Any])?["type"] as? String == "device.initialised")
    }

    @Test("init on a folder that holds a store refuses with exit 73 and changes nothing")
    func refusesExistingStore() throws {
        let folder = TemporaryFolder("init-twice")
        #expect(fieldkit("init", "--data-dir", folder.path, "--device", "one").status == 0)
        let before = snapshot(of: folder.path)
        let result = fieldkit("init", "--data-dir", folder.path, "--device", "two")
        #expect(result.status == 73)
        #expect(
            result.stderr == """
                error: a fieldkit store already exists at \(folder.path)/fieldkit.sqlite
                hint: use another --data-dir, or keep working with the existing store
                """)
        #expect(snapshot(of: folder.path) == before)
    }

    @Test("init where no folder can be made fails with a message and leaves nothing")
    func unwritableFolder() {
        let result = fieldkit("init", "--data-dir", "/proc/fieldkit-test/device", "--device", "x")
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("error: cannot write /proc/fieldkit-test/device"))
        #expect(!FileLayer.exists("/proc/fieldkit-test"))
    }

    @Test("init with a bad site code or an unreadable root key is a usage or input error")
    func badInput() {
        let folder = TemporaryFolder("init-bad")
        let site = fieldkit("init", "--data-dir", folder.appending("a"), "--device", "x", "--site", "AMS ZO/01")
        #expect(site.status == 64)
        #expect(site.stderr.contains("invalid site code \"AMS ZO/01\""))
        let root = fieldkit(
            "init", "--data-dir", folder.appending("b"), "--device", "x", "--hq-root", folder.appending("none.pub"))
        #expect(root.status == 66)
        #expect(!FileLayer.exists(folder.appending("a")) && !FileLayer.exists(folder.appending("b")))
        #expect(fieldkit("init", "--data-dir", folder.appending("c")).status == 64)
    }

    @Test("init pins a root key given with --hq-root and status shows its fingerprint")
    func pinsRoot() throws {
        let folder = TemporaryFolder("init-root")
        #expect(fieldkit("key", "generate", "--out", folder.appending("root")).status == 0)
        let data = folder.appending("device")
        #expect(
            fieldkit("init", "--data-dir", data, "--device", "x", "--hq-root", folder.appending("root.pub")).status == 0
        )
        let status = try fieldkit("status", "--json", "--data-dir", data).json()
        let root = try DeviceKeys.loadPublicKey(folder.appending("root.pub"))
        #expect(status["hqRoot"] as? String == root.fingerprint)
    }

    @Test("commands on a folder with no store say how to make one (exit 66)")
    func missingStore() {
        let folder = TemporaryFolder("missing")
        let result = fieldkit("status", "--data-dir", folder.appending("nowhere"))
        #expect(result.status == 66)
        #expect(
            result.stderr == """
                error: \(folder.appending("nowhere")) holds no fieldkit store
                hint: run 'fieldkit init --device NAME' first, or pass the right --data-dir
                """)
    }

    @Test("the data folder comes from --data-dir, else FIELDKIT_HOME, else the XDG folder")
    func dataFolderResolution() throws {
        let folder = TemporaryFolder("home")
        let harness = CLIHarness(environment: .test(variables: ["FIELDKIT_HOME": folder.appending("fk")]))
        #expect(harness("init", "--device", "x").status == 0)
        #expect(FileLayer.exists(folder.appending("fk/fieldkit.sqlite")))
        #expect(try DataFolder.resolve(explicit: nil, variables: ["HOME": "/h"]) == "/h/.local/share/fieldkit")
        #expect(
            try DataFolder.resolve(explicit: nil, variables: ["XDG_DATA_HOME": "/x", "HOME": "/h"]) == "/x/fieldkit")
        #expect(try DataFolder.resolve(explicit: "/d", variables: ["FIELDKIT_HOME": "/f"]) == "/d")
    }

    @Test("a second process on the same data folder is refused with exit 75 while the first holds it")
    func secondProcess() throws {
        let folder = TemporaryFolder("busy")
        #expect(fieldkit("init", "--data-dir", folder.path, "--device", "x").status == 0)
        do {
            let holder = try FolderLock(folder: folder.path)
            let result = fieldkit("status", "--data-dir", folder.path)
            #expect(result.status == 75)
            #expect(result.stderr.contains("another fieldkit process is using the data folder"))
            withExtendedLifetime(holder) {}
        }
        #expect(fieldkit("status", "--data-dir", folder.path).status == 0)
    }
}

import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: the built fieldkit binary")
struct FoundationEndToEndTests {
    @Test("init, status, key show, backup and restore work from the binary, and minisign verifies the backup")
    func deviceLifecycle() throws {
        let folder = TemporaryFolder("e2e")
        let data = folder.appending("device")
        let initialised = try Tools.fieldkit(["init", "--data-dir", data, "--device", "bus-2", "--site", "BON-01"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let status = try Tools.fieldkit(["status", "--json", "--data-dir", data])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(report["site"] as? String == "BON-01")
        let pub = try Tools.fieldkit(["key", "show", "--data-dir", data])
        #expect(pub.stdout.hasPrefix("untrusted comment: minisign public key "))
        try Data(pub.stdout.utf8).write(to: URL(fileURLWithPath: folder.appending("device.pub")))

        let stick = folder.appending("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
        #expect(try Tools.fieldkit(["backup", "--to", stick, "--data-dir", data]).status == 0)
        let file = try #require(
            FileManager.default.contentsOfDirectory(atPath: stick).first { $0.hasSuffix(".tar.zst") })
        let stock = try Tools.run("minisign", ["-V", "-p", folder.appending("device.pub"), "-m", stick + "/" + file])
        #expect(stock.status == 0, "\(stock.stderr)")
        let restored = try Tools.fieldkit(["restore", stick + "/" + file, "--data-dir", folder.appending("new")])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try Tools.fieldkit(["doctor", "--data-dir", folder.appending("new")]).status == 0)
    }

    @Test("errors go to stderr as 'error:' and 'hint:' lines with a sysexits status")
    func errorContract() throws {
        let folder = TemporaryFolder("e2e-errors")
        let result = try Tools.fieldkit(["status", "--data-dir", folder.appending("none")])
        #expect(result.status == 66)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("\nhint: "))
        let usage = try Tools.fieldkit(["init", "--data-dir", folder.appending("x")])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--device"))
    }
}

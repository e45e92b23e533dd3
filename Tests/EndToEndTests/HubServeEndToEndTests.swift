import FieldKitTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `fieldkit hub serve` as a real process on 127.0.0.1 with a port the system picked.
final class ServeProcess: Sendable {
    let process: Process
    let url: String
    let errors: Pipe

    init(_ hq: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tools.fieldkitBinary)
        process.arguments = ["hub", "serve", "--listen", "127.0.0.1:0"] + hq
        let out = Pipe()
        errors = Pipe()
        process.standardOutput = out
        process.standardError = errors
        try process.run()
        // The first line says where uploads are taken.
        var line = Data()
        while !line.contains(0x0A) {
            let piece = out.fileHandleForReading.availableData
            guard !piece.isEmpty else { break }
            line.append(piece)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://127.0.0.1:") else {
            process.terminate()
            throw ServeFailure(description: "hub serve did not start: \(text)")
        }
        url = String(text[range.lowerBound...].prefix { !$0.isWhitespace })
        self.process = process
    }

    /// SIGTERM, then the exit status and what it wrote on stderr.
    func stop() -> (status: Int32, stderr: String) {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    struct ServeFailure: Error, CustomStringConvertible {
        var description: String
    }
}

@Suite("end to end: the hub server, a laptop syncing over HTTP, curl as a second client, the coordinator's relay")
struct HubServeEndToEndTests {
    typealias Setting = LifecycleEndToEndTests.Setting

    func json(_ outcome: Tools.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome)")
    }

    /// A second laptop at EHV-02, enrolled through a folder of its own.
    func secondLaptop(_ setting: Setting) throws -> [String] {
        let laptop = ["--data-dir", setting.folder.appending("second")]
        let made = try Tools.fieldkit(
            ["init", "--device", "second", "--site", "EHV-02", "--hq-root", setting.root + "/root.pub"] + laptop)
        #expect(made.status == 0, "\(made.stderr)")
        let folder = setting.folder.appending("second-enrol")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let request = try json(try Tools.fieldkit(["enrol", "--to", folder, "--json"] + laptop))
        let fingerprint = try #require(request["fingerprint"] as? String)
        let enrolled = try Tools.fieldkit(["hub", "enrol", folder, "--fingerprint", fingerprint] + setting.hq)
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        return laptop
    }

    @Test("a laptop syncs with the hub by URL and installs the published bundle; curl uploads and checks health")
    func laptopAndCurl() throws {
        let setting = try Setting("e2e-serve")
        let published = try Tools.fieldkit(["hub", "publish", try setting.packBundle()] + setting.hq)
        #expect(published.status == 0, "\(published.stderr)")
        let second = try secondLaptop(setting)
        try setting.logRepair()
        let server = try ServeProcess(setting.hq)

        let health = try Tools.run("curl", ["-sS", "--fail", server.url + "/v1/health"])
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stdout.contains("\"status\":\"ok\""), "\(health.stdout)")

        let synced = try Tools.fieldkit(["sync", server.url, "--json"] + setting.laptop)
        #expect(synced.status == 0, "\(synced.stderr)")
        let report = try json(synced)
        let uploads = try #require(report["uploads"] as? [[String: Any]])
        #expect(uploads.map { $0["outcome"] as? String } == ["accepted"])
        #expect((report["bundleResult"] as? [String: Any])?["outcome"] as? String == "installed", "\(report)")
        #expect((report["after"] as? [String: Any])?["undelivered"] as? Int == 0)
        let text = try Tools.fieldkit(["sync", server.url] + setting.laptop)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("headquarters has acknowledged every event of this device"), "\(text.stdout)")

        // The second laptop's archive, written onto the stick and uploaded by curl.
        let repaired = try Tools.fieldkit(
            [
                "repair", "log", "LO-VN-000002", "--problem", "stapel", "--action", "gelijmd", "--minutes", "20",
                "--outcome", "fixed",
            ] + second)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(try Tools.fieldkit(["sync", setting.stick] + second).status == 0)
        let outbound = setting.stick + "/fieldkit-sync/outbound"
        let archive = try #require(
            FileManager.default.subpaths(atPath: outbound)?.first { $0.hasSuffix(".sealed") }.map {
                outbound + "/" + $0
            })
        let signature = try Data(contentsOf: URL(fileURLWithPath: archive + ".minisig")).base64EncodedString()
        let curl = [
            "-sS", "-X", "POST", "--data-binary", "@" + archive, "-H", "FieldKit-Signature: " + signature,
            "-H", "Content-Type: application/octet-stream", "-w", "\n%{http_code}", server.url + "/v1/archives",
        ]
        let upload = try Tools.run("curl", curl)
        #expect(upload.status == 0, "\(upload.stderr)")
        #expect(upload.stdout.hasSuffix("\n200"), "\(upload.stdout)")
        #expect(upload.stdout.contains("\"outcome\":\"accepted\""), "\(upload.stdout)")
        let again = try Tools.run("curl", curl)
        #expect(again.stdout.contains("\"outcome\":\"already imported\""), "\(again.stdout)")
        // One bit changed on the way: the signature no longer matches; nothing is stored.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count - 1] ^= 0x01
        let damaged = setting.folder.appending("damaged.sealed")
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let forged = try Tools.run(
            "curl",
            [
                "-sS", "-X", "POST", "--data-binary", "@" + damaged, "-H", "FieldKit-Signature: " + signature,
                "-w", "\n%{http_code}", server.url + "/v1/archives",
            ])
        #expect(forged.stdout.hasSuffix("\n422"), "\(forged.stdout)")
        #expect(
            forged.stdout.contains("\"message\":\"the archive does not verify against an enrolled laptop's key\""),
            "\(forged.stdout)")

        let hub = try json(try Tools.fieldkit(["hub", "status", "--json"] + setting.hq))
        #expect(hub["events"] as? Int == 4, "each laptop's init and repair, each once")

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("fieldkit hub: stopped"))

        let unreachable = try Tools.fieldkit(["sync", "http://127.0.0.1:1"] + setting.laptop)
        #expect(unreachable.status == 69)
        #expect(
            unreachable.stderr.contains("error: cannot reach the hub at http://127.0.0.1:1"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("fieldkit sync /media/stick"))
    }

    @Test("a coordinator relays two laptops' archives from a stick and brings their receipts back onto it")
    func relay() throws {
        let setting = try Setting("e2e-relay")
        let second = try secondLaptop(setting)
        try setting.logRepair()
        let repaired = try Tools.fieldkit(
            [
                "repair", "log", "LO-VN-000002", "--problem", "hals", "--action", "gelijmd", "--minutes", "30",
                "--outcome", "fixed",
            ] + second)
        #expect(repaired.status == 0, "\(repaired.stderr)")
        for laptop in [setting.laptop, second] {
            let synced = try Tools.fieldkit(["sync", setting.stick] + laptop)
            #expect(synced.status == 0, "\(synced.stderr)")
        }
        let server = try ServeProcess(setting.hq)
        defer { _ = server.stop() }

        // The coordinator's machine has no fieldkit data folder at all.
        let coordinator = ["--data-dir", setting.folder.appending("coordinator")]
        let relayed = try Tools.fieldkit(["sync", setting.stick, "--hub", server.url] + coordinator)
        #expect(relayed.status == 0, "\(relayed.stderr)")
        let lines = relayed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Relay between \(setting.stick) and \(server.url):")
        #expect(lines.filter { $0.contains("uploaded 1 archive(s) (2 event(s) accepted, 0 already held)") }.count == 2)
        #expect(lines.filter { $0.contains("waiting on the stick") }.count == 2)
        #expect(lines.last == "It is safe to remove the stick.")
        #expect(!FileManager.default.fileExists(atPath: setting.folder.appending("coordinator")))

        for laptop in [setting.laptop, second] {
            let synced = try Tools.fieldkit(["sync", setting.stick] + laptop)
            #expect(synced.status == 0, "\(synced.stderr)")
            #expect(
                synced.stdout.contains(": applied; headquarters holds every event through seq 2"), "\(synced.stdout)")
            let status = try json(try Tools.fieldkit(["status", "--json"] + laptop))
            #expect(status["undelivered"] as? Int == 0)
        }
        let outbound = setting.stick + "/fieldkit-sync/outbound"
        #expect(
            (FileManager.default.subpaths(atPath: outbound) ?? []).filter { $0.hasSuffix(".sealed") }.isEmpty,
            "acknowledged archives left the stick")
    }
}

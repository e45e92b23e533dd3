import FieldKitTestSupport
import Foundation
import Testing

@Suite("end to end: fieldkit tour, checked through the --json views of the folder it kept")
struct TourEndToEndTests {
    func json(_ outcome: Tools.Outcome) throws -> Any {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
    }

    func object(_ arguments: [String]) throws -> [String: Any] {
        try #require(try json(try Tools.fieldkit(arguments)) as? [String: Any], "\(arguments)")
    }

    func list(_ arguments: [String]) throws -> [[String: Any]] {
        try #require(try json(try Tools.fieldkit(arguments)) as? [[String: Any]], "\(arguments)")
    }

    /// Runs the tour with no network but loopback where a network namespace of its own can be
    /// made (as root, as in CI), else as it is.
    func tour(_ arguments: [String], environment: [String: String] = [:]) throws -> Tools.Outcome {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let isolated = try? Tools.run("unshare", ["--net", "sh", "-c", "ip link set lo up"])
        guard isolated?.status == 0 else {
            #expect(getuid() != 0, "as root the tour runs without a network: \(isolated?.stderr ?? "no unshare")")
            return try Tools.run(Tools.fieldkitBinary, arguments, environment: merged)
        }
        return try Tools.run(
            "unshare",
            ["--net", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"", Tools.fieldkitBinary] + arguments,
            environment: merged)
    }

    @Test("the tour runs offline and leaves a folder where every step's outcome can be checked")
    func keptFolder() throws {
        let folder = TemporaryFolder("e2e-tour")
        let kept = folder.appending("kept")
        let outcome = try tour(["tour", "--keep", kept])
        #expect(outcome.status == 0, "\(outcome.stderr)\n\(outcome.stdout)")
        #expect(outcome.stdout.contains("Everything is kept in \(kept)"))
        for step in 1...11 { #expect(outcome.stdout.contains("\n\(step). "), "step \(step) is told") }
        let hq = ["--data-dir", kept + "/hq"]
        let amsterdam = ["--data-dir", kept + "/amsterdam"]
        let curacao = ["--data-dir", kept + "/curacao"]

        // Enrolled by fingerprint, every event delivered and acknowledged.
        let hub = try object(["hub", "status", "--json"] + hq)
        let devices = try #require(hub["devices"] as? [[String: Any]])
        #expect(Set(devices.compactMap { $0["name"] as? String }) == ["atelier-ams", "atelier-cur"])
        #expect(devices.allSatisfy { $0["acceptedBy"] as? String == "Marit Jansen" })
        for (device, name, repairs, trainings) in [(amsterdam, "atelier-ams", 1, 0), (curacao, "atelier-cur", 0, 1)] {
            let status = try object(["status", "--json"] + device)
            #expect(status["undelivered"] as? Int == 0, "\(name): \(status)")
            #expect(status["repairs"] as? Int == repairs)
            #expect(status["trainings"] as? Int == trainings)
            let held = devices.first { $0["name"] as? String == name }
            #expect(held?["through"] as? Int == held?["highest"] as? Int)
            #expect(held?["gaps"] as? [Any] != nil && (held?["gaps"] as? [Any])?.isEmpty == true)
        }

        // The repair with its photo.
        let repairs = try list(["repair", "list", "--json"] + amsterdam)
        #expect(repairs.count == 1)
        let values = try #require(repairs.first?["values"] as? [String: Any])
        #expect(repairs.first?["tag"] as? String == "LO-VN-000108")
        #expect((values["photos"] as? [String])?.count == 1)

        // The concurrent move: a conflict at headquarters, decided, and both laptops follow.
        #expect(try list(["hub", "conflicts", "--json"] + hq).isEmpty)
        for device in [amsterdam, curacao] {
            let violin = try object(["instrument", "show", "LO-VN-000430", "--json"] + device)
            #expect(violin["site"] as? String == "DEPOT")
            #expect((violin["conflicts"] as? [String: Any])?.isEmpty == true)
            #expect(violin["provisional"] as? Bool == false)
            #expect(try list(["conflicts", "--json"] + device).isEmpty)
        }
        let cello = try object(["instrument", "show", "LO-VC-000033", "--json"] + curacao)
        #expect(cello["site"] as? String == "CUR-02")

        // The report's numbers.
        let report = try object(["hub", "report", "--format", "json"] + hq)
        let repairRows = try #require(report["repairs"] as? [[String: Any]])
        #expect(repairRows.map { $0["count"] as? Int } == [1])
        #expect(repairRows.first?["site"] as? String == "AMS-ZO-01")
        #expect(repairRows.first?["minutes"] as? Int == 20)
        let training = try #require(report["training"] as? [[String: Any]])
        #expect(training.map { $0["sessions"] as? Int } == [1])
        #expect(training.first?["region"] as? String == "Curaçao")
        let synced = try #require(report["devices"] as? [[String: Any]])
        #expect(synced.count == 2)
        #expect(synced.allSatisfy { $0["openConflicts"] as? Int == 0 && $0["daysSinceSync"] as? Int == 0 })

        // The stick: acknowledged archives cleared, and nothing on it readable.
        let stick = kept + "/stick"
        let files = try FileManager.default.subpathsOfDirectory(atPath: stick)
        #expect(!files.contains { $0.hasSuffix(".sealed") && $0.contains("outbound/") }, "\(files)")
        for file in files where !FileManager.default.isFolder(stick + "/" + file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: stick + "/" + file))
            for secret in ["Anne de Vries", "Shurendy Martina", "Jaïr Isenia", "LO-VN-000108"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) readable in \(file)")
            }
        }
        #expect(try Tools.fieldkit(["doctor"] + amsterdam).status == 0)
        #expect(try Tools.fieldkit(["doctor"] + curacao).status == 0)
    }

    @Test("without --keep the tour leaves nothing behind; --json lists its steps; a used folder is refused")
    func scratchAndRefusal() throws {
        let folder = TemporaryFolder("e2e-tour-scratch")
        let temporary = folder.appending("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let outcome = try tour(["tour", "--json"], environment: ["TMPDIR": temporary])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(summary["folder"] == nil || summary["folder"] is NSNull)
        let steps = try #require(summary["steps"] as? [[String: Any]])
        #expect(steps.count == 11)
        let commands = steps.flatMap { $0["commands"] as? [String] ?? [] }
        #expect(commands.contains { $0.hasPrefix("fieldkit hub conflicts resolve LO-VN-000430/site --keep ") })
        #expect(commands.contains { $0.hasPrefix("fieldkit sync http://127.0.0.1:") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty, "the scratch folder is gone")

        let used = folder.appending("used")
        try FileManager.default.createDirectory(atPath: used, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: used + "/note.txt"))
        let refused = try Tools.fieldkit(["tour", "--keep", used])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("is not an empty folder"), "\(refused.stderr)")
    }
}

extension FileManager {
    fileprivate func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }
}

import FieldKitTestSupport
import Foundation
import Testing

/// Stops a real `fieldkit` at every fault point it reaches (`FIELDKIT_FAULT=NAME:N`, exit 86,
/// as a power cut would), or fails its N-th write, fsync or rename (`FIELDKIT_IO_FAULT`, as a
/// full disk would), runs the same command again, and checks that it completes, that `doctor`
/// finds the folder whole, and that the outcome equals a run that was never stopped.
@Suite("end to end: a command stopped dead at any fault point completes when run again, losing nothing")
struct FaultSweepTests {
    struct Points: Decodable {
        struct Point: Decodable { var name: String }
        var honoured: Bool
        var exitStatus: Int32
        var points: [Point]
        var ioFaults: [String]
    }

    /// What the sweep does to the command: stop it dead at a fault point, fail a disk call of
    /// the file layer, or fail a write or sync SQLite makes under the store.
    enum Fault {
        case stop
        case failingDisk
        case failingStore

        var variable: String { self == .stop ? "FIELDKIT_FAULT" : "FIELDKIT_IO_FAULT" }

        func names(_ listed: Points) -> [String] {
            switch self {
            case .stop: listed.points.map(\.name)
            case .failingDisk: listed.ioFaults.filter { !$0.hasPrefix("store-") }
            case .failingStore: listed.ioFaults.filter { $0.hasPrefix("store-") }
            }
        }

        /// The counts to try at each point: every one for the file layer, and for SQLite's first
        /// 40 calls (all of a small command's), then a fifth more each time, as SQLite writes a
        /// page at a time and a bundle install makes thousands of writes.
        var counts: [Int] {
            guard self == .failingStore else { return Array(1...60) }
            return Array(1...40) + sequence(first: 48) { $0 < 100_000 ? $0 * 6 / 5 : nil }
        }

        /// How many runs in a row must finish unstopped before the sweep takes the count as past
        /// the last call: SQLite's calls at closing (a checkpoint) may fail without the command
        /// failing, so one unstopped run does not mean there are no more calls.
        var unstoppedToEnd: Int { self == .failingStore ? 4 : 1 }
    }

    func points() throws -> Points {
        let listed = try Tools.fieldkit(["fault-points", "--json"])
        try #require(listed.status == 0, "\(listed.stderr)")
        return try JSONDecoder().decode(Points.self, from: Data(listed.stdout.utf8))
    }

    func copy(_ source: String, to target: String) throws {
        let copied = try Tools.run("cp", ["-a", source, target])
        try #require(copied.status == 0, "\(copied.stderr)")
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let outcome = try Tools.fieldkit(arguments + ["--json"])
        try #require(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }

    /// The names under `folder`, leaving out the temp files a stopped write leaves behind
    /// (hidden names, never taken for complete files).
    func names(_ folder: String) throws -> [String] {
        (FileManager.default.subpaths(atPath: folder) ?? []).filter { path in
            !path.split(separator: "/").contains { $0.hasPrefix(".") }
        }
        .sorted()
    }

    /// A laptop with new records and a stick, as the tour leaves them plus one repair.
    func world(_ folder: TemporaryFolder) throws -> String {
        let kept = folder.appending("kept")
        let tour = try Tools.fieldkit(["tour", "--keep", kept])
        try #require(tour.status == 0, "\(tour.stderr)")
        let repair = try Tools.fieldkit([
            "repair", "log", "LO-VN-000108", "--problem", "Peg slips", "--action", "Peg refitted", "--minutes", "15",
            "--outcome", "fixed", "--data-dir", kept + "/amsterdam",
        ])
        try #require(repair.status == 0, "\(repair.stderr)")
        return kept
    }

    /// Sweeps `command` (run in a fresh copy of `start` each time) over every fault point and
    /// count; `state` reads what must come out the same. Returns how many runs were stopped.
    ///
    /// `finished` says whether a stopped run had already done all its work (a restore stopped
    /// after its last step): run again, such a command may refuse (exit 73) as it refuses after
    /// any finished run, rather than do it twice.
    func sweep(
        _ name: String, fault: Fault, start: String, scratch: TemporaryFolder, command: (String) -> [String],
        state: (String) throws -> [String: String], doctor: (String) -> [String],
        finished: (String) -> Bool = { _ in false }
    ) throws -> Int {
        let listed = try points()
        try #require(listed.honoured, "the test build must honour FIELDKIT_FAULT")
        let reference = scratch.appending("\(name)-\(fault)-reference")
        try copy(start, to: reference)
        let clean = try Tools.fieldkit(command(reference))
        try #require(clean.status == 0, "\(clean.stderr)")
        let expected = try state(reference)
        var stopped = 0
        var run = 0
        for point in fault.names(listed) {
            let stoppedBefore = stopped
            defer {
                // Every kind of SQLite call must stop the command at least once: a command whose
                // commits are never synced (`synchronous = NORMAL`) passes store-sync untouched.
                if fault == .failingStore {
                    #expect(stopped > stoppedBefore, "\(name): failing \(point) never stopped it")
                }
            }
            var unstopped = 0
            for count in fault.counts {
                run += 1
                let world = scratch.appending("\(name)-\(fault)-\(run)")
                try copy(start, to: world)
                let environment = ProcessInfo.processInfo.environment.merging([fault.variable: "\(point):\(count)"]) {
                    $1
                }
                let first = try Tools.fieldkit(command(world), environment: environment)
                if first.status == 0 {
                    #expect(try state(world) == expected, "\(name) at \(point):\(count), not stopped")
                    try? FileManager.default.removeItem(atPath: world)
                    unstopped += 1
                    if unstopped == fault.unstoppedToEnd { break }
                    continue
                }
                unstopped = 0
                switch fault {
                case .stop:
                    #expect(first.status == listed.exitStatus, "\(name) at \(point):\(count): \(first.stderr)")
                case .failingDisk:
                    // Reported, never passed over: exit 74 with what could not be written.
                    #expect(first.status == 74, "\(name) with \(point):\(count) failing: \(first.stderr)")
                    #expect(first.stderr.hasPrefix("error: cannot write "), "\(first.stderr)")
                case .failingStore:
                    // SQLite rolls the transaction back; the command says the store could not be
                    // written, and exits 74.
                    #expect(first.status == 74, "\(name) with \(point):\(count) failing: \(first.stderr)")
                    #expect(first.stderr.contains("cannot write the store "), "\(first.stderr)")
                }
                stopped += 1
                let done = finished(world)
                let again = try Tools.fieldkit(command(world))
                #expect(
                    again.status == 0 || done && again.status == 73,
                    "\(name) run again after \(point):\(count): \(again.stderr)")
                let after = try state(world)
                #expect(after == expected, "\(name) after \(point):\(count) differs from a clean run: \(after)")
                let checked = try Tools.fieldkit(doctor(world))
                #expect(checked.status == 0, "doctor after \(name) stopped at \(point):\(count): \(checked.stdout)")
                try? FileManager.default.removeItem(atPath: world)
            }
        }
        return stopped
    }

    @Test(
        "sync to a stick, stopped anywhere or failing any disk call, then run again: the same archives, nothing lost",
        arguments: [Fault.stop, .failingDisk, .failingStore])
    func syncSweep(fault: Fault) throws {
        let folder = TemporaryFolder("e2e-fault-sync")
        let kept = try world(folder)
        let start = folder.appending("start")
        try FileManager.default.createDirectory(atPath: start, withIntermediateDirectories: true)
        try copy(kept + "/amsterdam", to: start + "/amsterdam")
        try copy(kept + "/stick", to: start + "/stick")
        let stopped = try sweep(
            "sync", fault: fault, start: start, scratch: folder,
            command: { ["sync", $0 + "/stick", "--data-dir", $0 + "/amsterdam"] },
            state: { world in
                let status = try json(["status", "--data-dir", world + "/amsterdam"])
                return [
                    "events": "\(status["events"] ?? "")", "undelivered": "\(status["undelivered"] ?? "")",
                    "repairs": "\(status["repairs"] ?? "")", "lastReceipt": "\(status["lastReceipt"] ?? "")",
                    "stick": try names(world + "/stick").joined(separator: " "),
                    // What a stopped write left under a temp name in the laptop's own folder is
                    // cleared by the next sync.
                    "leftovers": (FileManager.default.subpaths(atPath: world + "/stick/fieldkit-sync/outbound") ?? [])
                        .filter { $0.contains("/.") && $0.contains(".tmp-") }.joined(separator: " "),
                ]
            }, doctor: { ["doctor", "--data-dir", $0 + "/amsterdam"] })
        #expect(
            stopped >= (fault == .stop ? 4 : fault == .failingStore ? 8 : 3),
            "the sweep stopped sync only \(stopped) times")
    }

    @Test(
        "hub import, stopped anywhere or failing any disk call, then run again: the same store and receipts",
        arguments: [Fault.stop, .failingDisk, .failingStore])
    func importSweep(fault: Fault) throws {
        let folder = TemporaryFolder("e2e-fault-import")
        let kept = try world(folder)
        let synced = try Tools.fieldkit(["sync", kept + "/stick", "--data-dir", kept + "/amsterdam"])
        try #require(synced.status == 0, "\(synced.stderr)")
        let start = folder.appending("start")
        try FileManager.default.createDirectory(atPath: start, withIntermediateDirectories: true)
        try copy(kept + "/hq", to: start + "/hq")
        try copy(kept + "/stick", to: start + "/stick")
        let stopped = try sweep(
            "import", fault: fault, start: start, scratch: folder,
            command: { ["hub", "import", $0 + "/stick", "--data-dir", $0 + "/hq"] },
            state: { world in
                let status = try json(["hub", "status", "--data-dir", world + "/hq"])
                let devices = (status["devices"] as? [[String: Any]] ?? []).map { device in
                    ["name", "highest", "through", "events", "archives", "gaps", "refusals"]
                        .map { "\(device[$0] ?? "")" }.joined(separator: ":")
                }
                // A receipt written again after a stop may carry a higher version (versions only
                // go up): what must hold is that every device that sent archives has one.
                let stick = try names(world + "/stick")
                let answered = Set(
                    stick.filter { $0.hasPrefix("fieldkit-sync/inbound/") && $0.contains("receipt") }
                        .compactMap { $0.split(separator: "/").dropFirst(2).first.map(String.init) })
                return [
                    "devices": devices.sorted().joined(separator: " "),
                    "outbound": stick.filter { $0.hasPrefix("fieldkit-sync/outbound/") }.joined(separator: " "),
                    "answered": answered.sorted().joined(separator: " "),
                ]
            }, doctor: { ["doctor", "--data-dir", $0 + "/hq"] })
        #expect(stopped >= (fault == .failingStore ? 30 : 3), "the sweep stopped hub import only \(stopped) times")
    }
}

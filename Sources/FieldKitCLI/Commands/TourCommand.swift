import ArgumentParser
import FieldKitCore
import Foundation

/// `fieldkit tour`: the whole round trip in a scratch folder, in plain words. Every step runs
/// the real command, in this process, and shows it as it would be typed.
struct TourCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Walk through the whole round trip in a scratch folder: headquarters, two laptops, a stick, a hub.",
        discussion: """
            Everything happens in a new scratch folder with the bundle built into fieldkit; nothing outside \
            it is read or changed, and no network beyond 127.0.0.1 is used. With --keep the folder stays \
            so you can try the commands the tour shows on it.
            """)

    @Option(help: "Keep the scratch folder here (a new or empty folder) to look around afterwards.")
    var keep: String?

    @Flag(name: .long, help: "Print one JSON document (the steps and their commands) instead of the tour's words.")
    var json = false

    func run(in context: CommandContext) throws {
        let folder = try TourCommand.scratchFolder(keep: keep)
        let previous = FileManager.default.currentDirectoryPath
        guard FileManager.default.changeCurrentDirectoryPath(folder) else {
            throw CLIFailure.refused(
                "cannot enter the scratch folder \(folder)", hint: "check its permissions", status: .cantCreate)
        }
        let tour = TourRunner(context: context, quiet: json)
        let hub: String
        do {
            hub = try TourStory(tour: tour, folder: folder).tell()
        } catch {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            context.console.err("The tour's scratch folder is kept in \(folder) for a look at what went wrong.")
            throw error
        }
        _ = FileManager.default.changeCurrentDirectoryPath(previous)
        if keep == nil {
            do {
                try FileManager.default.removeItem(atPath: folder)
            } catch {
                context.console.err("warning: could not remove the tour's scratch folder \(folder); remove it by hand")
            }
        }
        if json {
            try context.printJSON(tour.summary(folder: keep == nil ? nil : folder, hub: hub))
        } else {
            TourStory.farewell(tour, folder: keep == nil ? nil : folder)
        }
    }

    /// The folder the tour runs in: `keep` (made if missing, and empty), else a new temporary one.
    static func scratchFolder(keep: String?) throws -> String {
        guard let keep else {
            let template = FileManager.default.temporaryDirectory.appendingPathComponent("fieldkit-tour.XXXXXX").path
            var bytes = Array(template.utf8CString)
            guard let made = mkdtemp(&bytes) else {
                throw CLIFailure.refused(
                    "cannot make a scratch folder in \(FileManager.default.temporaryDirectory.path)",
                    hint: "set TMPDIR to a writable folder, or give --keep DIR", status: .cantCreate)
            }
            return String(cString: made)
        }
        let path = URL(fileURLWithPath: keep).standardizedFileURL.path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            let entries = try? FileManager.default.contentsOfDirectory(atPath: path)
            guard isFolder.boolValue, entries?.isEmpty == true else {
                throw CLIFailure.usage(
                    "\(keep) is not an empty folder", hint: "give --keep a new or empty folder; the tour fills it")
            }
            return path
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure.refused(
                "cannot make the folder \(keep)", hint: "check that its parent exists and is writable",
                status: .cantCreate)
        }
        return path
    }
}

/// The tour's story: who does what, in which order, in which words.
struct TourStory {
    let tour: TourRunner
    /// The scratch folder (also the working directory while the story runs).
    let folder: String

    /// The two laptops and the instruments the story uses.
    static let amsterdam = "amsterdam"
    static let curacao = "curacao"
    static let repaired = "LO-VN-000108"
    static let moved = "LO-VC-000033"
    static let contested = "LO-VN-000430"

    /// What a finder of the stick must not be able to read.
    static let secrets = ["Anne de Vries", "Shurendy Martina", repaired, "Bridge leans"]

    struct DeviceStatus: Decodable {
        var device: String
        var fingerprint: String
    }

    struct Conflict: Decodable {
        struct Side: Decodable {
            var event: String
            var value: String?
        }
        var id: String
        var sides: [Side]
    }

    /// Runs the story; returns the address the hub listened on.
    func tell() throws -> String {
        let hq = ["--data-dir", "hq"]
        let ams = ["--data-dir", TourStory.amsterdam]
        let cur = ["--data-dir", TourStory.curacao]
        tour.say("FieldKit tour: headquarters, a laptop in Amsterdam, a laptop on Curaçao, a USB stick and a hub.")
        tour.say(
            "Every command below really runs, here, on the bundle built into fieldkit; nothing leaves this machine.")

        tour.step(
            "Headquarters sets up",
            """
            Headquarters makes its data folder with its signing and sealing keys, and a root key. The root key \
            decides who is trusted; it lives offline (the folder 'safe' stands in for the safe), and every \
            laptop pins its public half.
            """)
        try tour.run(["hub", "init", "--root-out", "safe"] + hq)

        tour.step(
            "Two laptops at two sites",
            """
            Anne works at a school in Amsterdam-Zuidoost, Shurendy at a school in Willemstad. Each laptop \
            gets its own key and pins headquarters' root.
            """)
        try tour.run(
            [
                "init", "--device", "atelier-ams", "--site", "AMS-ZO-01", "--technician", "Anne de Vries",
                "--hq-root", "safe/root.pub",
            ] + ams)
        try tour.run(
            [
                "init", "--device", "atelier-cur", "--site", "CUR-01", "--technician", "Shurendy Martina",
                "--hq-root", "safe/root.pub",
            ] + cur)

        tour.step(
            "Enrolment by fingerprint",
            """
            Each laptop writes a signed request to the stick (the folder 'stick'). The technician reads the \
            fingerprint to headquarters by phone; headquarters enrols only the requests whose fingerprint it \
            was told, so a request slipped onto the stick by someone else gets nowhere.
            """)
        try FileManager.default.createDirectory(atPath: "stick", withIntermediateDirectories: true)
        var fingerprints: [String] = []
        for device in [ams, cur] {
            try tour.run(["enrol", "--to", "stick"] + device)
            fingerprints.append(try tour.lookUp(DeviceStatus.self, ["status"] + device).fingerprint)
        }
        try tour.run(
            ["hub", "enrol", "stick"] + fingerprints.flatMap { ["--fingerprint", $0] } + ["--by", "Marit Jansen"] + hq)

        tour.step(
            "Looking something up",
            """
            A violin's bridge leans. Anne searches the guides; Shurendy reads the same guide in Papiamento.
            """)
        try tour.run(["guide", "search", "bridge leans"] + ams, shown: .first(4))
        try tour.run(["guide", "show", "violin-bridge-straighten", "--lang", "pap"] + cur, shown: .first(6))

        tour.step(
            "Recording the work",
            """
            Anne logs the repair with a photo of the bridge; Shurendy records a training session from a \
            checklist and lends a cello to the school next door. Each record is an event in the laptop's own \
            log, signed and numbered; nothing needs a network.
            """)
        try FileLayer.writeAtomically(TourStory.photo, to: "bridge.png")
        try tour.run(
            [
                "repair", "log", TourStory.repaired, "--problem", "Bridge leans towards the fingerboard",
                "--action", "Straightened the bridge, strings kept at pitch", "--guide", "violin-bridge-straighten",
                "--minutes", "20", "--outcome", "fixed", "--condition-after", "good", "--photo", "bridge.png",
            ] + ams)
        try tour.run(
            [
                "training", "record", "--checklist", "string-setup-check", "--trainer", "Shurendy Martina",
                "--trainee", "Jaïr Isenia", "--done", "bridge-position", "--done", "bridge-upright", "--done",
                "one-string-at-a-time",
            ] + cur)
        try tour.run(["loan", "move", TourStory.moved, "--to", "CUR-02"] + cur)

        tour.step(
            "Two moves that cross",
            """
            Before either laptop syncs, both move the same violin: Anne has it sent to the depot, Shurendy \
            lends it to Skol Kristu Rei. Neither can know of the other; headquarters will see both.
            """)
        try tour.run(["loan", "move", TourStory.contested, "--to", "DEPOT"] + ams)
        try tour.run(["loan", "move", TourStory.contested, "--to", "CUR-02"] + cur)

        tour.step(
            "By stick: Amsterdam",
            """
            Anne's laptop writes its events to the stick as a change archive, signed by the laptop and \
            sealed to headquarters' key. A stick gets lost, so look at what a finder could read.
            """)
        try tour.run(["sync", "stick"] + ams)
        for line in try TourStick.inspect("stick", secrets: TourStory.secrets) { tour.say("    " + line) }
        tour.say("")
        tour.say("  At headquarters the stick goes in, and the archive is verified, opened and merged:")
        try tour.run(["hub", "import", "stick"] + hq)

        tour.step(
            "By upload: Curaçao",
            """
            On the island there is a connection today. Headquarters' server takes uploads (here on a free port \
            of 127.0.0.1, as 'fieldkit hub serve' does); Shurendy's laptop uploads and gets its receipt at once.
            """)
        let hub = try TourHub(folder: folder + "/hq", context: tour.context)
        let told = Result { try withHub(hub, hq: hq, ams: ams, cur: cur) }
        guard hub.stop() else {
            throw CLIFailure.refused(
                "the tour's hub server did not stop within 10 seconds", hint: nil, status: .software)
        }
        try told.get()
        return hub.url
    }

    /// The steps that need headquarters' server.
    private func withHub(_ hub: TourHub, hq: [String], ams: [String], cur: [String]) throws {
        tour.say("")
        tour.say("  $ fieldkit hub serve --listen 127.0.0.1:0 --data-dir hq &")
        tour.say("    fieldkit hub: uploads on \(hub.url)")
        try tour.run(["sync", hub.url] + cur)

        tour.step(
            "Receipts back",
            """
            The next time the stick comes by, Anne's laptop reads headquarters' receipt: it knows what \
            arrived and clears those files from the stick. A receipt also brings what other laptops recorded \
            about this laptop's instruments.
            """)
        try tour.run(["sync", "stick"] + ams)
        try tour.run(["status"] + ams, shown: .first(6))
        try decide(hub: hub, hq: hq, ams: ams, cur: cur)

        tour.step(
            "Headquarters' report",
            """
            Repairs, instruments, overdue follow-ups, training and how long ago each laptop synced, per \
            region — as text here, or CSV, JSON and an offline HTML dashboard.
            """)
        try tour.run(["hub", "report"] + hq, shown: .perBlock(5))
    }

    /// The crossed moves become a conflict; headquarters keeps Anne's and both laptops follow.
    private func decide(hub: TourHub, hq: [String], ams: [String], cur: [String]) throws {
        tour.step(
            "A conflict, decided",
            """
            Headquarters now holds both moves of \(TourStory.contested). It does not guess: it lists the conflict, \
            a laptop that has heard of it (Shurendy's, through its upload) shows the value as provisional, and \
            a person decides. Headquarters calls the school: \
            the violin did go to the depot.
            """)
        try tour.run(["hub", "conflicts"] + hq)
        try tour.run(["conflicts"] + cur)
        let conflicts = try tour.lookUp([Conflict].self, ["hub", "conflicts"] + hq)
        guard let conflict = conflicts.first(where: { $0.id == "\(TourStory.contested)/site" }),
            let keep = conflict.sides.first(where: { $0.value == "DEPOT" })
        else {
            throw CLIFailure.internalError("the tour's crossed moves did not become a conflict")
        }
        try tour.run(["hub", "conflicts", "resolve", conflict.id, "--keep", String(keep.event.prefix(12))] + hq)
        tour.say("")
        tour.say("  The decision travels like any other news, with the next receipt, by upload or by stick:")
        try tour.run(["sync", hub.url] + cur)
        try tour.run(["hub", "import", "stick"] + hq)
        try tour.run(["sync", "stick"] + ams)
        try tour.run(["instrument", "show", TourStory.contested] + cur, shown: .first(3))
    }

    /// How the tour ends: where to look next.
    static func farewell(_ tour: TourRunner, folder: String?) {
        tour.say("")
        tour.say("That was the round trip: recorded offline, carried sealed, merged once, decided by a person.")
        if let folder {
            tour.say("Everything is kept in \(folder). Try, from there:")
            for line in [
                "cd \(TourRunner.quoted(folder))",
                "fieldkit status --data-dir amsterdam",
                "fieldkit instrument history \(TourStory.contested) --data-dir curacao",
                "fieldkit repair list --data-dir amsterdam",
                "fieldkit hub status --data-dir hq",
                "fieldkit hub report --format html --out report.html --data-dir hq",
            ] {
                tour.say("  " + line)
            }
        } else {
            tour.say("The scratch folder is gone; run 'fieldkit tour --keep DIR' to keep it and look around.")
        }
        tour.say("Next: the README's walk-through (a technician's day, a coordinator's trip, headquarters' week).")
    }

    /// A 24×16 picture of a violin's top with its bridge, as a PNG: the photo Anne attaches.
    static let photo =
        Data(
            base64Encoded:
                "iVBORw0KGgoAAAANSUhEUgAAABgAAAAQCAIAAACDRijCAAAAWUlEQVR42mNYEKOxIcMADZEhyEAVU7AYRLYDGahiCopBuDS4aYgAEUGjGQhai2YQLpUMBB2PbBAelQwEgwBuEKXRDzGICtGPGdhkRj9Wg4ZH9BMpyDDocj8AmvbWsHlXBbcAAAAASUVORK5CYII="
        ) ?? Data()
}

/// What a finder of the stick sees.
enum TourStick {
    /// Lines describing every file under `folder`: its size, for a signature what its signed
    /// statement says, and whether any of `secrets` can be found in any of the bytes.
    static func inspect(_ folder: String, secrets: [String]) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var lines = ["What a finder of the stick can read:"]
        var found: [String] = []
        var sealed = 0
        for case let name as String in walker {
            let path = folder + "/" + name
            guard !FileLayer.isFolder(path) else { continue }
            let data = try FileLayer.read(path, limit: 64 << 20)
            if name.hasSuffix(".sealed") { sealed += 1 }
            if name.hasSuffix(".sealed.minisig"),
                let comment = String(decoding: data, as: UTF8.self).split(separator: "\n")
                    .first(where: { $0.hasPrefix("trusted comment: ") })
            {
                lines.append("  \(name)")
                lines.append("    signed statement: \(comment.dropFirst("trusted comment: ".count))")
            } else if name.hasSuffix(".sealed") {
                lines.append("  \(name)  \(data.count) bytes, sealed")
            }
            for secret in secrets where data.range(of: Data(secret.utf8)) != nil {
                found.append("\(secret) in \(name)")
            }
        }
        lines.append(
            found.isEmpty
                ? "  Searched every file for \(secrets.map { "'\($0)'" }.joined(separator: ", ")): not found. "
                    + "The \(sealed) sealed file(s) open only with headquarters' key."
                : "  Readable on the stick: \(found.joined(separator: "; ")).")
        return lines
    }
}

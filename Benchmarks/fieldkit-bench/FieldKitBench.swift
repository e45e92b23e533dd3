// The benchmark's helper (Benchmarks/README.md): it makes the dataset and times search in
// process. It is built with the package but never shipped; `Benchmarks/bench.py` drives it.
import ArgumentParser
import FieldKitCore
import FieldKitStore
import Foundation

@main
struct FieldKitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldkit-bench",
        abstract: "Makes the benchmark's dataset and times search in process (Benchmarks/README.md).",
        subcommands: [Generate.self, Search.self])
}

/// A failure of the helper: the message, and the sysexits code to leave with.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    var code: Int32
}

/// Runs `body`; a failure is printed as `error: …` and leaves with a sysexits code (the store's
/// own code for a store failure, 70 for anything else).
func reporting(_ body: () throws -> Void) throws {
    do { try body() } catch {
        let (code, message): (Int32, String)
        switch error {
        case let failure as BenchFailure: (code, message) = (failure.code, failure.description)
        case let failure as any FieldKitError: (code, message) = (failure.exitStatus.rawValue, failure.message)
        default: (code, message) = (70, String(describing: error))
        }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        throw ExitCode(code)
    }
}

extension SeededRandom {
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A hex id of 32 digits, as the toolkit makes them.
    mutating func id() -> String { String(format: "%016llx%016llx", next(), next()) }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Appends realistic events to a device's log: repairs, moves, loans and trainings.",
        discussion: """
            The events carry on the device's log (seq, chain, clock) and are written in transactions \
            of --batch events through the store's merge, which folds them as a sync would. The same \
            --seed and the same log give the same events.
            """)

    @Option(help: "The device's data folder (made with `fieldkit init`).") var dataDir: String
    @Option(help: "How many events to append.") var events: Int
    @Option(help: "The seed of the dataset.") var seed: UInt64 = 20_261_127
    @Option(help: "Events per transaction.") var batch: Int = 5_000

    static let problems = [
        "Bridge leans towards the fingerboard", "Brug staat scheef, snaren te hoog", "Peg slips, string will not hold",
        "Seam open on the lower bout", "Klep lekt bij de lage C", "Valve sticks when cold", "Pad leaks on the G♯ key",
        "Tuning slide seized", "Snare wires buzz", "Hairs missing on the bow", "Kurk van de mondstukbuis los",
        "E-snaar breekt steeds — scherpe groef", "Kabes di arco ta flohu", "Fingerboard worn under the A string",
        "Endpin will not lock", "Mouthpiece stuck in the leadpipe", "Water key spring broken", "Cracked reed guard",
    ]
    static let actions = [
        "Straightened the bridge, strings kept at pitch", "Refitted the peg with peg compound",
        "Glued the seam with hide glue, clamped overnight", "Replaced the pad and levelled the tone hole",
        "Cleaned and oiled the valves", "Freed the slide, cleaned and greased", "Adjusted the snare tension",
        "Rehaired the bow (Mongolian hair)", "Nieuwe kurk gelijmd en geschuurd", "Groef in de kam gepolijst, grafiet",
        "Limpia i oliá e válvulanan", "Planed the fingerboard, dressed the nut", "New endpin screw fitted",
        "Pulled the mouthpiece with the puller", "Spring replaced", "Sent to the depot: needs the workshop",
    ]
    static let outcomes = ["fixed", "fixed", "fixed", "fixed", "needs-depot", "beyond-repair"]
    static let conditions = ["good", "good", "fair", "poor"]

    func run() throws { try reporting(generate) }

    func generate() throws {
        let store = try Store.open(folder: dataDir)
        let device = try store.device()
        let tags = try store.snapshotTags()
        guard !tags.isEmpty else {
            throw BenchFailure(description: "\(dataDir) has no inventory snapshot: install a bundle first", code: 66)
        }
        var sites = try store.sites().map(\.code)
        // The bundle's sites and enough more schools to make a hundred.
        var school = 0
        while sites.count < 100 {
            school += 1
            sites.append(String(format: "SCH-%02d", school))
        }
        let guides = try store.ids(.guides)
        let checklists = try store.ids(.checklists)
        let bundle = try store.installedBundle()?.sha256
        let technician = device.technician
        var last = try store.newestEvent()
        guard last.map({ $0.event.device == device.id }) ?? true else {
            throw BenchFailure(description: "\(dataDir) holds other devices' events: use a new device", code: 65)
        }
        // The seed and where the log ends: the same chunks give the same events.
        var random = SeededRandom(seed: seed ^ UInt64(last?.event.seq ?? 0))
        // Trainees are people with names, so archives carry a people list as in the field.
        let trainees = (1...40).map {
            Person(id: "p-" + String(format: "%014llx", $0 &* 0x9E37_79B9), name: "Leerling \($0)")
        }
        if last.map({ $0.event.seq <= 1 }) ?? true {
            let draft = EventDraft(
                type: EventType.trainingRecorded,
                payload: .object([
                    "checklist": .string(checklists.first ?? "string-setup-check"), "done": .array([]),
                    "notApplicable": .array([]), "signedOff": .bool(true),
                    "trainees": .array(trainees.map { .string($0.id) }),
                    "trainer": technician.map(JSONValue.string) ?? .null,
                ]), bundle: bundle)
            let start = Date(timeIntervalSince1970: Double((last?.event.hlc.millis ?? 0) + 60_000) / 1000)
            let fixed = FieldKitEnvironment(
                now: { start }, timeZone: TimeZone(identifier: "Europe/Amsterdam") ?? .current,
                makeID: { "0000000000000000" + String(format: "%016llx", UInt64(start.timeIntervalSince1970)) },
                variables: [:])
            last = try store.record(draft, environment: fixed, people: trainees)
        }
        guard var previous = last else {
            throw BenchFailure(description: "\(dataDir) has no events: make it with `fieldkit init`", code: 65)
        }
        var written = 0
        while written < events {
            var chunk: [StoredEvent] = []
            for _ in 0..<min(batch, events - written) {
                let event = try makeEvent(
                    after: previous, random: &random, tags: tags, sites: sites, guides: guides,
                    checklists: checklists, trainees: trainees, technician: technician, bundle: bundle)
                chunk.append(event)
                previous = event
            }
            try store.merge(chunk)
            written += chunk.count
        }
        print("appended \(written) events; the log ends at seq \(previous.event.seq)")
    }

    func makeEvent(
        after previous: StoredEvent, random: inout SeededRandom, tags: [String], sites: [String], guides: [String],
        checklists: [String], trainees: [Person], technician: String?, bundle: String?
    ) throws -> StoredEvent {
        let draw = random.below(100)
        let tag = random.pick(tags)
        let site = random.pick(sites)
        let type: String
        var payload: [String: JSONValue]
        switch draw {
        case 0..<45:
            type = EventType.repairLogged
            payload = [
                "tag": .string(tag), "problem": .string(random.pick(Self.problems)),
                "action": .string(random.pick(Self.actions)), "minutes": .int(Int64(5 + random.below(115))),
                "outcome": .string(random.pick(Self.outcomes)), "conditionAfter": .string(random.pick(Self.conditions)),
                "guides": .array(guides.isEmpty ? [] : [.string(random.pick(guides))]), "photos": .array([]),
            ]
        case 45..<70:
            type = EventType.loanMoved
            payload = ["tag": .string(tag), "from": .string(random.pick(sites)), "to": .string(site)]
        case 70..<78:
            type = EventType.loanOut
            payload = ["tag": .string(tag), "from": .string("DEPOT"), "to": .string(site)]
        case 78..<85:
            type = EventType.loanReturned
            payload = ["tag": .string(tag), "from": .string(site), "to": .string("DEPOT")]
        default:
            type = EventType.trainingRecorded
            let picked = (0..<(1 + random.below(6))).map { _ in JSONValue.string(random.pick(trainees).id) }
            payload = [
                "checklist": .string(checklists.isEmpty ? "string-setup-check" : random.pick(checklists)),
                "done": .array(["bridge-position", "bridge-upright", "one-string-at-a-time"].map(JSONValue.string)),
                "notApplicable": .array([]), "signedOff": .bool(random.below(2) == 0), "trainees": .array(picked),
                "trainer": technician.map(JSONValue.string) ?? .null,
            ]
        }
        // Two seconds apart on the device's own clock, in Amsterdam's time zone.
        let millis = previous.event.hlc.millis + 2_000
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let offset = (TimeZone(identifier: "Europe/Amsterdam") ?? .current).secondsFromGMT(for: date) / 60
        let event = Event(
            id: random.id(), device: previous.event.device, seq: previous.event.seq + 1,
            hlc: HLCTimestamp(millis: millis, counter: 0), wall: EventTime.wallString(date), offsetMinutes: offset,
            date: EventTime.localDate(date, offsetMinutes: offset), site: site, author: technician, bundle: bundle,
            type: type, payload: .object(payload), prev: previous.hash)
        return try StoredEvent(encoding: event)
    }
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Times the toolkit's own search over the fixed query mix, in process.",
        discussion: """
            Prints one JSON object: p50 and p95 in microseconds over every query of the mix, --rounds \
            times. With --expressions it also writes the FTS5 expressions the queries become, one per \
            line as KIND<TAB>EXPRESSION, for the C baseline (Benchmarks/search.c) to run the same ones.
            """)

    @Option(help: "The data folder whose index is searched.") var dataDir: String
    @Option(help: "How many times the whole mix runs.") var rounds: Int = 200
    @Option(help: "Where to write the expressions for the C baseline.") var expressions: String?

    /// The fixed query mix: guide searches in three languages and instrument look-ups.
    static let mix: [(kind: String, text: String)] = [
        ("guide", "bridge leans"), ("guide", "bridge"), ("guide", "valve stuck"), ("guide", "pad leak"),
        ("guide", "snaren"), ("guide", "stemmen"), ("guide", "kurk"), ("guide", "bow rehair"), ("guide", "seam open"),
        ("guide", "peg"), ("guide", "slide grease"), ("guide", "drum head"), ("guide", "klep"), ("guide", "arco"),
        ("instrument", "LO-VN-000108"), ("instrument", "cello"), ("instrument", "Yamaha"), ("instrument", "trumpet"),
        ("instrument", "viool"), ("instrument", "LO-CL"),
    ]

    func run() throws { try reporting(search) }

    func search() throws {
        let store = try Store.open(folder: dataDir)
        if let expressions {
            let lines = Self.mix.compactMap { query in
                SearchQuery.expression(query.text).map { query.kind + "\t" + $0 }
            }
            try FileLayer.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: expressions)
        }
        var micros: [Double] = []
        micros.reserveCapacity(rounds * Self.mix.count)
        var hits = 0
        for _ in 0..<rounds {
            for query in Self.mix {
                let start = DispatchTime.now().uptimeNanoseconds
                if query.kind == "guide" {
                    hits += try store.searchGuides(query.text, languages: ["nl", "en", "pap"]).count
                } else {
                    hits += try store.findInstruments(query.text).count
                }
                micros.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
        }
        micros.sort()
        func percentile(_ p: Double) -> Double {
            micros.isEmpty ? 0 : micros[min(micros.count - 1, Int((p * Double(micros.count)).rounded(.up)) - 1)]
        }
        print(
            String(
                format: #"{"queries": %d, "hits": %d, "p50_us": %.1f, "p95_us": %.1f}"#, micros.count, hits,
                percentile(0.5), percentile(0.95)))
    }
}

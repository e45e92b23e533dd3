import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitStore

@Suite("order-free state")
struct ConvergenceTests {
    static let tags = ["LO-VN-000001", "LO-VN-000002", "LO-TP-000001"]
    static let sites = ["DEPOT", "CUR-02", "AMS-ZO-01", "BON-01"]

    static func content() throws -> ContentRows {
        ContentRows(
            guides: [], checklists: [], parts: [], instrumentTypes: [],
            sites: sites.map { ($0, $0, "test", "school") },
            instruments: try tags.map { tag in
                let base = InstrumentBase(
                    tag: tag, type: "violin", size: nil, maker: nil, model: nil, serial: nil, site: "DEPOT",
                    status: "at-depot", condition: "good", lastService: nil)
                return ContentRows.InstrumentRow(
                    tag: tag, type: "violin", names: "violin", maker: "", model: "", serial: "",
                    document: try JSONEncoder().encode(base))
            })
    }

    static func store(in folder: TemporaryFolder, id: String) throws -> Store {
        let store = try Store.create(
            folder: folder.path,
            device: DeviceRecord(
                id: id, name: id, currentSite: "CUR-02", technician: nil, predecessor: nil,
                createdWall: "2026-03-14T09:30:00.000Z", hqRoot: nil),
            technician: nil)
        try store.install(
            try content(),
            bundle: InstalledBundle(
                root: "ROOT", version: 1, sha256: String(repeating: "a", count: 64), created: "2026-03-01",
                expires: "2030-01-01", trustVersion: 1, development: false, installedWall: "x"))
        return store
    }

    /// Three devices record concurrent moves, repairs and amendments; returns every event.
    static func history(seed: UInt64) throws -> [StoredEvent] {
        var random = SeededRandom(seed: seed)
        var all: [StoredEvent] = []
        for device in ["000000000000000a", "000000000000000b", "000000000000000c"] {
            let folder = TemporaryFolder("device")
            let store = try store(in: folder, id: device)
            let clock = TestClock()
            let environment = FieldKitEnvironment.test(clock: clock, ids: CountingIDs(prefix: device))
            var repairs: [String] = []
            for _ in 0..<15 {
                clock.advance(Double(random.next() % 7200) - 1800)  // clocks wander, even backwards
                let tag = tags[Int(random.next() % UInt64(tags.count))]
                switch random.next() % 4 {
                case 0, 1:
                    let heads = try store.instrumentState(tag: tag)?.heads["site"] ?? []
                    try store.record(
                        EventDraft(
                            type: EventType.loanMoved,
                            payload: .object(["tag": .string(tag), "to": .string(sites[Int(random.next() % 4)])]),
                            basis: heads),
                        environment: environment, tags: [tag])
                case 2:
                    let stored = try store.record(
                        EventDraft(
                            type: EventType.repairLogged,
                            payload: .object([
                                "tag": .string(tag), "problem": .string("Kam scheef — één snaar"), "minutes": .int(10),
                                "conditionAfter": .string(["good", "fair"][Int(random.next() % 2)]),
                            ])),
                        environment: environment, tags: [tag])
                    repairs.append(stored.event.id)
                default:
                    guard let record = repairs.last else { continue }
                    try store.record(
                        EventDraft(
                            type: EventType.repairAmended,
                            payload: .object([
                                "record": .string(record),
                                "changes": .object(["minutes": .int(Int64(random.next() % 90))]),
                            ]), basis: [record]),
                        environment: environment, tags: [tag])
                }
            }
            all += try store.events(of: device)
        }
        return all
    }

    @Test("200 seeded orders and batchings, with duplicates, give byte-identical state")
    func anyOrderAnyBatching() throws {
        let seed: UInt64 = 20_261_127
        let events = try Self.history(seed: seed)
        var random = SeededRandom(seed: seed)
        var digests = Set<String>()
        for round in 0..<200 {
            let folder = TemporaryFolder("merge")
            let store = try Self.store(in: folder, id: "00000000000000ff")
            var shuffled = events.shuffled(using: &random)
            shuffled += shuffled.prefix(Int(random.next() % 6))
            while !shuffled.isEmpty {
                let size = 1 + Int(random.next() % UInt64(shuffled.count))
                try store.merge(Array(shuffled.prefix(size)))
                shuffled.removeFirst(size)
            }
            digests.insert(try store.stateDigest())
            #expect(digests.count == 1, "seed \(seed), round \(round)")
            if digests.count > 1 { break }
        }
        // The merged state matches what the devices themselves recorded, event for event.
        let folder = TemporaryFolder("merge-check")
        let store = try Self.store(in: folder, id: "00000000000000ff")
        try store.merge(events)
        #expect(try store.events().count == events.count + 0)
        #expect(
            try store.records(kind: "repair").allSatisfy {
                $0.values["problem"]?.stringValue == "Kam scheef — één snaar"
            })
    }
}

extension ConvergenceTests {
    @Test("merging the same event again is harmless; other bytes at the same device and seq are refused as a fork")
    func forkRefused() throws {
        let events = try Self.history(seed: 7)
        let folder = TemporaryFolder("fork")
        let store = try Self.store(in: folder, id: "00000000000000ff")
        try store.merge(events)
        let digest = try store.stateDigest()
        try store.merge(events)
        #expect(try store.stateDigest() == digest)
        var forged = events[3].event
        forged.payload = .object(["tag": .string(Self.tags[0]), "to": .string("BON-01")])
        let fork = try StoredEvent(encoding: forged)
        #expect(throws: StoreFailure.self) { try store.merge([fork]) }
        #expect(try store.stateDigest() == digest)
    }
}

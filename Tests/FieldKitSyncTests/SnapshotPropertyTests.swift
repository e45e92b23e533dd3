import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

/// Headquarters' master data and new snapshots with watermarks (the master-data issue;
/// Sync/SPEC.md §17): folding incrementally across snapshot changes equals folding every event
/// from scratch on the first snapshot.
@Suite("sync: new snapshots with watermarks never lose or double-count a field event")
struct SnapshotPropertyTests {
    static let sites = ["CUR-01", "CUR-02"]

    /// The rows of a snapshot headquarters made, for `Store.install`.
    static func rows(_ snapshot: HubSnapshot) throws -> ContentRows {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return ContentRows(
            guides: [], checklists: [], parts: [], instrumentTypes: [],
            sites: ["AMS-01", "CUR-01", "CUR-02", "DEPOT"].map { ($0, $0, "test", "school") },
            instruments: try snapshot.instruments.map { base in
                ContentRows.InstrumentRow(
                    tag: base.tag, type: base.type, names: base.type, maker: "", model: "", serial: "",
                    document: try encoder.encode(base))
            }, watermarks: snapshot.watermarks)
    }

    static func install(_ rows: ContentRows, version: Int64, in store: Store) throws {
        try store.install(
            rows,
            bundle: InstalledBundle(
                root: "ROOT", version: version, sha256: String(repeating: "b", count: 64), created: "2026-06-01",
                expires: "2030-01-01", trustVersion: 1, development: false, installedWall: "x"))
    }

    /// Every instrument a store shows, without the bookkeeping of dangling ids.
    static func states(_ store: Store, tags: [String]) throws -> [String: InstrumentState] {
        var states: [String: InstrumentState] = [:]
        for tag in tags {
            guard var state = try store.instrumentState(tag: tag) else { continue }
            state.overridden = nil
            states[tag] = state
        }
        return states
    }

    @Test(
        "incremental folds across new snapshots equal folding every event on the first one, at hq and on every laptop",
        arguments: [UInt64(11), 12, 13, 20_261_127])
    func snapshotsChange(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let world = try SyncWorld("snapshot-property-\(seed)")
        let devices = [try world.device("laptop-a", site: "CUR-01"), try world.device("laptop-b", site: "CUR-01")]
        for device in devices { for tag in SyncWorld.snapshot.keys.sorted() { try device.repair(tag) } }
        let stick = try world.stick()
        var provisional: [String] = []
        var version: Int64 = 1
        var published: ContentRows?
        func depotTags() throws -> [String] {
            try world.hubStore.makeSnapshot().instruments.filter { $0.provisional != true && $0.placeholder != true }
                .map(\.tag)
        }
        for step in 0..<45 {
            let device = devices[Int(random.next() % 2)]
            let known = try depotTags()
            let tag = known[Int(random.next() % UInt64(known.count))]
            switch random.next() % 11 {
            case 0, 1: try device.move(tag, to: Self.sites[Int(random.next() % 2)])
            case 2:
                try device.change(
                    EventType.repairLogged, tag: tag,
                    payload: [
                        "problem": .string("stapel"),
                        "conditionAfter": .string(["good", "poor"][Int(random.next() % 2)]),
                    ],
                    over: ["condition"])
            case 3:
                let new = "P-\(device.id.prefix(8).uppercased())-\(step)"
                try device.change(
                    EventType.instrumentRegistered, tag: new,
                    payload: ["type": .string("violin"), "site": .string("CUR-01")], site: "CUR-01", over: [])
                provisional.append(new)
            case 4:
                guard let open = provisional.randomElement(using: &random) else { continue }
                try device.change(
                    EventType.repairLogged, tag: open, payload: ["problem": .string("kam")], over: [])
            case 5:
                for device in devices { try device.sync(stick) }
                try world.importAt([stick.folder])
                for device in devices { try device.sync(stick) }
            case 6:
                // Headquarters decides a provisional tag it has: confirm it, or map it to a depot tag.
                try world.importAt([stick.folder])
                guard
                    let open = provisional.first(where: {
                        (try? world.hubStore.instrumentState(tag: $0))?.provisional == true
                    })
                else { continue }
                world.clock.advance(60)
                if random.next() % 2 == 0 {
                    _ = try world.hubStore.decideProvisional(
                        open, to: nil, prefix: "LO-VN-", environment: world.environment)
                } else if let target = known.first(where: {
                    (try? world.hubStore.instrumentState(tag: $0))?.status != "retired"
                }) {
                    _ = try world.hubStore.decideProvisional(
                        open, to: target, prefix: "", environment: world.environment)
                }
            case 7:
                world.clock.advance(60)
                if random.next() % 2 == 0 {
                    _ = try world.hubStore.addInstrument(
                        prefix: "LO-VC-", type: "cello", details: [:], site: "CUR-01", environment: world.environment)
                } else if (try world.hubStore.instrumentState(tag: tag))?.status != "retired", known.count > 3 {
                    _ = try world.hubStore.retireInstrument(tag, reason: "test", environment: world.environment)
                }
            case 8, 9:
                // A new snapshot: headquarters installs it at once, the laptops with their next sync.
                try world.importAt([stick.folder])
                version += 1
                let rows = try Self.rows(try world.hubStore.makeSnapshot())
                try Self.install(rows, version: version, in: world.hubStore)
                published = rows
            default:
                if let published { try Self.install(published, version: version, in: device.store) }
            }
        }
        for _ in 0..<2 {
            for device in devices { try device.sync(stick) }
            try world.importAt([stick.folder])
            for device in devices {
                try device.sync(stick)
                if let published { try Self.install(published, version: version, in: device.store) }
            }
        }

        // From scratch: every event headquarters holds, folded on the first snapshot.
        let scratchFolder = world.folder.appending("scratch")
        try FileLayer.makeFolder(scratchFolder)
        let scratch = try Store.create(
            folder: scratchFolder,
            device: DeviceRecord(
                id: "00000000000000ff", name: "scratch", currentSite: "CUR-01", technician: nil, predecessor: nil,
                createdWall: "x", hqRoot: nil),
            technician: nil)
        try SyncWorld.installContent(in: scratch)
        try scratch.merge(try world.hubStore.events())
        let tags = try world.hubStore.makeSnapshot().instruments.map(\.tag) + provisional
        let expected = try Self.states(scratch, tags: tags)
        #expect(version > 1, "seed \(seed): at least one new snapshot")
        #expect(try Self.states(world.hubStore, tags: tags) == expected, "seed \(seed): headquarters")
        for device in devices {
            let shown = try Self.states(device.store, tags: tags)
            for tag in tags where shown[tag] != expected[tag] {
                Issue.record(
                    "seed \(seed): \(device.id) shows \(tag) as \(String(describing: shown[tag])), not \(String(describing: expected[tag]))"
                )
            }
        }
        print("snapshot property seed \(seed): \(version - 1) new snapshot(s), \(provisional.count) registration(s)")
    }
}

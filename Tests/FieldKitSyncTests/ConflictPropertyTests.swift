import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

/// Random histories of concurrent changes, resolutions and wrong clocks, delivered through real
/// sealed archives and receipts (the conflicts issue; Sync/SPEC.md §15).
@Suite("sync: random histories with conflicts, resolutions and wrong clocks converge everywhere")
struct ConflictPropertyTests {
    static let tags = ["LO-VN-000001", "LO-VN-000002", "LO-VN-000003", "LO-VC-000002"]
    static let sites = ["CUR-01", "CUR-02"]

    /// One random history; returns the world, its devices and every archive file ever written.
    struct History {
        var world: SyncWorld
        var devices: [TestDevice]
        var archives: [String]
        var resolutions: Int
    }

    static func history(seed: UInt64) throws -> History {
        var random = SeededRandom(seed: seed)
        let world = try SyncWorld("conflict-property-\(seed)")
        // One laptop on time, one whose clock reads 1970, one stuck in 2038.
        let devices = [
            try world.device("laptop-on-time", site: "CUR-01"),
            try world.device("laptop-1970", site: "CUR-01", clock: TestClock(Date(timeIntervalSince1970: 259_200))),
            try world.device(
                "laptop-2038", site: "CUR-01", clock: TestClock(Date(timeIntervalSince1970: 2_145_916_800))),
        ]
        // Each laptop touches every instrument first, so every receipt carries their news.
        for device in devices { for tag in tags { try device.repair(tag) } }
        let stick = try world.stick()
        let pool = world.folder.appending("pool")
        try FileLayer.makeFolder(pool)
        var archives: [String] = []
        var resolutions = 0
        func sync(_ device: TestDevice) throws {
            try device.sync(stick)
            for archive in stick.archives(of: device.id) {
                let copy = pool + "/\(archives.count)-" + (archive.path as NSString).lastPathComponent
                try FileManager.default.copyItem(atPath: archive.path, toPath: copy)
                try FileManager.default.copyItem(atPath: archive.path + ".minisig", toPath: copy + ".minisig")
                archives.append(copy)
            }
        }
        func importAndResolve() throws {
            try world.importAt([stick.folder])
            let open = try world.hubStore.openConflicts()
            guard !open.isEmpty, random.next() % 2 == 0 else { return }
            let conflict = open[Int(random.next() % UInt64(open.count))]
            let side = conflict.sides[Int(random.next() % UInt64(conflict.sides.count))]
            world.clock.advance(60)
            try world.hubStore.resolveConflict(
                conflict.id, keep: side.event, author: nil, environment: world.environment)
            resolutions += 1
        }
        for _ in 0..<40 {
            let device = devices[Int(random.next() % UInt64(devices.count))]
            let tag = tags[Int(random.next() % UInt64(tags.count))]
            switch random.next() % 8 {
            case 0, 1: try device.move(tag, to: sites[Int(random.next() % 2)])
            case 2:
                let site = sites[Int(random.next() % 2)]
                try device.change(
                    EventType.loanOut, tag: tag, payload: ["to": .string(site)], site: site, over: ["site", "status"])
            case 3: try device.change(EventType.loanReturned, tag: tag, payload: [:], over: ["site", "status"])
            case 4:
                try device.change(
                    EventType.repairLogged, tag: tag,
                    payload: [
                        "problem": .string("stapel"),
                        "conditionAfter": .string(["good", "fair", "poor"][Int(random.next() % 3)]),
                    ],
                    over: ["condition"])
            case 5: try sync(device)
            case 6: try importAndResolve()
            default:
                try sync(device)
                try importAndResolve()
            }
        }
        // Full rounds: every laptop delivers and gets its receipt, twice, so resolutions made at
        // headquarters in the first reach everyone.
        for _ in 0..<2 {
            for device in devices { try sync(device) }
            try world.importAt([stick.folder])
            for device in devices { try sync(device) }
        }
        return History(world: world, devices: devices, archives: archives, resolutions: resolutions)
    }

    /// What a store shows for the test instruments: value of each attribute, its heads, its conflicts.
    static func values(_ store: Store) throws -> [String] {
        try tags.map { tag in
            let state = try #require(try store.instrumentState(tag: tag))
            let heads = state.heads.keys.sorted().map { "\($0)=\(state.heads[$0] ?? [])" }
            return "\(tag) \(state.site) \(state.status) \(state.condition) \(heads) \(state.conflicts.keys.sorted())"
        }
    }

    @Test(
        "every laptop shows headquarters' values after a full round; every order and batching gives one digest",
        arguments: [UInt64(1), 2, 3, 20_261_127])
    func converges(seed: UInt64) throws {
        let history = try Self.history(seed: seed)
        let world = history.world
        let hub = world.hubStore

        // Nothing is lost: headquarters holds every laptop's whole log, without a gap.
        for device in history.devices {
            let summary = try #require(try hub.hubSummaries().first { $0.device == device.id })
            #expect(summary.through == (try device.store.highestSeq(of: device.id)), "seed \(seed)")
            #expect(summary.gaps.isEmpty, "seed \(seed)")
            #expect(try device.store.undeliveredEvents().isEmpty, "seed \(seed)")
        }
        let expected = try Self.values(hub)
        for device in history.devices {
            #expect(try Self.values(device.store) == expected, "seed \(seed): \(device.id) differs from headquarters")
        }

        // No clock decides: every conflict's provisional value is its lowest event id's.
        for conflict in try hub.openConflicts() {
            let lowest = try #require(conflict.sides.min { $0.event < $1.event })
            #expect(conflict.provisional == lowest.value, "seed \(seed): \(conflict)")
        }
        let clocks = try hub.clockAnomalies(now: world.clock.now)
        #expect((clocks[history.devices[1].id]?.beforeTwentyTwenty ?? 0) > 0, "seed \(seed): 1970 is flagged")
        #expect((clocks[history.devices[2].id]?.aheadOfNow ?? 0) > 0, "seed \(seed): 2038 is flagged")

        // The same archives and headquarters' own resolutions, imported into fresh headquarters
        // in shuffled orders and batches (with repeats), give the same digest.
        let own = try hub.events(of: try hub.device().id)
        let digest = try hub.stateDigest()
        var random = SeededRandom(seed: seed ^ 0x5eed)
        for replay in 0..<6 {
            let (fresh, store) = try world.freshHub("replay-\(replay)", enrolling: history.devices)
            var rest = history.archives.shuffled(using: &random)
            rest += rest.prefix(Int(random.next() % 3))
            // Batches of one to five archives; nil is where headquarters' own events arrive.
            var steps: [[String]?] = []
            while !rest.isEmpty {
                let size = min(rest.count, 1 + Int(random.next() % 5))
                steps.append(Array(rest.prefix(size)))
                rest.removeFirst(size)
            }
            steps.insert(nil, at: Int(random.next() % UInt64(steps.count + 1)))
            for step in steps {
                guard let batch = step else {
                    try store.merge(own)
                    continue
                }
                let report = try world.importAt(batch, store: store, hub: fresh)
                #expect(report.problems == 0, "seed \(seed), replay \(replay): \(report.archives)")
            }
            #expect(try store.stateDigest() == digest, "seed \(seed), replay \(replay)")
            try store.refoldAllInstruments()
            #expect(try store.stateDigest() == digest, "seed \(seed), replay \(replay): kept folds differ")
        }
        print("conflict property seed \(seed): \(history.archives.count) archives, \(history.resolutions) resolutions")
    }
}

import FieldKitBundles
import FieldKitCore
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

@Suite("sync: headquarters' decisions about instruments are refused clearly when they cannot hold")
struct MasterDataTests {
    /// Expects `body` to throw `failure` and leave headquarters' state digest unchanged.
    func expectRefused(_ world: SyncWorld, _ failure: StoreFailure, _ body: () throws -> Void) throws {
        let digest = try world.hubStore.stateDigest()
        #expect(throws: failure) { try body() }
        #expect(try world.hubStore.stateDigest() == digest)
    }

    @Test("retiring an unknown tag, confirming twice, mapping to a retired instrument, watermarks going backwards")
    func refusals() throws {
        let world = try SyncWorld("master-refusals")
        let laptop = try world.device("laptop-a", site: "CUR-01")
        let registered = try laptop.change(
            EventType.instrumentRegistered, tag: "P-TEST-1",
            payload: ["type": .string("violin"), "site": .string("CUR-01")],
            site: "CUR-01", over: [])
        try laptop.change(
            EventType.instrumentRegistered, tag: "P-TEST-2",
            payload: ["type": .string("violin"), "site": .string("CUR-01")],
            site: "CUR-01", over: [])
        let stick = try world.stick()
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        #expect(registered.event.payload["tag"]?.stringValue == "P-TEST-1")

        try expectRefused(world, .noSuchInstrument("LO-VN-999999")) {
            _ = try world.hubStore.retireInstrument("LO-VN-999999", reason: "x", environment: world.environment)
        }
        let confirmed = try world.hubStore.decideProvisional(
            "P-TEST-1", to: nil, prefix: "LO-VN-", environment: world.environment)
        #expect(confirmed.event.payload["tag"]?.stringValue == "LO-VN-000004", "one above the highest LO-VN- tag")
        try expectRefused(world, .instrumentRule("P-TEST-1 was confirmed as or mapped to LO-VN-000004 already")) {
            _ = try world.hubStore.decideProvisional(
                "P-TEST-1", to: nil, prefix: "LO-VN-", environment: world.environment)
        }
        _ = try world.hubStore.retireInstrument("LO-VN-000002", reason: "gebarsten", environment: world.environment)
        #expect(try world.hubStore.instrumentState(tag: "LO-VN-000002")?.status == "retired")
        try expectRefused(world, .instrumentRule("LO-VN-000002 is retired already")) {
            _ = try world.hubStore.retireInstrument("LO-VN-000002", reason: "x", environment: world.environment)
        }
        try expectRefused(
            world, .instrumentRule("LO-VN-000002 is retired: an instrument cannot be mapped to it")
        ) {
            _ = try world.hubStore.decideProvisional(
                "P-TEST-2", to: "LO-VN-000002", prefix: "", environment: world.environment)
        }
        try expectRefused(world, .instrumentRule("P-TEST-1 is a provisional tag of LO-VN-000004: retire LO-VN-000004"))
        {
            _ = try world.hubStore.retireInstrument("P-TEST-1", reason: "x", environment: world.environment)
        }

        // A snapshot in force; one whose watermark for the laptop is lower is refused.
        let snapshot = try world.hubStore.makeSnapshot()
        #expect(snapshot.watermarks[laptop.id] == 2)
        try SnapshotPropertyTests.install(try SnapshotPropertyTests.rows(snapshot), version: 2, in: world.hubStore)
        var older = snapshot
        older.watermarks[laptop.id] = 1
        try expectRefused(world, .watermarkBackwards(device: laptop.id, installed: 2, offered: 1)) {
            try SnapshotPropertyTests.install(try SnapshotPropertyTests.rows(older), version: 3, in: world.hubStore)
        }
        #expect(try world.hubStore.watermarks()[laptop.id] == 2)
        var base = snapshot
        base.watermarks = [:]
        let digest = try world.hubStore.stateDigest()
        #expect(throws: StoreFailure.self, "a bundle without watermarks cannot replace a snapshot with them") {
            try SnapshotPropertyTests.install(try SnapshotPropertyTests.rows(base), version: 4, in: world.hubStore)
        }
        #expect(try world.hubStore.stateDigest() == digest)
    }

    @Test("a snapshot folder reads back whole; another inventory beside its snapshot.json is refused")
    func snapshotFilesBound() throws {
        let world = try SyncWorld("master-snapshot-files")
        let laptop = try world.device("laptop-a", site: "CUR-01")
        try laptop.move("LO-VN-000001", to: "CUR-02")
        let stick = try world.stick()
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        let folder = world.folder.appending("snapshot")
        let written = try SnapshotFiles.write(try world.hubStore.makeSnapshot(), created: "x", to: folder)
        let (info, inventory) = try SnapshotFiles.read(folder)
        #expect(info == written)
        #expect(inventory.count == SyncWorld.snapshot.count)
        #expect(inventory.first { $0.tag == "LO-VN-000001" }?.site == "CUR-02")
        #expect(info.watermarks[laptop.id] == 1)

        // An interrupted second run: a new inventory beside the old snapshot.json.
        let text = try FileLayer.readText(folder + "/inventory.jsonl")
        try FileLayer.writeAtomically(
            Data(text.replacingOccurrences(of: "CUR-02", with: "AMS-01").utf8), to: folder + "/inventory.jsonl")
        #expect(throws: BundleFailure.self) { try SnapshotFiles.read(folder) }
        do { _ = try SnapshotFiles.read(folder) } catch {
            #expect(error.message.contains("is not the inventory"), "\(error.message)")
        }
        try FileLayer.writeAtomically(Data("{}".utf8), to: folder + "/snapshot.json")
        do { _ = try SnapshotFiles.read(folder) } catch {
            #expect(error.message.contains("is not a snapshot fieldkit wrote"), "\(error.message)")
        }
    }

    @Test("a laptop's archive holding a decision only headquarters makes is quarantined, nothing merged")
    func decisionsOnlyAtHeadquarters() throws {
        let world = try SyncWorld("master-only-hq")
        let laptop = try world.device("laptop-a", site: "CUR-01")
        try laptop.change(
            EventType.instrumentRegistered, tag: "P-TEST-1",
            payload: ["type": .string("violin"), "site": .string("CUR-01")],
            site: "CUR-01", over: [])
        try laptop.change(
            EventType.instrumentMapped, tag: "LO-VN-000001", payload: ["provisional": .string("LO-VN-000002")], over: []
        )
        let stick = try world.stick()
        try laptop.sync(stick)
        let digest = try world.hubStore.stateDigest()
        let report = try world.importAt([stick.folder])
        #expect(report.archives.map(\.outcome) == ["quarantined"])
        #expect(
            report.archives.first?.reason?.contains("which only headquarters decides") == true, "\(report.archives)")
        #expect(try world.hubStore.stateDigest() == digest)
        #expect(try world.hubStore.instrumentState(tag: "LO-VN-000002")?.tag == "LO-VN-000002")
    }

    @Test("a laptop following the depot tag gets the events another laptop records on the provisional tag, and back")
    func receiptsFollowAliases() throws {
        let world = try SyncWorld("master-alias-receipts")
        let field = try world.device("laptop-field", site: "CUR-01")
        let depot = try world.device("laptop-depot", site: "AMS-01")
        try field.change(
            EventType.instrumentRegistered, tag: "P-TEST-1",
            payload: ["type": .string("violin"), "site": .string("CUR-01")],
            site: "CUR-01", over: [])
        try depot.repair("LO-VN-000001")
        let stick = try world.stick()
        for device in [field, depot] { try device.sync(stick) }
        try world.importAt([stick.folder])
        for device in [field, depot] { try device.sync(stick) }
        _ = try world.hubStore.decideProvisional(
            "P-TEST-1", to: "LO-VN-000001", prefix: "", environment: world.environment)
        // Each records on the tag it knows; each must end up with the other's record.
        try field.change(
            EventType.repairLogged, tag: "P-TEST-1",
            payload: ["problem": .string("kam"), "conditionAfter": .string("poor")],
            site: "CUR-01", over: ["condition"])
        try depot.change(
            EventType.loanMoved, tag: "LO-VN-000001", payload: ["to": .string("AMS-01")], site: "AMS-01", over: ["site"]
        )
        for _ in 0..<2 {
            for device in [field, depot] { try device.sync(stick) }
            try world.importAt([stick.folder])
            for device in [field, depot] { try device.sync(stick) }
        }
        var expected = try #require(try world.hubStore.instrumentState(tag: "LO-VN-000001"))
        expected.overridden = nil
        #expect(expected.condition == "poor")
        for device in [field, depot] {
            for tag in ["P-TEST-1", "LO-VN-000001"] {
                var shown = try #require(try device.store.instrumentState(tag: tag))
                shown.overridden = nil
                #expect(shown == expected, "\(device.id) shows \(tag) as headquarters does")
            }
        }
    }
}

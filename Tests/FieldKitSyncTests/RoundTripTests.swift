import FieldKitCore
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

@Suite("sync: a round trip through one stick")
struct RoundTripTests {
    @Test("every event arrives once, receipts mark delivery, the stick is tidied and devices see each other's moves")
    func roundTrip() throws {
        let world = try SyncWorld("sync-round-trip")
        let stick = try world.stick()
        let amsterdam = try world.device("laptop-a", site: "AMS-01")
        let curacao = try world.device("laptop-b", site: "CUR-01")
        let photo = try amsterdam.photo(Data("a jpeg, honestly".utf8))
        try amsterdam.repair("LO-VN-000001", photos: [photo], by: Person(id: "p-anna", name: "Anna"))
        try amsterdam.move("LO-VN-000001", to: "CUR-01")
        try curacao.repair("LO-VC-000002")

        #expect(try amsterdam.sync(stick).written == [SeqRange(1, 2)])
        #expect(try curacao.sync(stick).written == [SeqRange(1, 1)])
        let first = try world.importAt([stick.folder])
        #expect(first.archives.map(\.outcome) == ["accepted", "accepted"])
        #expect(first.acceptedEvents == 3)
        #expect(first.receipts.count == 2)
        #expect(FileLayer.exists(world.hub.blobs + "/" + photo))
        #expect(try world.hubStore.people(ids: ["p-anna"]) == [Person(id: "p-anna", name: "Anna")])

        let back = try amsterdam.sync(stick)
        #expect(back.receipts.map(\.outcome) == ["applied"])
        #expect(back.written.isEmpty)
        #expect(try amsterdam.store.deliveredThrough()[amsterdam.id] == 2)
        let backB = try curacao.sync(stick)
        #expect(backB.receipts.first?.added == 2, "the move and the repair of the instrument now at CUR-01")
        #expect(try curacao.store.instrumentState(tag: "LO-VN-000001")?.site == "CUR-01")
        #expect(try curacao.store.people(ids: ["p-anna"]).map(\.name) == ["Anna"])
        #expect(stick.archives(of: amsterdam.id).isEmpty)
        #expect(stick.archives(of: curacao.id).isEmpty)
        #expect(stick.receipts(for: amsterdam.id).isEmpty)

        // Record more, around again: only the new events travel, and the other device sees them.
        try curacao.move("LO-VN-000001", to: "CUR-02")
        try amsterdam.repair("LO-VN-000003")
        #expect(try curacao.sync(stick).written == [SeqRange(2, 2)])
        #expect(try amsterdam.sync(stick).written == [SeqRange(3, 3)])
        let second = try world.importAt([stick.folder])
        #expect(second.acceptedEvents == 2)
        #expect(try amsterdam.sync(stick).receipts.first?.added == 1, "B's move of an instrument A moved")
        #expect(try amsterdam.store.instrumentState(tag: "LO-VN-000001")?.site == "CUR-02")
        try curacao.sync(stick)
        for device in [amsterdam, curacao] {
            #expect(try device.store.undeliveredEvents().isEmpty)
            #expect(stick.archives(of: device.id).isEmpty)
        }
        let summaries = try world.hubStore.hubSummaries()
        #expect(summaries.map(\.through) == summaries.map(\.highest))
        #expect(summaries.allSatisfy { $0.gaps.isEmpty && $0.acknowledgedReceipt >= 1 })
        #expect(try world.hubStore.counts().events == 5)
    }

    @Test("a second sync before headquarters answers writes nothing new; a damaged copy is written again")
    func skipsRangesAlreadyThere() throws {
        let world = try SyncWorld("sync-skip")
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        try device.repair("LO-VN-000001")
        try device.repair("LO-VN-000002")
        #expect(try device.sync(stick).written == [SeqRange(1, 2)])
        try device.repair("LO-VN-000003")
        let again = try device.sync(stick)
        #expect(again.kept == [SeqRange(1, 2)])
        #expect(again.written == [SeqRange(3, 3)])

        let path = try #require(stick.archives(of: device.id).first?.path)
        var bytes = try FileLayer.read(path, limit: 1 << 20)
        bytes[bytes.count / 2] ^= 0xFF
        try Mailbox.place(bytes, at: path)
        let repaired = try device.sync(stick)
        #expect(repaired.replaced == [(path as NSString).lastPathComponent])
        #expect(repaired.written == [SeqRange(1, 2)])
        #expect(try world.importAt([stick.folder]).acceptedEvents == 3)
    }

    @Test("a dry run lists the stick and changes nothing")
    func dryRun() throws {
        let world = try SyncWorld("sync-dry")
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        try device.repair("LO-VN-000001")
        try device.sync(stick)
        try world.importAt([stick.folder])
        let before = try FileManager.default.subpathsOfDirectory(atPath: stick.root).sorted()
        let plan = try device.sync(stick, dryRun: true)
        #expect(plan.receipts.map(\.outcome) == ["would apply"])
        #expect(plan.removed.count == 1)
        #expect(plan.mailbox[device.id]?.outbound == [SeqRange(1, 1)])
        #expect(plan.mailbox[device.id]?.receipts == [1])
        #expect(try FileManager.default.subpathsOfDirectory(atPath: stick.root).sorted() == before)
        #expect(try device.store.lastReceiptVersion() == 0)
    }

    @Test("the same archive again, or the same events in new bytes, is already imported and changes nothing")
    func idempotent() throws {
        let world = try SyncWorld("sync-idempotent")
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        try device.repair("LO-VN-000001")
        try device.sync(stick)
        let copy = try world.stick("copy")
        try FileLayer.makeFolder(copy.outbound(device.id))
        for file in FileLayer.list(stick.outbound(device.id)) {
            try FileManager.default.copyItem(
                atPath: stick.outbound(device.id) + "/" + file, toPath: copy.outbound(device.id) + "/" + file)
        }
        try world.importAt([stick.folder])
        let digest = try world.hubStore.stateDigest()
        #expect(try world.importAt([copy.folder]).archives.map(\.outcome) == ["already imported"])
        // New bytes for the same range: another `created` in the statement.
        let reexport = try world.stick("reexport")
        try FileLayer.makeFolder(reexport.outbound(device.id))
        try ChangeArchive.write(
            try device.store.events(of: device.id), people: [], blobs: [:], key: device.keys.signing,
            created: "2030-01-01T00:00:00.000Z", receipt: 0, sealTo: world.hubKeys.sealing.publicKey,
            into: reexport.outbound(device.id))
        #expect(try world.importAt([reexport.folder]).archives.map(\.outcome) == ["already imported"])
        #expect(try world.hubStore.stateDigest() == digest)
    }

    @Test("a folder that does not take files is refused before anything is written; the store is unchanged")
    func unusableFolder() throws {
        let world = try SyncWorld("sync-unusable")
        let device = try world.device("laptop-a", site: "AMS-01")
        try device.repair("LO-VN-000001")
        let stick = try world.stick(prepared: false)
        // Where the mailbox folder should be there is a file: nothing can be made under it.
        try FileLayer.writeAtomically(Data("not a folder".utf8), to: stick.root)
        let digest = try device.store.stateDigest()
        let failure = #expect(throws: SyncFailure.self) { try device.sync(stick) }
        #expect(failure?.message.hasPrefix("the sync folder \(stick.outbound(device.id)) cannot be used: ") == true)
        #expect(failure?.exitStatus == .cantCreate)
        #expect(try FileLayer.readText(stick.root) == "not a folder")
        #expect(try device.store.stateDigest() == digest)
        #expect(try device.store.undeliveredEvents().count == 1)
        let missing = Mailbox(folder: world.folder.appending("no-such-stick"))
        #expect(
            throws: SyncFailure.mailboxUnusable(path: missing.folder, reason: "it does not exist or is not a folder")
        ) {
            try device.sync(missing)
        }
    }
}

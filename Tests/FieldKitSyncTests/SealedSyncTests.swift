import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

@Suite("sync: sealed archives and receipts between devices and headquarters")
struct SealedSyncTests {
    /// Expects `path` to be quarantined at import with a reason containing `reason`.
    func expectQuarantined(_ world: SyncWorld, _ inputs: [String], reason: String) throws {
        let report = try world.importAt(inputs, keys: try DeviceKeys.load(from: world.hub.folder))
        #expect(report.archives.map(\.outcome) == ["quarantined"], "\(report.archives)")
        #expect(report.archives.first?.reason?.contains(reason) == true, "\(report.archives)")
    }

    @Test("an enrolled device that re-signs another device's sealed archive as its own is refused: it does not open")
    func resignedByAnotherDevice() throws {
        let world = try SyncWorld("sealed-resigned")
        let victim = try world.device("laptop-a", site: "AMS-01")
        let thief = try world.device("laptop-b", site: "CUR-01")
        try victim.repair("LO-VN-000001")
        let stick = try world.stick()
        try victim.sync(stick)
        let original = try #require(stick.archives(of: victim.id).first?.path)
        #expect(original.hasSuffix(".sealed"))

        // The thief copies the sealed bytes under its own name and signs them with its own key,
        // with a statement naming itself (it cannot sign as the victim).
        let theirs = try world.stick("theirs", prepared: false)
        try FileLayer.makeFolder(theirs.outbound(thief.id))
        let forged = theirs.outbound(thief.id) + "/" + Mailbox.archiveName(device: thief.id, range: SeqRange(1, 1))
        try FileLayer.writeAtomically(try FileLayer.read(original, limit: 1 << 20), to: forged)
        var statement = try SignedFile.parseStatement(try SignedFile.readSignature(of: original).trustedComment)
        statement["device"] = .string(thief.id)
        _ = try SignedFile.sign(forged, key: thief.keys.signing, statement: statement)
        #expect(try ChangeArchive.verify(forged, key: thief.keys.signing.publicKey).statement.device == thief.id)
        try expectQuarantined(world, [theirs.folder], reason: "does not open")
        #expect(try world.hubStore.counts().events == 0)

        // The untouched original still imports.
        let report = try world.importAt([stick.folder])
        #expect(report.archives.map(\.outcome) == ["accepted"])
        #expect(report.archives.map(\.sealed) == [true])
    }

    @Test(
        "chunks cut, dropped, repeated or swapped, even signed again by the device itself, do not open at headquarters")
    func chunksTamperedAndResigned() throws {
        let world = try SyncWorld("sealed-chunks")
        let laptop = try world.device("laptop-a", site: "AMS-01")
        var random = SeededRandom(seed: 7)
        let photo = try laptop.photo(Data((0..<200_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        try laptop.repair("LO-VN-000001", photos: [photo])
        let stick = try world.stick()
        try laptop.sync(stick)
        let original = try #require(stick.archives(of: laptop.id).first?.path)
        let sealed = try FileLayer.read(original, limit: 1 << 22)
        let statement = try SignedFile.parseStatement(try SignedFile.readSignature(of: original).trustedComment)
        let header = sealed.prefix(Sealing.headerSize)
        let whole = Sealing.chunkSize + Sealing.tagSize
        let body = sealed.dropFirst(Sealing.headerSize)
        let chunks = stride(from: body.startIndex, to: body.endIndex, by: whole).map {
            Data(body[$0..<min($0 + whole, body.endIndex)])
        }
        #expect(chunks.count == 4, "the photo makes four chunks")
        let variants: [String: Data] = [
            "cut": header + chunks[0] + chunks[1] + chunks[2],
            "dropped": header + chunks[0] + chunks[2] + chunks[3],
            "repeated": header + chunks[0] + chunks[1] + chunks[1] + chunks[2] + chunks[3],
            "swapped": header + chunks[1] + chunks[0] + chunks[2] + chunks[3],
        ]
        for (name, bytes) in variants.sorted(by: { $0.key < $1.key }) {
            let mailbox = try world.stick(name, prepared: false)
            try FileLayer.makeFolder(mailbox.outbound(laptop.id))
            let path = mailbox.outbound(laptop.id) + "/" + (original as NSString).lastPathComponent
            try FileLayer.writeAtomically(bytes, to: path)
            _ = try SignedFile.sign(path, key: laptop.keys.signing, statement: statement)
            let stock = try Tools.run("minisign", ["-V", "-p", laptop.folder + "/keys/device.pub", "-m", path])
            #expect(stock.status == 0, "\(name): the signature is fine, \(stock.stderr)")
            try expectQuarantined(world, [mailbox.folder], reason: "does not open")
        }
        #expect(try world.hubStore.counts().events == 0)
        #expect(try world.importAt([stick.folder]).archives.map(\.outcome) == ["accepted"])
    }

    @Test("a receipt sealed to another device's key is refused by the device it is addressed to")
    func receiptSealedToAnother() throws {
        let world = try SyncWorld("sealed-receipt-other")
        let laptop = try world.device("laptop-a", site: "AMS-01")
        let other = try world.device("laptop-b", site: "CUR-01")
        try laptop.repair("LO-VN-000001")
        let stick = try world.stick()
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        let good = try #require(stick.receipts(for: laptop.id).first?.path)
        Mailbox.remove(signed: good)
        let plan = try world.hubStore.planReceipt(device: laptop.id)
        try Receipt.write(
            plan, key: world.hubKeys.signing, trust: try world.hub.trustFiles(), issued: "x",
            sealTo: other.keys.sealing.publicKey, into: stick)
        let digest = try laptop.store.stateDigest()
        let refused = try laptop.sync(stick)
        #expect(refused.receipts.map(\.outcome) == ["refused"])
        #expect(
            refused.receipts.first?.reason?.contains("sealed to sealing key \(other.keys.sealing.keyID.minisignHex)")
                == true, "\(refused.receipts)")
        #expect(try laptop.store.stateDigest() == digest)
        #expect(try laptop.store.deliveredThrough()[laptop.id] ?? 0 == 0)
    }

    @Test(
        "after a sealing-key rotation: the old key opens archives within 180 days; after, they are refused and sealed again"
    )
    func rotationGrace() throws {
        let world = try SyncWorld("sealed-grace")
        let early = try world.device("laptop-a", site: "AMS-01")
        let late = try world.device("laptop-b", site: "CUR-01")
        try early.repair("LO-VN-000001")
        try late.repair("LO-VN-000002")
        let oldSealing = world.hubKeys.sealing.keyID.minisignHex
        let earlyStick = try world.stick("early")
        let lateStick = try world.stick("late")
        try early.sync(earlyStick)
        try late.sync(lateStick)
        #expect(try late.sync(lateStick, dryRun: true).sealedTo == oldSealing)

        let rootKey = try DeviceKeys.loadSigningKey(world.folder.appending("root/" + HubFolder.rootKeyName))
        let rotation = try world.hub.rotate(
            store: world.hubStore, rootKey: rootKey, newRoot: nil, signing: false, sealing: true,
            issued: "2026-03-15", expires: "2028-03-15")
        #expect(rotation.sealing != oldSealing)

        // Within the grace period the retired key still opens what was sealed to it.
        let within = try world.importAt([earlyStick.folder], keys: try DeviceKeys.load(from: world.hub.folder))
        #expect(within.archives.map(\.outcome) == ["accepted"])

        // 181 days after the rotation it does not; the receipt brings the new statement, and
        // the laptop seals its events again to the new key.
        world.clock.set(Date(timeIntervalSince1970: 1_773_532_800 + 181 * 86_400))
        try expectQuarantined(world, [lateStick.folder], reason: "retired on 2026-03-15, more than 180 days ago")
        let again = try late.sync(lateStick)
        #expect(again.receipts.map(\.outcome) == ["applied"])
        #expect(again.replaced.count == 1, "the archive sealed to the retired key is written again: \(again)")
        #expect(again.sealedTo == rotation.sealing)
        let accepted = try world.importAt([lateStick.folder], keys: try DeviceKeys.load(from: world.hub.folder))
        #expect(accepted.archives.map(\.outcome) == ["accepted"])
        #expect(try world.hubStore.counts().events == 2)
    }

    @Test(
        "a device that knows no sealing key writes nothing and says how to get one; --unsealed writes readable archives"
    )
    func noSealingKey() throws {
        let world = try SyncWorld("sealed-no-key")
        let laptop = try world.device("laptop-a", site: "AMS-01")
        try laptop.repair("LO-VN-000001")
        let bare = try world.stick("bare", prepared: false)
        #expect(throws: SyncFailure.noSealingKey) { try laptop.sync(bare) }
        #expect(bare.archives(of: laptop.id).isEmpty)
        #expect(try laptop.store.undeliveredEvents().count == 1)

        let plain = try DeviceSync(
            store: laptop.store, dataFolder: laptop.folder, keys: laptop.keys, mailbox: bare, wall: "x", unsealed: true
        ).run(dryRun: false)
        #expect(plain.unsealed)
        let path = try #require(bare.archives(of: laptop.id).first?.path)
        #expect(path.hasSuffix(".tar.zst"))
        #expect(
            try ArchiveReader.read(try FileLayer.read(path, limit: 1 << 20), limits: ChangeArchive.limits).files[
                "events.jsonl"] != nil)
        let report = try world.importAt([bare.folder])
        #expect(report.archives.map(\.outcome) == ["accepted"])
        #expect(report.archives.map(\.sealed) == [false])
    }
}

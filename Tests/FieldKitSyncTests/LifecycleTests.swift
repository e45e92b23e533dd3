import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

@Suite("sync: trust over time, revoked and replaced laptops, headquarters' backup")
struct LifecycleTests {
    /// Headquarters' current root secret key.
    func rootKey(_ world: SyncWorld) throws -> SigningSecretKey {
        try DeviceKeys.loadSigningKey(world.folder.appending("root/" + HubFolder.rootKeyName))
    }

    func rotate(_ world: SyncWorld, root: SigningSecretKey, to newRoot: SigningSecretKey? = nil) throws
        -> HubFolder.Rotation
    {
        try world.hub.rotate(
            store: world.hubStore, rootKey: root, newRoot: newRoot, signing: true, sealing: true, issued: "2026-04-01",
            expires: "2028-04-01")
    }

    /// Imports with headquarters' current keys (a rotation replaces them).
    @discardableResult
    func importNow(_ world: SyncWorld, _ inputs: [String]) throws -> HubImport.Report {
        try world.importAt(inputs, keys: try DeviceKeys.load(from: world.hub.folder))
    }

    @Test("new signing and sealing keys reach a device in its next receipt; an older statement is refused after")
    func signingRotation() throws {
        let world = try SyncWorld("lifecycle-signing")
        let stick = try world.stick()
        let laptop = try world.device("laptop", site: "AMS-01")
        try laptop.repair("LO-VN-000001")
        try laptop.sync(stick)
        try importNow(world, [stick.folder])
        let oldTrust = try world.hub.trustFiles()
        let oldKeys = try DeviceKeys.load(from: world.hub.folder)
        #expect(try laptop.sync(stick).receipts.map(\.trustVersion) == [1])

        let rotation = try rotate(world, root: try rootKey(world))
        #expect(rotation.version == 2)
        #expect(rotation.retiredKeys.count == 2)
        #expect(rotation.retiredKeys.allSatisfy(FileLayer.exists))
        let newKeys = try DeviceKeys.load(from: world.hub.folder)
        #expect(newKeys.signing.keyID != oldKeys.signing.keyID)
        #expect(try world.hub.currentTrust(store: world.hubStore, keys: newKeys).version == 2)

        try laptop.repair("LO-VN-000002")
        try laptop.sync(stick)
        let report = try importNow(world, [stick.folder])
        let receipt = try #require(report.receipts.first?.file)
        #expect(try SignedFile.readSignature(of: receipt).keyID == newKeys.signing.keyID)
        let applied = try laptop.sync(stick)
        #expect(applied.receipts.map(\.outcome) == ["applied"])
        #expect(try laptop.store.installedTrustVersion(root: world.root.keyID.minisignHex) == 2)

        // Headquarters' old statement and old key, offered after the new: refused, nothing applied.
        try laptop.repair("LO-VN-000003")
        try laptop.sync(stick)
        try importNow(world, [stick.folder])
        let plan = try world.hubStore.planReceipt(device: laptop.id)
        for name in FileLayer.list(stick.inbound(laptop.id)) { unlink(stick.inbound(laptop.id) + "/" + name) }
        try Receipt.write(
            plan, key: oldKeys.signing, trust: oldTrust, issued: "x", sealTo: laptop.keys.sealing.publicKey, into: stick
        )
        let stale = try laptop.sync(stick)
        #expect(stale.receipts.map(\.outcome) == ["refused"])
        #expect(stale.receipts.first?.reason?.contains("older than version 2") == true, "\(stale.receipts)")
        #expect(try laptop.store.deliveredThrough()[laptop.id] == 2)

        // A receipt vouched for by a development statement is refused, even under the right root.
        let development = try TrustStatement(
            version: 9, issued: "2026-04-01", expires: "2099-01-01", root: world.root.keyID,
            signing: [newKeys.signing.publicKey], sealing: nil, development: true
        ).signed(by: try rootKey(world))
        for name in FileLayer.list(stick.inbound(laptop.id)) { unlink(stick.inbound(laptop.id) + "/" + name) }
        try Receipt.write(
            plan, key: newKeys.signing, trust: TrustFiles(json: development.json, signature: development.signature),
            issued: "x", sealTo: laptop.keys.sealing.publicKey, into: stick)
        let dev = try laptop.sync(stick)
        #expect(dev.receipts.first?.reason?.contains("development") == true, "\(dev.receipts)")

        // An interrupted rotation (keys replaced, statement not yet) stops headquarters from signing.
        let stray = DeviceKeys.generate()
        try FileLayer.writeAtomically(
            Data(stray.signing.fileText.utf8), to: world.hub.folder + "/keys/device.key", mode: 0o600)
        #expect(throws: SyncFailure.self) {
            try world.hub.currentTrust(store: world.hubStore, keys: try DeviceKeys.load(from: world.hub.folder))
        }
    }

    @Test("a new root reaches a device through the old root's handover; without the handover it is refused")
    func rootRotation() throws {
        let world = try SyncWorld("lifecycle-root")
        let stick = try world.stick()
        let other = try world.stick("other-stick")
        let laptop = try world.device("laptop", site: "AMS-01")
        let second = try world.device("second", site: "CUR-01")
        let newRoot = SigningSecretKey.generate()
        let rotation = try rotate(world, root: try rootKey(world), to: newRoot)
        #expect(rotation.rootChanged)
        #expect(try world.hubStore.device().hqRoot == newRoot.publicKey.fileText())

        try laptop.repair("LO-VN-000001")
        try laptop.sync(stick)
        try importNow(world, [stick.folder])
        #expect(FileLayer.list(stick.inbound(laptop.id)).contains { RootHandover.isFileName($0) })
        let moved = try laptop.sync(stick)
        #expect(moved.receipts.map(\.outcome) == ["applied"], "\(moved.receipts)")
        #expect(moved.receipts.first?.newRoot == newRoot.keyID.minisignHex)
        #expect(try laptop.store.device().hqRoot == newRoot.publicKey.fileText())

        // Afterwards content under the new root verifies directly (no handover needed).
        try laptop.repair("LO-VN-000002")
        try laptop.sync(stick)
        try importNow(world, [stick.folder])
        for name in FileLayer.list(stick.inbound(laptop.id)) where RootHandover.isFileName(name) {
            unlink(stick.inbound(laptop.id) + "/" + name)
        }
        #expect(try laptop.sync(stick).receipts.map(\.outcome) == ["applied"])

        // A device still pinned to the old root refuses the new root when the handover is missing.
        try second.repair("LO-VC-000002")
        try second.sync(other)
        try importNow(world, [other.folder])
        for name in FileLayer.list(other.inbound(second.id)) where name.hasPrefix("trust-handover-") {
            unlink(other.inbound(second.id) + "/" + name)
        }
        let refused = try second.sync(other)
        #expect(refused.receipts.map(\.outcome) == ["refused"])
        #expect(refused.receipts.first?.reason?.contains("not by the pinned root") == true, "\(refused.receipts)")
        #expect(try second.store.device().hqRoot == world.root.fileText())

        // A "handover" signed by some other key is no handover.
        let forged = try RootHandover(from: world.root.keyID, to: newRoot.publicKey, issued: "2026-04-01").signed(
            by: newRoot)
        let files = TrustFiles(
            json: try world.hub.trustFiles().json, signature: try world.hub.trustFiles().signature,
            handovers: [TrustFiles.Handover(json: forged.json, signature: forged.signature)])
        #expect(throws: TrustFailure.self) { try files.verify(pinned: world.root) }
    }

    @Test("a rotation interrupted after staging is completed by the next rotate; an incomplete staging is discarded")
    func interruptedRotation() throws {
        let world = try SyncWorld("lifecycle-interrupted")
        let root = try rootKey(world)
        // Staged as rotate stages it, then "the power went": keys and statement not yet in place.
        let staged = DeviceKeys.generate()
        let next = try TrustStatement(
            version: 2, issued: "2026-04-01", expires: "2028-04-01", root: root.keyID,
            signing: [staged.signing.publicKey], sealing: staged.sealing.publicKey, development: false
        ).signed(by: root)
        let pending = world.hub.pendingRotation
        try FileLayer.makeFolder(pending)
        try FileLayer.writeAtomically(Data(staged.signing.fileText.utf8), to: pending + "/device.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(staged.sealing.fileText.utf8), to: pending + "/sealing.key", mode: 0o600)
        try FileLayer.writeAtomically(next.json, to: pending + "/trust.json")
        try FileLayer.writeAtomically(next.signature, to: pending + "/trust.json.minisig")
        let completed = try rotate(world, root: root)
        #expect(completed.completedInterrupted)
        #expect(completed.version == 2)
        #expect(completed.signing == staged.signing.keyID.minisignHex)
        #expect(!FileLayer.exists(pending))
        let keys = try DeviceKeys.load(from: world.hub.folder)
        #expect(try world.hub.currentTrust(store: world.hubStore, keys: keys).version == 2)

        // A staging cut short before its signature is thrown away; the rotation runs afresh.
        try FileLayer.makeFolder(pending)
        try FileLayer.writeAtomically(next.json, to: pending + "/trust.json")
        let fresh = try rotate(world, root: root)
        #expect(!fresh.completedInterrupted)
        #expect(fresh.version == 3)
    }

    @Test("a new root pinned through a handover starts from the old root's trust and bundle versions")
    func handoverKeepsFloors() throws {
        let world = try SyncWorld("lifecycle-floors")
        let laptop = try world.device("laptop", site: "AMS-01")
        // SyncWorld installs bundle version 1 under the root id "ROOT", trust version 1.
        try laptop.store.pinRoot(world.root.fileText(), root: "NEWROOT", previous: "ROOT", wall: "x")
        #expect(try laptop.store.installedVersion(root: "NEWROOT") == 1)
        #expect(try laptop.store.installedTrustVersion(root: "NEWROOT") == 1)
        #expect(try laptop.store.device().hqRoot == world.root.fileText())
    }

    @Test("an archive statement claiming an absurd receipt version is refused before it can overflow")
    func absurdReceiptClaim() throws {
        var fields: [String: JSONValue] = [
            "kind": .string("changes"), "format": .int(1), "device": .string("0123456789abcdef"), "first": .int(1),
            "last": .int(1), "head": .string(String(repeating: "a", count: 64)), "count": .int(1),
            "created": .string("x"), "receipt": .int(Int64.max),
        ]
        #expect(throws: SyncFailure.self) { try ChangeArchive.Statement(fields, path: "a") }
        fields["receipt"] = .int(3)
        #expect(try ChangeArchive.Statement(fields, path: "a").receipt == 3)
    }

    @Test("a device pinned to root A refuses receipts of a headquarters under root B")
    func otherHeadquarters() throws {
        let world = try SyncWorld("lifecycle-other-hq")
        let elsewhere = try SyncWorld("lifecycle-elsewhere")
        let stick = try world.stick()
        let laptop = try world.device("laptop", site: "AMS-01")
        try world.enrol(laptop, at: elsewhere.hubStore)
        try laptop.repair("LO-VN-000001")
        try laptop.sync(stick)
        try elsewhere.importAt([stick.folder])
        let refused = try laptop.sync(stick)
        #expect(refused.receipts.map(\.outcome) == ["refused"])
        #expect(refused.receipts.first?.reason?.contains("not by the pinned root") == true)
        #expect(try laptop.store.deliveredThrough()[laptop.id] ?? 0 == 0)
    }

    @Test("a revoked laptop's events up to the cut-off stay; later ones are quarantined and it gets no receipt")
    func revocation() throws {
        let world = try SyncWorld("lifecycle-revoke")
        let stick = try world.stick()
        let laptop = try world.device("laptop", site: "AMS-01")
        for tag in ["LO-VN-000001", "LO-VN-000002", "LO-VN-000003"] { try laptop.repair(tag) }
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        #expect(throws: StoreFailure.revocationBelowHeld(device: laptop.id, after: 2, held: 3)) {
            try world.hubStore.revoke(device: laptop.id, after: 2, reason: "stolen", wall: "x")
        }
        let revocation = try world.hubStore.revoke(device: laptop.id, after: 4, reason: "stolen", wall: "x")
        #expect(revocation.held == 3)
        try laptop.repair("LO-VN-000001")
        try laptop.repair("LO-VN-000002")
        for name in FileLayer.list(stick.inbound(laptop.id)) { unlink(stick.inbound(laptop.id) + "/" + name) }
        try laptop.sync(stick)
        let report = try world.importAt([stick.folder])
        let result = try #require(report.archives.first { $0.range == SeqRange(4, 5) })
        #expect(result.outcome == "quarantined")
        #expect(result.accepted == 1, "seq 4 is before the cut-off")
        #expect(result.reason?.contains("revoked") == true)
        #expect(FileLayer.exists((result.quarantine ?? "") + ".reason"))
        #expect(try world.hubStore.heldRanges(device: laptop.id) == [SeqRange(1, 4)])
        #expect(report.receipts.isEmpty, "a revoked laptop learns nothing new")
        #expect(stick.receipts(for: laptop.id).isEmpty)
        let summary = try #require(try world.hubStore.hubSummaries().first)
        #expect(summary.state == "revoked")
        #expect(summary.revokedAfter == 4)
    }

    @Test("a restored laptop is a new device; it delivers its predecessor's undelivered events exactly once")
    func replacementLaptop() throws {
        let world = try SyncWorld("lifecycle-successor")
        let stick = try world.stick()
        let old = try world.device("old", site: "CUR-01")
        for tag in ["LO-VN-000001", "LO-VN-000002", "LO-VN-000003"] { try old.repair(tag) }
        try old.sync(stick)
        try world.importAt([stick.folder])  // the receipt never reaches the old laptop
        try old.repair("LO-VC-000002")
        try old.move("LO-VC-000002", to: "CUR-02")
        let backup = world.folder.appending("old-backup.sqlite")
        try old.store.backup(toFile: backup)

        // The old laptop dies; its backup is restored on a new one with new keys.
        let folder = world.folder.appending("new")
        try FileLayer.makeFolder(folder)
        let keys = DeviceKeys.generate()
        try keys.write(to: folder)
        let store = try Store.restore(
            from: backup, into: folder,
            device: DeviceRecord(
                id: keys.deviceID, name: "new", currentSite: nil, technician: nil, predecessor: nil,
                createdWall: "2026-04-01T08:00:00.000Z", hqRoot: nil),
            named: nil, environment: world.environment)
        let successor = TestDevice(folder: folder, store: store, keys: keys, world: world)
        #expect(successor.id != old.id)
        #expect(try store.device().predecessor == old.id)
        let own = try store.undeliveredEvents()
        #expect(own.map(\.event.seq) == [1], "the restore is its own seq 1: it never reuses the old device's seqs")
        #expect(own.allSatisfy { $0.event.device == successor.id })

        // A carried archive before the successor is enrolled and linked is refused.
        try successor.sync(stick)
        let early = try world.importAt([stick.folder])
        #expect(early.archives.contains { $0.outcome == "quarantined" && $0.carrier == successor.id })
        for name in FileLayer.list(stick.outbound(old.id)) { unlink(stick.outbound(old.id) + "/" + name) }

        try world.enrol(successor)
        let predecessor = try #require(try world.hubStore.enrolledDevice(old.id))
        #expect(predecessor.revokedAfter == 3, "the old laptop's own key: what headquarters held")
        #expect(predecessor.carriedThrough == 5, "what the restored laptop holds")
        #expect(predecessor.carriedHead == (try store.eventHash(device: old.id, seq: 5)))
        #expect(try world.hubStore.enrolledDevice(successor.id)?.predecessor == old.id)

        // Whoever holds the old laptop cannot add seq 4 and 5 with its key: quarantined. (The old
        // laptop applies the receipt written before it was replaced, so it sends only 4 and 5.)
        try old.sync(stick)
        let thief = try world.importAt([stick.folder])
        #expect(thief.archives.filter { $0.device == old.id }.map(\.outcome) == ["quarantined"], "\(thief.archives)")
        #expect(try world.hubStore.heldRanges(device: old.id) == [SeqRange(1, 3)])
        #expect(stick.archives(of: old.id).map(\.range) == [SeqRange(4, 5)])
        let ownName = Mailbox.archiveName(device: old.id, range: SeqRange(4, 5))

        let sent = try successor.sync(stick)
        #expect(sent.predecessor == old.id)
        #expect(sent.carried == [SeqRange(4, 5)], "its receipt said headquarters holds the old log through seq 3")
        #expect(!sent.removed.contains(ownName) && sent.replaced.isEmpty, "the old laptop's archive is not deleted")
        #expect(FileLayer.exists(stick.outbound(old.id) + "/" + ownName + ".old-laptop"), "set aside, not overwritten")
        let carried = try #require(stick.archives(of: old.id).first)
        #expect(try ChangeArchive.inspect(carried.path).statement.carrier == successor.id)
        #expect(try SignedFile.readSignature(of: carried.path).keyID == keys.signing.keyID)
        let report = try world.importAt([stick.folder])
        #expect(report.archives.filter { $0.carrier == successor.id }.map(\.accepted) == [2], "seq 4 and 5 are new")
        #expect(report.archives.filter { $0.carrier == successor.id }.map(\.outcome) == ["accepted"])
        #expect(try world.hubStore.heldRanges(device: old.id) == [SeqRange(1, 5)])
        #expect(report.receipts.map(\.device) == [successor.id])

        let back = try successor.sync(stick)
        #expect(back.receipts.map(\.outcome) == ["applied"])
        #expect(try store.deliveredThrough()[old.id] == 5)
        #expect(back.carried.isEmpty)
        #expect(stick.archives(of: old.id).isEmpty, "acknowledged: the old laptop's own archives go too")
        let again = try world.importAt([stick.folder])
        #expect(again.acceptedEvents == 0)
        #expect(try world.hubStore.counts().events == 5 + 1)
        let summaries = try world.hubStore.hubSummaries()
        #expect(summaries.first { $0.device == old.id }?.state == "replaced")
        #expect(summaries.first { $0.device == old.id }?.successor == successor.id)
    }

    @Test("hub backup and restore round-trip: same state, same keys, and the restored hub answers devices")
    func hubBackup() throws {
        let world = try SyncWorld("lifecycle-hub-backup")
        let stick = try world.stick()
        let laptop = try world.device("laptop", site: "AMS-01")
        let photo = try laptop.photo(Data("jpeg".utf8))
        try laptop.repair("LO-VN-000001", photos: [photo])
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        let target = world.folder.appending("backup")
        try FileLayer.makeFolder(target)
        let summary = try HubBackup.write(
            hub: world.hub, store: world.hubStore, keys: world.hubKeys, to: target, date: "2026-04-01",
            created: "2026-04-01T12:00:00.000Z")
        #expect(FileLayer.exists(summary.file + ".minisig"))
        #expect(try FileLayer.permissions(of: summary.file) == 0o600, "it holds secret keys")
        let second = try HubBackup.write(
            hub: world.hub, store: world.hubStore, keys: world.hubKeys, to: target, date: "2026-04-01",
            created: "2026-04-01T13:00:00.000Z")
        #expect(second.file.hasSuffix("fieldkit-hub-backup-2026-04-01-2.tar.zst"), "the first is never replaced")
        #expect(FileLayer.exists(summary.file))
        #expect(FileLayer.exists(target + "/trust.json"))
        #expect(try Tools.run("tar", ["--zstd", "-tf", summary.file]).stdout.contains("keys/device.key"))
        #expect(!(try Tools.run("tar", ["--zstd", "-tf", summary.file]).stdout.contains("root.key")))
        let stock = try Tools.run(
            "minisign", ["-V", "-p", world.hub.folder + "/keys/device.pub", "-m", summary.file])
        #expect(stock.status == 0, "\(stock.stderr)")

        // Restoring needs the right root, and an empty folder.
        let elsewhere = try SyncWorld("lifecycle-hub-backup-elsewhere")
        #expect(throws: TrustFailure.self) {
            try HubBackup.restore(summary.file, into: world.folder.appending("wrong"), root: elsewhere.root)
        }
        #expect(!FileLayer.exists(world.folder.appending("wrong/fieldkit.sqlite")))
        let restoredFolder = world.folder.appending("hq-restored")
        let restored = try HubBackup.restore(summary.file, into: restoredFolder, root: world.root)
        #expect(restored.events == 1)
        #expect(throws: (any Error).self) {
            try HubBackup.restore(summary.file, into: restoredFolder, root: world.root)
        }
        let store = try Store.open(folder: restoredFolder)
        #expect(try store.stateDigest() == world.hubStore.stateDigest())
        #expect(FileLayer.exists(restoredFolder + "/blobs/" + photo))
        let keys = try DeviceKeys.load(from: restoredFolder)
        #expect(keys.signing.keyID == world.hubKeys.signing.keyID)

        // The lost headquarters went on after the backup: it merged seq 2 and the laptop applied
        // its receipt 2, so seq 2 left the laptop's pending list.
        try laptop.repair("LO-VN-000002")
        try laptop.sync(stick)
        try world.importAt([stick.folder])
        #expect(try laptop.sync(stick).receipts.map(\.version) == [2], "receipt 2 replaced receipt 1 on the stick")
        #expect(try laptop.store.deliveredThrough()[laptop.id] == 2)

        // The restored headquarters carries on: its receipt is numbered above the laptop's
        // receipt 2, says it holds only seq 1, and the laptop sends seq 2 again.
        let restoredHub = HubFolder(folder: restoredFolder)
        try laptop.repair("LO-VN-000003")
        #expect(try laptop.sync(stick).written == [SeqRange(3, 3)])
        let first = try world.importAt([stick.folder], store: store, hub: restoredHub)
        #expect(first.receipts.map(\.version) == [3])
        #expect(first.receipts.first?.gaps == [SeqRange(2, 2)])
        let answered = try laptop.sync(stick)
        #expect(answered.receipts.map(\.outcome) == ["applied"])
        #expect(try laptop.store.deliveredThrough()[laptop.id] == 1)
        #expect(answered.written == [SeqRange(2, 2)], "seq 3 is still on the stick; seq 2 goes again")
        try world.importAt([stick.folder], store: store, hub: restoredHub)
        #expect(try store.heldRanges(device: laptop.id) == [SeqRange(1, 3)])
        #expect(try laptop.sync(stick).receipts.map(\.outcome) == ["applied"])
        #expect(try laptop.store.deliveredThrough()[laptop.id] == 3)

        // A flipped byte in the backup is refused before anything is written.
        var bytes = try FileLayer.read(summary.file, limit: 1 << 30)
        bytes[bytes.count / 2] ^= 0x01
        try FileLayer.writeAtomically(bytes, to: summary.file)
        #expect(throws: (any Error).self) {
            try HubBackup.restore(summary.file, into: world.folder.appending("tampered"), root: world.root)
        }
        #expect(!FileLayer.exists(world.folder.appending("tampered/fieldkit.sqlite")))
    }
}

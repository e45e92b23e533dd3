import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

@Suite("sync: every refusal leaves the store unchanged and the file where it belongs")
struct RefusalTests {
    /// A world with one enrolled device whose three events wait on the stick as one archive.
    static func setUp(_ label: String) throws -> (SyncWorld, TestDevice, Mailbox, String) {
        let world = try SyncWorld(label)
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        for tag in ["LO-VN-000001", "LO-VN-000002", "LO-VN-000003"] { try device.repair(tag) }
        try device.sync(stick)
        let path = try #require(stick.archives(of: device.id).first?.path)
        return (world, device, stick, path)
    }

    static func snapshot(_ store: Store) throws -> [String] {
        [try store.stateDigest(), "\(try store.counts().events)", "\(try store.hubSummaries().map(\.events))"]
    }

    /// Imports `path` and expects it quarantined for `reason`, headquarters' state unchanged.
    static func expectQuarantined(_ world: SyncWorld, _ path: String, reason: String) throws {
        let before = try snapshot(world.hubStore)
        let result = try #require(try world.importAt([path]).archives.first)
        #expect(result.outcome == "quarantined")
        #expect(result.reason == reason)
        #expect(FileLayer.exists(result.quarantine ?? ""))
        #expect(try snapshot(world.hubStore) == before)
    }

    enum Damage: String, CaseIterable, Sendable {
        case firstByte, middleByte, lastByte, truncatedArchive, swappedSignature
    }

    @Test("a changed archive or a swapped signature is quarantined with the reason", arguments: Damage.allCases)
    func damaged(_ damage: Damage) throws {
        let (world, device, stick, path) = try Self.setUp("refuse-\(damage.rawValue)")
        var bytes = try FileLayer.read(path, limit: 1 << 20)
        switch damage {
        case .firstByte: bytes[0] ^= 0x01
        case .middleByte: bytes[bytes.count / 2] ^= 0x01
        case .lastByte: bytes[bytes.count - 1] ^= 0x01
        case .truncatedArchive: bytes = bytes.prefix(bytes.count - 40)
        case .swappedSignature:
            // The signature of another archive of the same device.
            try device.repair("LO-VN-000001")
            try device.sync(stick)
            let other = try #require(stick.archives(of: device.id).last?.path)
            try Mailbox.place(try FileLayer.read(other + ".minisig", limit: 8192), at: path + ".minisig")
        }
        try Mailbox.place(bytes, at: path)
        let before = try Self.snapshot(world.hubStore)
        let report = try world.importAt([path])
        let result = try #require(report.archives.first)
        #expect(result.outcome == "quarantined")
        #expect(result.reason == "the signature does not match the file: the file or its signature was changed")
        #expect(try Self.snapshot(world.hubStore) == before)
        let copy = try #require(result.quarantine)
        #expect(copy.hasPrefix(world.hub.quarantine + "/" + device.id + "/"))
        #expect(try FileLayer.read(copy, limit: 1 << 20) == bytes)
        #expect(try FileLayer.readText(copy + ".reason").contains("signature does not match"))
        #expect(FileLayer.exists(path), "the stick is not changed by headquarters")
        // The device finds its damaged copy and writes it again.
        #expect(try device.sync(stick).replaced == [(path as NSString).lastPathComponent])
    }

    @Test("a missing or cut-short signature means incomplete: left in place, not quarantined")
    func incomplete() throws {
        let (world, _, _, path) = try Self.setUp("refuse-incomplete")
        let signature = try FileLayer.readText(path + ".minisig")
        try Mailbox.place(
            Data(signature.split(separator: "\n").prefix(2).joined(separator: "\n").utf8), at: path + ".minisig")
        let before = try Self.snapshot(world.hubStore)
        let cut = try #require(try world.importAt([path]).archives.first)
        #expect(cut.outcome == "incomplete")
        #expect(cut.reason?.hasSuffix("is incomplete: its signature \(path).minisig is cut short") == true)
        unlink(path + ".minisig")
        let missing = try #require(try world.importAt([path]).archives.first)
        #expect(missing.outcome == "incomplete")
        #expect(missing.quarantine == nil)
        #expect(try Self.snapshot(world.hubStore) == before)
        #expect(FileLayer.list(world.hub.quarantine).isEmpty)
    }

    @Test("hub import on a store another process holds stops with exit 75 and what to do; the archive merges later")
    func busyStore() throws {
        let (world, device, _, path) = try Self.setUp("refuse-busy")
        let before = try Self.snapshot(world.hubStore)
        // The stock sqlite3, another process, takes the write lock and keeps it.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [world.hub.folder + "/" + DataFolder.storeName]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        try input.fileHandleForWriting.write(contentsOf: Data("BEGIN IMMEDIATE;\nSELECT 1;\n".utf8))
        // Held once another sqlite3, which does not wait, cannot take the lock.
        var held = false
        for _ in 0..<200 where !held {
            held = try Tools.run("sqlite3", [holder.arguments?.first ?? "", "BEGIN IMMEDIATE; ROLLBACK;"]).status != 0
            if !held { Thread.sleep(forTimeInterval: 0.05) }
        }
        try #require(held, "sqlite3 never took the write lock")
        // SQLite waits 5 s for the lock, then gives up.
        let failure: (any Error)?
        do {
            _ = try world.importAt([path])
            failure = nil
        } catch {
            failure = error
        }
        try input.fileHandleForWriting.write(contentsOf: Data("ROLLBACK;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()

        let busy = try #require(failure as? StoreFailure, "\(String(describing: failure))")
        #expect(busy.exitStatus == .tempFail)
        #expect(busy.message == "the store refused the operation (SQLite 5): database is locked")
        #expect(
            busy.hint
                == "another program holds the store (a sqlite3 shell, a copy or backup tool): close it, then run the same command again"
        )
        #expect(try Self.snapshot(world.hubStore) == before)
        #expect(FileLayer.list(world.hub.quarantine).isEmpty)
        #expect(FileLayer.exists(path), "the archive is left where it is")

        let again = try #require(try world.importAt([path]).archives.first)
        #expect(again.outcome == "accepted")
        #expect(try world.hubStore.hubSummaries().first { $0.device == device.id }?.events == 3)
    }

    @Test("an archive from a device not enrolled is quarantined, and imported from there after enrolment")
    func unknownDevice() throws {
        let world = try SyncWorld("refuse-unknown")
        let stick = try world.stick()
        let stranger = try world.device("laptop-x", site: "AMS-01", enrol: false)
        try stranger.repair("LO-VN-000001")
        try stranger.sync(stick)
        let before = try Self.snapshot(world.hubStore)
        let report = try world.importAt([stick.folder])
        let result = try #require(report.archives.first)
        #expect(result.outcome == "quarantined")
        #expect(
            result.reason
                == "\(Mailbox.archiveName(device: stranger.id, range: SeqRange(1, 1))) comes from device \(stranger.id), which is not enrolled"
        )
        #expect(report.receipts.isEmpty)
        #expect(try Self.snapshot(world.hubStore) == before)
        try world.enrol(stranger)
        let again = try world.importAt([world.hub.quarantine + "/" + stranger.id])
        #expect(again.archives.map(\.outcome) == ["accepted"])
        #expect(try world.hubStore.counts().events == 1)
    }

    @Test("an archive over the size cap is refused before it is read")
    func overCap() throws {
        let (world, device, stick, path) = try Self.setUp("refuse-cap")
        let big = stick.outbound(device.id) + "/" + Mailbox.archiveName(device: device.id, range: SeqRange(4, 9))
        try Mailbox.place(Data(count: ChangeArchive.fileCap + 1), at: big)
        try Mailbox.place(try FileLayer.read(path + ".minisig", limit: 8192), at: big + ".minisig")
        try Self.expectQuarantined(
            world, big,
            reason:
                "\(big) is \(ChangeArchive.fileCap + 1) bytes, over the \(ChangeArchive.fileCap)-byte cap for its kind")
    }

    @Test("another event at a seq headquarters holds is a fork: refused, quarantined, reported in the receipt")
    func fork() throws {
        let world = try SyncWorld("refuse-fork")
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        try device.repair("LO-VN-000001")
        // A cloned laptop: the same keys and log, then each writes its own seq 2.
        let cloneFolder = world.folder.appending("clone")
        try FileManager.default.copyItem(atPath: device.folder, toPath: cloneFolder)
        let clone = TestDevice(
            folder: cloneFolder, store: try Store.open(folder: cloneFolder), keys: device.keys, world: world)
        try device.repair("LO-VN-000002")
        try clone.repair("LO-VN-000003")
        try device.sync(stick)
        try world.importAt([stick.folder])
        let before = try Self.snapshot(world.hubStore)
        let cloneStick = try world.stick("clone-stick")
        try clone.sync(cloneStick)
        let report = try world.importAt([cloneStick.folder])
        let result = try #require(report.archives.first)
        #expect(result.outcome == "quarantined")
        #expect(
            result.reason
                == "device \(device.id) has two different events at seq 2 (a fork: tampering or a cloned laptop)")
        #expect(try Self.snapshot(world.hubStore) == before)
        let refused = try #require(try world.hubStore.planReceipt(device: device.id).refused.first)
        #expect(refused.first == 1 && refused.last == 2)
    }

    @Test("a gap is reported and later filled; a neighbour that does not chain is refused as a broken chain")
    func gapsAndChains() throws {
        let world = try SyncWorld("refuse-chain")
        let device = try world.device("laptop-a", site: "AMS-01")
        let early = try world.stick("early")
        try device.repair("LO-VN-000001")
        try device.sync(early)
        let cloneFolder = world.folder.appending("clone")
        try FileManager.default.copyItem(atPath: device.folder, toPath: cloneFolder)
        let clone = TestDevice(
            folder: cloneFolder, store: try Store.open(folder: cloneFolder), keys: device.keys, world: world)
        try device.repair("LO-VN-000002")
        try device.repair("LO-VN-000003")
        let late = world.folder.appending("late")
        try FileLayer.makeFolder(late)
        let lateArchive = try ChangeArchive.write(
            Array(try device.store.events(of: device.id).dropFirst()), people: [], blobs: [:], key: device.keys.signing,
            created: "x", receipt: 0, sealTo: world.hubKeys.sealing.publicKey, into: late)
        let report = try world.importAt([lateArchive])
        #expect(report.archives.map(\.outcome) == ["accepted"])
        #expect(report.receipts.first?.gaps == [SeqRange(1, 1)])
        #expect(report.receipts.first?.through == 0)
        #expect(try world.hubStore.hubSummaries().first?.gaps == [SeqRange(1, 1)])

        // The clone's seq 2 and 3 differ from the device's, so its seq 4 does not chain onto seq 3.
        for tag in ["LO-VN-000003", "LO-VN-000002", "LO-VN-000001"] { try clone.repair(tag) }
        let cloneFolder4 = world.folder.appending("clone-4")
        try FileLayer.makeFolder(cloneFolder4)
        let path = try ChangeArchive.write(
            [try #require(try clone.store.events(of: device.id).last)], people: [], blobs: [:],
            key: device.keys.signing, created: "x", receipt: 0, sealTo: world.hubKeys.sealing.publicKey,
            into: cloneFolder4)
        try Self.expectQuarantined(
            world, path,
            reason:
                "the hash chain of device \(device.id) is broken at seq 4: its prev does not name the event before it")

        let filled = try world.importAt([early.folder])
        #expect(filled.archives.map(\.outcome) == ["accepted"])
        #expect(try world.hubStore.hubSummaries().first?.gaps == [])
        #expect(try world.hubStore.hubSummaries().first?.through == 3)
        #expect(try world.hubStore.logFindings().isEmpty)
    }

    @Test("a receipt signed by a key the trust statement does not name is refused; nothing is applied")
    func receiptWrongKey() throws {
        let (world, device, stick, _) = try Self.setUp("refuse-receipt-key")
        let impostor = DeviceKeys.generate()
        _ = try HubImport(store: world.hubStore, hub: world.hub, keys: impostor, wall: "w", progress: { _ in }).run([
            stick.folder
        ])
        let report = try device.sync(stick)
        let receipt = try #require(report.receipts.first)
        #expect(receipt.outcome == "refused")
        #expect(
            receipt.reason
                == "the file is signed by key \(impostor.signing.keyID.minisignHex), which the trust statement does not name"
        )
        #expect(try device.store.lastReceiptVersion() == 0)
        #expect(try device.store.deliveredThrough()[device.id] == nil)
        #expect(stick.receipts(for: device.id).count == 1, "a refused receipt stays where it is")
        #expect(report.kept == [SeqRange(1, 3)], "unacknowledged archives stay on the stick")
    }

    @Test(
        "a genuine older receipt after a newer one is superseded: nothing taken, removed from the stick; a changed one is refused"
    )
    func olderReceipt() throws {
        let (world, device, stick, _) = try Self.setUp("refuse-receipt-old")
        try world.importAt([stick.folder])
        let old = try #require(stick.receipts(for: device.id).first?.path)
        let aside = world.folder.appending("aside.tar.zst")
        try FileManager.default.copyItem(atPath: old, toPath: aside)
        try FileManager.default.copyItem(atPath: old + ".minisig", toPath: aside + ".minisig")
        try world.importAt([stick.folder])
        #expect(try device.sync(stick).receipts.map(\.version) == [2])
        try FileManager.default.copyItem(atPath: aside, toPath: old)
        try FileManager.default.copyItem(atPath: aside + ".minisig", toPath: old + ".minisig")
        let delivered = try device.store.deliveredThrough()
        let events = try device.store.events().count
        let report = try device.sync(stick)
        #expect(report.receipts.map(\.outcome) == ["superseded"])
        #expect(report.receipts.first?.reason == "the receipt is version 1, not newer than version 2 already applied")
        #expect(report.bundleOffer == nil, "nothing in a superseded receipt counts")
        #expect(try device.store.lastReceiptVersion() == 2)
        #expect(try device.store.deliveredThrough() == delivered)
        #expect(try device.store.events().count == events)
        #expect(!FileManager.default.fileExists(atPath: old), "the stale receipt is tidied away")
        #expect(!FileManager.default.fileExists(atPath: old + ".minisig"))
        #expect(report.removed.contains((old as NSString).lastPathComponent))

        // A changed stale receipt is not genuine: refused, and left where it is.
        try FileManager.default.copyItem(atPath: aside, toPath: old)
        try FileManager.default.copyItem(atPath: aside + ".minisig", toPath: old + ".minisig")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: old))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: old))
        #expect(try device.sync(stick).receipts.map(\.outcome) == ["refused"])
        #expect(FileManager.default.fileExists(atPath: old))
    }

    @Test("a genuine signed file of another kind where an archive or a receipt goes is refused; nothing is taken")
    func wrongKind() throws {
        let (world, device, stick, archive) = try Self.setUp("refuse-kind")
        try world.importAt([stick.folder])
        let receipt = try #require(stick.receipts(for: device.id).first?.path)
        // Headquarters' own receipt, signed by headquarters, offered as the device's next archive.
        let posing = stick.outbound(device.id) + "/" + Mailbox.archiveName(device: device.id, range: SeqRange(4, 4))
        for suffix in ["", ".minisig"] {
            try FileManager.default.copyItem(atPath: receipt + suffix, toPath: posing + suffix)
        }
        let before = try Self.snapshot(world.hubStore)
        let result = try #require(try world.importAt([posing]).archives.first)
        #expect(result.outcome != "accepted" && result.accepted == 0)
        #expect(result.reason?.contains("its signed statement is not for a change archive") == true, "\(result)")
        #expect(try Self.snapshot(world.hubStore) == before)
        Mailbox.remove(signed: posing)

        // The device's own archive, signed by the device, offered to it as a newer receipt.
        let archiveAsReceipt = stick.inbound(device.id) + "/" + Mailbox.receiptName(device: device.id, version: 9)
        for suffix in ["", ".minisig"] {
            try FileManager.default.copyItem(atPath: archive + suffix, toPath: archiveAsReceipt + suffix)
        }
        let events = try device.store.events().count
        let report = try device.sync(stick)
        let refused = try #require(report.receipts.first { $0.version == 9 })
        #expect(refused.outcome == "refused")
        // Its signature is genuine, but by a key headquarters' trust statement does not name.
        #expect(
            refused.reason
                == "the file is signed by key \(device.keys.signing.keyID.minisignHex), which the trust statement does not name"
        )
        #expect(try device.store.lastReceiptVersion() == 1, "the genuine receipt still applies; the impostor does not")
        #expect(try device.store.events().count == events)
        #expect(FileLayer.exists(archiveAsReceipt), "a refused receipt stays where it is")
    }

    @Test("a request naming an enrolled device id with another key is refused as bad data; the roster is unchanged")
    func enrolledWithAnotherKey() throws {
        let world = try SyncWorld("refuse-other-key")
        let device = try world.device("laptop-a", site: "AMS-01")
        let roster = try world.hubStore.enrolledDevices()
        var impostor = try #require(roster.first)
        impostor.signingKey = DeviceKeys.generate().signing.publicKey.fileText()
        let failure = #expect(throws: StoreFailure.enrolledWithAnotherKey(device: device.id)) {
            try world.hubStore.enrol(impostor)
        }
        #expect(failure?.message == "device \(device.id) is already enrolled with another signing key")
        #expect(failure?.exitStatus == .dataError)
        #expect(try world.hubStore.enrolledDevices() == roster)
        #expect(try world.hubStore.enrol(try #require(roster.first)) == false, "the same key again changes nothing")
    }
}

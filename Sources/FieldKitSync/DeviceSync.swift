import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `fieldkit sync DIR` on a device: apply headquarters' receipts found in the mailbox, then
/// export every event not yet acknowledged as signed change archives, skipping ranges
/// already there, and tidy what the receipts acknowledged.
public struct DeviceSync {
    /// One receipt found in the mailbox.
    public struct ReceiptResult: Codable, Equatable, Sendable {
        public var file: String
        public var version: Int64
        /// `applied`, `would apply`, `superseded` (genuine, but not newer than the one applied:
        /// removed from the mailbox, nothing taken from it) or `refused`.
        public var outcome: String
        public var reason: String?
        public var added: Int
        public var known: Int
        public var deliveredThrough: Int64
        public var gaps: [SeqRange]
        /// The trust statement version beside it, and whether it moved the device to a new root.
        public var trustVersion: Int64?
        /// The last day that statement is valid: past it, a warning (clocks lie), never a refusal.
        public var trustExpires: String?
        public var newRoot: String?
        /// The bundle it offers (installed by the caller, which reads bundles).
        public var bundle: Receipt.BundleOffer?
        /// Whether it came sealed to this device.
        public var sealed: Bool?

        /// Whether anything in it counts: its bundle offer, trust statement and new root.
        public var counts: Bool { outcome == "applied" || outcome == "would apply" }
    }

    /// What a sync did (or, with `dryRun`, would do).
    public struct Report: Codable, Equatable, Sendable {
        public var device: String
        public var dryRun: Bool
        public var receipts: [ReceiptResult]
        /// Archives written in this run.
        public var written: [SeqRange]
        /// Archives already in the mailbox and kept.
        public var kept: [SeqRange]
        /// Archive and receipt files removed (acknowledged, used or damaged).
        public var removed: [String]
        /// Damaged archives of this device found and written again.
        public var replaced: [String]
        /// Photos referenced by exported events that are missing on this device.
        public var missingPhotos: [String]
        /// This device's events not yet acknowledged after the run.
        public var undelivered: Int
        /// The predecessor whose log this restored device carries on, its archives written in
        /// this run, and its events not yet acknowledged.
        public var predecessor: String?
        public var carried: [SeqRange]
        public var carriedUndelivered: Int
        /// The newest bundle the applied receipts offer, as a path in the mailbox.
        public var bundle: String?
        public var bundleOffer: Receipt.BundleOffer?
        /// Every device's waiting archives and receipts in the mailbox, by device.
        public var mailbox: [String: MailboxEntry]
        /// The key id of headquarters' sealing key the archives are sealed to (nil when unknown).
        public var sealedTo: String?
        /// True when run with the explicit unsealed mode.
        public var unsealed: Bool
    }

    /// What waits in the mailbox for one device.
    public struct MailboxEntry: Codable, Equatable, Sendable {
        public var outbound: [SeqRange]
        public var receipts: [Int64]
    }

    let store: Store
    let dataFolder: String
    let keys: DeviceKeys
    let mailbox: Mailbox
    let wall: String
    let unsealed: Bool
    /// Events read from the store at a time while exporting (tests make it small).
    var pageSize = 5_000

    /// Makes a sync of the device in `dataFolder` with `mailbox`; `wall` is now, for the record.
    /// `unsealed` writes readable archives: for debugging only.
    public init(
        store: Store, dataFolder: String, keys: DeviceKeys, mailbox: Mailbox, wall: String, unsealed: Bool = false
    ) {
        self.store = store
        self.dataFolder = dataFolder
        self.keys = keys
        self.mailbox = mailbox
        self.wall = wall
        self.unsealed = unsealed
    }

    /// Where the device keeps the newest trust statement of headquarters it has verified.
    public var keptTrust: String { dataFolder + "/trust" }

    /// Runs the sync; with `dryRun` nothing is written, applied or removed.
    public func run(dryRun: Bool) throws -> Report {
        guard FileLayer.isFolder(mailbox.folder) else {
            throw SyncFailure.mailboxUnusable(path: mailbox.folder, reason: "it does not exist or is not a folder")
        }
        let device = try store.device()
        if !dryRun {
            try Mailbox.prepare(mailbox.outbound(device.id))
            _ = Mailbox.removeLeftovers(in: mailbox.outbound(device.id))
        }
        var report = Report(
            device: device.id, dryRun: dryRun, receipts: [], written: [], kept: [], removed: [], replaced: [],
            missingPhotos: [], undelivered: 0, predecessor: nil, carried: [], carriedUndelivered: 0, bundle: nil,
            bundleOffer: nil, mailbox: [:], sealedTo: nil, unsealed: unsealed)
        report.receipts = try applyReceipts(device: device, dryRun: dryRun, removed: &report.removed)
        if !dryRun { FaultPoint.syncReceiptsApplied.reach() }
        // After the receipts: one may have moved the device to a new root or sealing key.
        let recipient: Result<SealingPublicKey, any Error>? =
            unsealed ? nil : Result(catching: { try sealingRecipient(device: try store.device(), dryRun: dryRun) })
        report.sealedTo = try? recipient?.get().keyID.minisignHex
        let usable = report.receipts.filter(\.counts)
        if let offer = usable.compactMap(\.bundle).max(by: { $0.version < $1.version }) {
            report.bundleOffer = offer
            report.bundle = mailbox.bundles + "/" + offer.file
        }
        let marks = try store.deliveredThrough()
        let wouldApply = usable.filter { $0.outcome == "would apply" }
        // A receipt sets the mark (it may lower it: headquarters restored from a backup).
        report.undelivered = try export(
            log: device.id, carrier: nil, delivered: wouldApply.last?.deliveredThrough ?? marks[device.id] ?? 0,
            recipient: recipient, dryRun: dryRun, report: &report, written: \.written)
        // A restored laptop delivers what its predecessors had not, in archives signed by itself:
        // every other log it holds a delivery mark for.
        report.predecessor = device.predecessor
        for (log, delivered) in marks.sorted(by: { $0.key < $1.key }) where log != device.id {
            report.carriedUndelivered += try export(
                log: log, carrier: device.id, delivered: delivered, recipient: recipient, dryRun: dryRun,
                report: &report, written: \.carried)
        }
        if !dryRun { FaultPoint.syncArchivesWritten.reach() }
        report.mailbox = contents()
        return report
    }

    /// Writes archives of `log`'s events after `delivered`, sealed to `recipient` (nil: unsealed
    /// mode; a failure: no sealing key known, thrown only when there is something to write),
    /// keeping sound ones already in the mailbox and removing acknowledged or damaged ones;
    /// returns how many events are pending.
    func export(
        log: String, carrier: String?, delivered: Int64, recipient: Result<SealingPublicKey, any Error>?,
        dryRun: Bool, report: inout Report, written: WritableKeyPath<Report, [SeqRange]>
    ) throws -> Int {
        let sealTo = try? recipient?.get()
        var covered = Set<Int64>()
        for archive in mailbox.archives(of: log) {
            let name = (archive.path as NSString).lastPathComponent
            if archive.range.last <= delivered {
                if !dryRun { Mailbox.remove(signed: archive.path) }
                report.removed.append(name)
            } else if carrier != nil, isForeign(archive.path) {
                // Written by the old laptop itself (perhaps with events its backup lacks): never
                // removed here before a receipt covers it. It covers nothing either: headquarters
                // takes the old laptop's own archives only up to its cut-off.
                report.kept.append(archive.range)
            } else if try isSound(archive.path, range: archive.range, device: log, sealedTo: sealTo) {
                covered.formUnion(archive.range.first...archive.range.last)
                report.kept.append(archive.range)
            } else {
                if !dryRun { Mailbox.remove(signed: archive.path) }
                report.replaced.append(name)
            }
        }
        // Read a page at a time from the first event no archive on the stick covers.
        var after = delivered
        while covered.contains(after + 1) { after += 1 }
        let blobs = dataFolder + "/blobs/"
        var batcher = ChangeArchive.Batcher { hash in
            (try? FileLayer.read(blobs + hash, limit: ChangeArchive.maximumEventContent))?.count
        }
        let receipt = try store.lastReceiptVersion()
        var prepared = false
        func write(_ batch: [StoredEvent]) throws {
            guard let first = batch.first, let last = batch.last else { return }
            report[keyPath: written].append(SeqRange(first.event.seq, last.event.seq))
            if dryRun { return }
            if !prepared {
                try Mailbox.prepare(mailbox.outbound(log))
                // Nothing readable is ever written: without a sealing key, nothing is written at all.
                if let recipient { _ = try recipient.get() }
                prepared = true
            }
            var photos: [String: Data] = [:]
            var ids = Set<String>()
            for stored in batch {
                for hash in ChangeArchive.photoHashes(in: stored.event) where photos[hash] == nil {
                    if let data = try? FileLayer.read(blobs + hash, limit: ChangeArchive.maximumEventContent),
                        Hashing.sha256Hex(data) == hash
                    {
                        photos[hash] = data
                    } else {
                        report.missingPhotos.append(hash)
                    }
                }
                if let author = stored.event.author { ids.insert(author) }
                ids.formUnion(stored.event.payload.nestedStrings)
            }
            let path =
                mailbox.outbound(log) + "/"
                + Mailbox.archiveName(device: log, range: SeqRange(first.event.seq, last.event.seq))
            if carrier != nil, FileLayer.exists(path), isForeign(path) {
                // Same name as an old laptop's own archive: set it aside rather than write over it.
                for suffix in [".minisig", ""] where FileLayer.exists(path + suffix) {
                    rename(path + suffix, path + ".old-laptop" + suffix)
                }
            }
            try ChangeArchive.write(
                batch, people: try store.people(ids: ids), blobs: photos, key: keys.signing, created: wall,
                receipt: receipt, carrier: carrier, sealTo: sealTo, into: mailbox.outbound(log))
        }
        while true {
            let page = try store.undeliveredEvents(of: log, after: after, limit: pageSize)
            guard let last = page.last else { break }
            after = last.event.seq
            for stored in page where !covered.contains(stored.event.seq) {
                if let batch = try batcher.add(stored) { try write(batch) }
            }
        }
        if let batch = batcher.finish() { try write(batch) }
        return try store.undeliveredCount(of: log, after: delivered)
    }

    /// Applies every receipt for this device, oldest first; a refused one stays where it is.
    func applyReceipts(device: DeviceRecord, dryRun: Bool, removed: inout [String]) throws -> [ReceiptResult] {
        let found = mailbox.receipts(for: device.id)
        guard !found.isEmpty else { return [] }
        let root = try device.hqRoot.map { text throws(CryptoFailure) in try MinisignPublicKey(text: text) }
        var applied = try store.lastReceiptVersion()
        var results: [ReceiptResult] = []
        for receipt in found {
            let name = (receipt.path as NSString).lastPathComponent
            var result = ReceiptResult(
                file: name, version: receipt.version, outcome: "refused", reason: nil, added: 0, known: 0,
                deliveredThrough: 0, gaps: [], trustVersion: nil, trustExpires: nil, newRoot: nil, bundle: nil,
                sealed: nil)
            do {
                guard let root else { throw SyncFailure.noPinnedRoot }
                let verified = try Receipt.read(receipt.path, root: root, device: device.id, sealing: keys.sealing)
                result.version = verified.body.version
                result.sealed = verified.sealed
                result.gaps = verified.body.gaps
                result.trustVersion = verified.trust.statement.version
                result.trustExpires = verified.trust.statement.expires
                result.newRoot = verified.trust.rootChanged ? verified.trust.root.keyID.minisignHex : nil
                result.bundle = verified.body.bundle
                if verified.body.version <= applied {
                    // Genuine but stale: a receipt the hub already gave this laptop by upload, or one
                    // left on a stick. Versions only go up, so nothing in it is taken; it is tidied away.
                    result.outcome = "superseded"
                    result.reason = StoreFailure.olderReceipt(offered: verified.body.version, applied: applied).message
                    if !dryRun {
                        Mailbox.remove(signed: receipt.path)
                        removed.append(name)
                    }
                } else if dryRun {
                    result.outcome = "would apply"
                    result.added = verified.events.count
                    result.deliveredThrough = verified.body.through
                } else {
                    let outcome = try store.apply(
                        ReceiptApplication(
                            version: verified.body.version, through: verified.body.through, events: verified.events,
                            people: verified.people, predecessors: verified.body.predecessors ?? [],
                            trustRoot: verified.trust.root.keyID.minisignHex,
                            trustVersion: verified.trust.statement.version,
                            newRoot: verified.trust.rootChanged ? verified.trust.root.fileText() : nil,
                            pinnedRoot: root.keyID.minisignHex, erased: verified.body.erased ?? []), wall: wall)
                    result.outcome = "applied"
                    result.added = outcome.added
                    result.known = outcome.known
                    result.deliveredThrough = outcome.deliveredAfter
                    Mailbox.remove(signed: receipt.path)
                    removed.append(name)
                }
                applied = max(applied, verified.body.version)
            } catch let failure as any FieldKitError {
                result.reason = failure.message
            }
            results.append(result)
        }
        return results
    }

    /// Headquarters' sealing key, from the newest trust statement that verifies against the
    /// pinned root among the one kept in `trust/`, the mailbox's `trust/` and the one beside
    /// this device's receipts; a newer one than the kept one is kept (unless `dryRun`).
    func sealingRecipient(device: DeviceRecord, dryRun: Bool) throws -> SealingPublicKey {
        guard let rootText = device.hqRoot else { throw SyncFailure.noPinnedRoot }
        let root = try MinisignPublicKey(text: rootText)
        var best: (folder: String, files: TrustFiles, checked: TrustFiles.Checked)?
        for folder in [keptTrust, mailbox.trust, mailbox.inbound(device.id)]
        where FileLayer.exists(folder + "/" + TrustStatement.fileName) {
            guard let files = try? TrustFiles.read(in: folder), let checked = try? files.verify(pinned: root),
                !checked.statement.development, checked.statement.sealing != nil
            else { continue }
            // A statement of a root the pinned one handed over to is newer than any of the pinned root's.
            let rank = (checked.rootChanged ? 1 : 0, checked.statement.version)
            if let current = best, rank <= (current.checked.rootChanged ? 1 : 0, current.checked.statement.version) {
                continue
            }
            best = (folder, files, checked)
        }
        guard let best, let text = best.checked.statement.sealing else { throw SyncFailure.noSealingKey }
        if !dryRun, best.folder != keptTrust {
            try FileLayer.makeFolder(keptTrust)
            try best.files.write(into: keptTrust) { data, path in try FileLayer.writeAtomically(data, to: path) }
        }
        return try SealingPublicKey(text: text)
    }

    /// Whether an archive's signature was made by a key other than this device's (the old
    /// laptop's, in a carried log's folder).
    func isForeign(_ path: String) -> Bool {
        guard let signature = try? SignedFile.readSignature(of: path) else { return false }
        return signature.keyID != keys.signing.keyID
    }

    /// Whether an archive of this device already in the mailbox verifies, matches the log and
    /// is sealed to `sealedTo` (when known: one sealed to a retired key is written again).
    func isSound(_ path: String, range: SeqRange, device: String, sealedTo: SealingPublicKey?) throws -> Bool {
        guard let (statement, _) = try? ChangeArchive.verify(path, key: keys.signing.publicKey),
            statement.device == device, statement.range == range
        else { return false }
        if let sealedTo, statement.sealed != sealedTo.keyID.minisignHex { return false }
        return try store.eventHash(device: device, seq: range.last) == statement.head
    }

    /// What waits in the mailbox, per device.
    func contents() -> [String: MailboxEntry] {
        var entries: [String: MailboxEntry] = [:]
        for device in mailbox.outboundDevices() {
            entries[device, default: MailboxEntry(outbound: [], receipts: [])].outbound =
                mailbox.archives(of: device).map(\.range)
        }
        for device in FileLayer.list(mailbox.root + "/inbound") where Mailbox.isDeviceID(device) {
            let receipts = mailbox.receipts(for: device).map(\.version)
            if !receipts.isEmpty {
                entries[device, default: MailboxEntry(outbound: [], receipts: [])].receipts = receipts
            }
        }
        return entries
    }
}

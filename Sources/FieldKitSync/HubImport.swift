import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// `fieldkit hub import`: every archive found is checked (size cap, signature, statement,
/// contents) and merged in one transaction of its own; then one receipt per device goes back
/// into the mailbox the device's archives came from.
public struct HubImport: Sendable {
    /// What happened to one archive file.
    public struct ArchiveResult: Codable, Equatable, Sendable {
        public var file: String
        public var device: String?
        /// The successor that carried the archive of its predecessor `device`, if any.
        public var carrier: String?
        /// Whether its signature verified with its signer's enrolled key.
        public var verified: Bool
        public var range: SeqRange?
        /// `accepted`, `already imported`, `incomplete`, `refused`, `quarantined`, or `failed` (a
        /// fault of headquarters' own: the file is left for the next run).
        public var outcome: String
        public var accepted: Int
        public var known: Int
        public var reason: String?
        /// Where the refused file was copied.
        public var quarantine: String?
        /// Whether it came sealed (false: written with `sync --unsealed`).
        public var sealed: Bool?
        /// The sysexits code of the refusal, if refused (the hub server turns it into a status).
        public var failure: Int32?
        /// Whether the refusal was that its device is not enrolled.
        public var unknownDevice: Bool?
    }

    /// One receipt written.
    public struct ReceiptResult: Codable, Equatable, Sendable {
        public var device: String
        public var version: Int64
        public var file: String
        public var through: Int64
        public var events: Int
        public var gaps: [SeqRange]
    }

    /// The whole run.
    public struct Report: Codable, Equatable, Sendable {
        public var archives: [ArchiveResult]
        public var receipts: [ReceiptResult]

        /// How many archives had `outcome`.
        public func count(_ outcome: String) -> Int { archives.filter { $0.outcome == outcome }.count }
        /// Events newly merged.
        public var acceptedEvents: Int { archives.reduce(0) { $0 + $1.accepted } }
        /// Events already held.
        public var knownEvents: Int { archives.reduce(0) { $0 + $1.known } }
        /// Files that need a person's attention.
        public var problems: Int { archives.filter { !["accepted", "already imported"].contains($0.outcome) }.count }
        /// When headquarters itself failed on some files (outcome "failed": its disk or store
        /// failed, the store was busy, or a bug), what to stop with: how many, the first reason
        /// and its exit status.
        public var fault: SyncFailure? {
            let failed = archives.filter { $0.outcome == "failed" }
            guard let first = failed.first else { return nil }
            return .notMerged(
                count: failed.count, reason: first.reason ?? "no reason given",
                status: first.failure ?? ExitStatus.ioError.rawValue)
        }
    }

    let store: Store
    let hub: HubFolder
    let keys: DeviceKeys
    let wall: String
    let unsealed: Bool
    let keepsUnverified: Bool
    let progress: @Sendable (String) -> Void

    /// Makes an import into headquarters' `store` in `hub`, signing receipts with `keys.signing`
    /// and sealing them to each device (`unsealed`: readable receipts, for debugging only).
    /// `keepsUnverified: false` (uploads from anyone) neither quarantines nor records a file
    /// whose signature did not verify, so strangers cannot fill the disk or a device's receipt.
    public init(
        store: Store, hub: HubFolder, keys: DeviceKeys, wall: String, unsealed: Bool = false,
        keepsUnverified: Bool = true, progress: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.hub = hub
        self.keys = keys
        self.wall = wall
        self.unsealed = unsealed
        self.keepsUnverified = keepsUnverified
        self.progress = progress
    }

    /// Imports every archive in `inputs` (mailbox folders, plain folders or files), then writes
    /// the receipts.
    public func run(_ inputs: [String]) throws -> Report {
        try store.requireHub()
        var files: [String] = []
        var mailboxes: [Mailbox] = []
        var destinations: [(mailbox: Mailbox, device: String)] = []
        func addDestination(_ mailbox: Mailbox, _ device: String) {
            if !destinations.contains(where: { $0.mailbox == mailbox && $0.device == device }) {
                destinations.append((mailbox, device))
            }
        }
        for input in inputs {
            if FileLayer.isFolder(input) {
                let mailbox =
                    (input as NSString).lastPathComponent == Mailbox.rootName
                    ? Mailbox(folder: (input as NSString).deletingLastPathComponent) : Mailbox(folder: input)
                if FileLayer.isFolder(mailbox.root) {
                    mailboxes.append(mailbox)
                    for device in mailbox.outboundDevices() {
                        addDestination(mailbox, device)
                        files += mailbox.archives(of: device).map(\.path)
                    }
                } else {
                    files += FileLayer.list(input).filter {
                        $0.hasSuffix(Mailbox.sealedSuffix) || $0.hasSuffix(Mailbox.plainSuffix)
                    }.map {
                        input + "/" + $0
                    }
                }
            } else if FileLayer.exists(input) {
                files.append(input)
            } else {
                throw CoreFailure.missingFile(path: input)
            }
        }
        var report = Report(archives: [], receipts: [])
        for (index, file) in files.enumerated() {
            let result = importOne(file)
            // Only a file whose signature verified earns a receipt; one carried by a successor is
            // answered in the successor's receipt.
            if result.verified, let device = result.device, let answered = result.carrier ?? result.device {
                if let located = Mailbox.locate(archive: file), located.device == device {
                    addDestination(located.mailbox, answered)
                } else {
                    addDestination(hub.mailbox, answered)
                }
            }
            progress("[\(index + 1)/\(files.count)] \((file as NSString).lastPathComponent): \(result.outcome)")
            report.archives.append(result)
            FaultPoint.importArchiveMerged.reach()
        }
        report.receipts = try answer(destinations, reading: mailboxes)
        FaultPoint.importReceiptsWritten.reach()
        return report
    }

    /// Writes one receipt per (mailbox, device), after putting headquarters' trust files in every
    /// mailbox (`reading` too) and the published bundle in every mailbox answered. A revoked
    /// device gets nothing back: whoever holds it must not learn anything new.
    public func answer(_ destinations: [(mailbox: Mailbox, device: String)], reading: [Mailbox] = []) throws
        -> [ReceiptResult]
    {
        let trust = try hub.trustFiles()
        // Every mailbox read learns headquarters' current sealing key for the next archives.
        for mailbox in Set(reading + destinations.map(\.mailbox)) { try hub.placeTrust(in: mailbox, trust: trust) }
        var offers: [Mailbox: Receipt.BundleOffer?] = [:]
        var written: [ReceiptResult] = []
        for (mailbox, device) in destinations {
            guard let roster = try store.enrolledDevice(device), roster.revokedAfter == nil else { continue }
            if offers[mailbox] == nil { offers[mailbox] = try hub.placePublishedBundle(in: mailbox, trust: trust) }
            let plan = try store.planReceipt(device: device)
            let path = try Receipt.write(
                plan, key: keys.signing, trust: trust, issued: wall, bundle: offers[mailbox] ?? nil,
                sealTo: unsealed ? nil : try SealingPublicKey(text: roster.sealingKey), into: mailbox)
            try store.recordReceipt(plan, wall: wall)
            written.append(
                ReceiptResult(
                    device: device, version: plan.version, file: path, through: plan.through, events: plan.events.count,
                    gaps: plan.gaps))
        }
        return written
    }

    /// Verifies and merges one archive; never throws: every refusal is a result.
    func importOne(_ path: String) -> ArchiveResult {
        let name = (path as NSString).lastPathComponent
        var result = ArchiveResult(
            file: path, device: nil, carrier: nil, verified: false, range: nil, outcome: "refused", accepted: 0,
            known: 0, reason: nil, quarantine: nil, sealed: nil, failure: nil, unknownDevice: nil)
        var enrolled = false
        do {
            let (unverified, _) = try ChangeArchive.inspect(path)
            result.device = unverified.device
            result.carrier = unverified.carrier
            result.range = unverified.range
            guard let roster = try store.enrolledDevice(unverified.device) else {
                result.unknownDevice = true
                throw SyncFailure.notEnrolled(path: name, device: unverified.device)
            }
            enrolled = true
            var signer = roster
            // A revoked device's own archives stop at its cut-off; its successor may carry more.
            var cutOff = roster.revokedAfter
            if let carrier = unverified.carrier {
                guard let carrierRoster = try store.enrolledDevice(carrier),
                    try descends(carrierRoster, from: roster.device)
                else { throw SyncFailure.notSuccessor(path: name, carrier: carrier, device: roster.device) }
                guard carrierRoster.revokedAfter == nil else {
                    throw SyncFailure.carrierRevoked(path: name, carrier: carrier)
                }
                signer = carrierRoster
                cutOff = roster.carriedThrough ?? roster.revokedAfter
            }
            let (statement, bytes) = try ChangeArchive.verify(path, key: try MinisignPublicKey(text: signer.signingKey))
            result.verified = true
            let identity = ArchiveIdentity(device: statement.device, last: statement.range.last, head: statement.head)
            if try store.archiveImported(identity) {
                result.outcome = "already imported"
                return result
            }
            result.sealed = statement.sealed != nil
            let sealingKey = try statement.sealed.map { id in
                try hub.sealingKey(id, current: keys, wall: wall, path: name)
            }
            var contents = try ChangeArchive.open(bytes, statement: statement, key: sealingKey, path: name)
            if statement.carrier != nil, let through = roster.carriedThrough, let head = roster.carriedHead,
                let held = contents.events.first(where: { $0.event.seq == through }), held.hash != head
            {
                // Not the log the restored laptop showed when it was enrolled.
                throw StoreFailure.fork(device: statement.device, seq: through)
            }
            // A revoked device's events up to the cut-off stay; later ones are refused.
            if let after = cutOff, statement.range.last > after {
                contents.events = contents.events.filter { $0.event.seq <= after }
            } else {
                cutOff = nil
            }
            if let last = contents.events.last {
                try FileLayer.makeFolder(hub.blobs)
                let kept = Set(contents.events.flatMap { ChangeArchive.photoHashes(in: $0.event) })
                for (hash, data) in contents.blobs
                where kept.contains(hash) && !FileLayer.exists(hub.blobs + "/" + hash) {
                    try FileLayer.writeAtomically(data, to: hub.blobs + "/" + hash, mode: 0o600)
                }
                let outcome = try store.importArchive(
                    ArchiveImport(
                        identity: ArchiveIdentity(device: statement.device, last: last.event.seq, head: last.hash),
                        first: statement.range.first, sha256: contents.sha256, events: contents.events,
                        people: contents.people,
                        // A carried archive says nothing about the predecessor's receipts.
                        acknowledgedReceipt: statement.carrier == nil ? statement.receipt : 0,
                        format: Int(statement.format)),
                    wall: wall)
                result.outcome = outcome.accepted == 0 ? "already imported" : "accepted"
                result.accepted = outcome.accepted
                result.known = outcome.known
            }
            if let cutOff {
                throw SyncFailure.revoked(
                    path: name, device: statement.device, after: cutOff, reason: roster.revokedReason ?? "revoked")
            }
        } catch SignedFileFailure.incomplete(_, let reason) {
            // An interrupted copy: left where it is for the next run, not quarantined.
            result.outcome = "incomplete"
            result.reason = "\(name) is incomplete: \(reason)"
        } catch let failure as any FieldKitError where HubImport.isFault(failure) {
            // Headquarters' own trouble (a busy or full disk, a failed write), not the file's:
            // nothing is set aside or held against the device; the next run tries again.
            result.outcome = "failed"
            result.reason = failure.message
            result.failure = failure.exitStatus.rawValue
        } catch let failure as any FieldKitError where !result.verified && !keepsUnverified {
            result.reason = failure.message
            result.failure = failure.exitStatus.rawValue
        } catch let failure as any FieldKitError {
            result.reason = failure.message
            result.failure = failure.exitStatus.rawValue
            result.outcome = "quarantined"
            let hash = fileHash(path)
            result.quarantine = quarantine(path, sha256: hash, device: result.device, reason: failure.message)
            if enrolled, let device = result.device, let range = result.range {
                try? store.recordRefusal(
                    device: device, range: range, reason: failure.message, sha256: hash ?? name, wall: wall)
            }
        } catch {
            result.reason = "\(error)"
        }
        return result
    }

    /// Whether `failure` is a fault of headquarters' machine rather than a verdict on the file.
    static func isFault(_ failure: any FieldKitError) -> Bool {
        [.tempFail, .ioError, .cantCreate, .software].contains(failure.exitStatus)
    }

    /// Whether `device` is `ancestor`'s successor, or a successor of its successor (a laptop
    /// restored from a restored laptop), at most eight steps up.
    func descends(_ device: EnrolledDevice, from ancestor: String) throws -> Bool {
        var current = device
        for _ in 0..<8 {
            guard let predecessor = current.predecessor else { return false }
            if predecessor == ancestor { return true }
            guard let next = try store.enrolledDevice(predecessor) else { return false }
            current = next
        }
        return false
    }

    /// Copies a refused file (and its signature) under `quarantine/<device>/`, named by its
    /// SHA-256 so the same file is kept once, with the reason beside it.
    func quarantine(_ path: String, sha256: String?, device: String?, reason: String) -> String? {
        let folder = hub.quarantine + "/" + (device.flatMap { Mailbox.isDeviceID($0) ? $0 : nil } ?? "unknown")
        let name = (path as NSString).lastPathComponent
        let target = folder + "/" + String((sha256 ?? "unreadable").prefix(16)) + "-" + name
        do {
            try FileLayer.makeFolder(folder)
            if !FileLayer.exists(target) {
                try? FileManager.default.removeItem(atPath: target + ".partial")
                try FileManager.default.copyItem(atPath: path, toPath: target + ".partial")
                guard rename(target + ".partial", target) == 0 else { return nil }
            }
            if let signature = try? FileLayer.read(path + ".minisig", limit: 8 << 10) {
                try Mailbox.place(signature, at: target + ".minisig")
            }
            try Mailbox.place(Data("\(wall) \(reason)\n".utf8), at: target + ".reason")
            return target
        } catch {
            return nil
        }
    }

    /// SHA-256 of a file, read in pieces.
    func fileHash(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = Hashing.Stream()
        while let piece = try? handle.read(upToCount: 4 << 20), !piece.isEmpty { hasher.update(piece) }
        return hasher.finalizeHex()
    }
}

import FieldKitCore
import Foundation
import GRDB

/// A device on headquarters' roster.
public struct EnrolledDevice: Sendable, Equatable, Codable {
    /// The device id (lower-case hex of its signing key id).
    public var device: String
    public var name: String
    public var site: String?
    /// Its minisign public key file text.
    public var signingKey: String
    /// Its sealing public key file text.
    public var sealingKey: String
    public var fingerprint: String
    public var enrolledWall: String
    /// The newest archive format it wrote: its receipts are written in the matching format.
    public var archiveFormat: Int
    /// The newest receipt version it said it applied.
    public var acknowledgedReceipt: Int64
    /// Who at headquarters accepted the enrolment.
    public var acceptedBy: String?
    /// The device this one was restored from; set when the enrolment links them.
    public var predecessor: String?
    /// Events after this seq are refused: the device was lost, stolen or replaced.
    public var revokedAfter: Int64?
    public var revokedWall: String?
    public var revokedReason: String?
    /// For a replaced device: its successor may carry its events up to this seq, whose hash
    /// must be `carriedHead` (what the restored laptop held when it was enrolled).
    public var carriedThrough: Int64?
    public var carriedHead: String?

    /// Makes one.
    public init(
        device: String, name: String, site: String?, signingKey: String, sealingKey: String, fingerprint: String,
        enrolledWall: String, archiveFormat: Int = 1, acknowledgedReceipt: Int64 = 0, acceptedBy: String? = nil,
        predecessor: String? = nil
    ) {
        self.acceptedBy = acceptedBy
        self.predecessor = predecessor
        self.device = device
        self.name = name
        self.site = site
        self.signingKey = signingKey
        self.sealingKey = sealingKey
        self.fingerprint = fingerprint
        self.enrolledWall = enrolledWall
        self.archiveFormat = archiveFormat
        self.acknowledgedReceipt = acknowledgedReceipt
    }
}

/// What identifies a change archive: its device, last seq and the hash at that seq.
public struct ArchiveIdentity: Hashable, Sendable {
    public var device: String
    public var last: Int64
    public var head: String

    /// Makes one.
    public init(device: String, last: Int64, head: String) {
        self.device = device
        self.last = last
        self.head = head
    }
}

/// A verified change archive's content, ready to merge.
public struct ArchiveImport: Sendable {
    public var identity: ArchiveIdentity
    public var first: Int64
    /// SHA-256 of the archive file.
    public var sha256: String
    public var events: [StoredEvent]
    public var people: [Person]
    /// The newest receipt the device had applied when it wrote the archive.
    public var acknowledgedReceipt: Int64
    public var format: Int

    /// Makes one.
    public init(
        identity: ArchiveIdentity, first: Int64, sha256: String, events: [StoredEvent], people: [Person],
        acknowledgedReceipt: Int64, format: Int
    ) {
        self.identity = identity
        self.first = first
        self.sha256 = sha256
        self.events = events
        self.people = people
        self.acknowledgedReceipt = acknowledgedReceipt
        self.format = format
    }
}

/// How many events of an archive were new, and how many already held.
public struct ImportOutcome: Sendable, Equatable {
    public var accepted: Int
    public var known: Int
}

/// An archive headquarters refused, as a receipt reports it.
public struct HubRefusal: Sendable, Equatable, Codable {
    public var first: Int64
    public var last: Int64
    public var reason: String
    public var sha256: String
}

/// Everything the next receipt for a device says, computed from headquarters' state and the
/// last receipt the device acknowledged.
public struct ReceiptPlan: Sendable, Equatable {
    public var device: String
    public var version: Int64
    /// The arrival position the receipt covers; the next receipt carries what arrived after.
    public var position: Int64
    public var through: Int64
    public var accepted: [SeqRange]
    public var known: [SeqRange]
    public var gaps: [SeqRange]
    public var refused: [HubRefusal]
    public var events: [StoredEvent]
    public var people: [Person]
    public var format: Int
    /// How far headquarters holds the predecessor's log this device carries on.
    public var predecessors: [LogAcknowledgement]
    /// Every person erased at headquarters (ids only): the device erases them too.
    public var erased: [String]

    /// Makes a plan (headquarters computes them with `planReceipt`).
    public init(
        device: String, version: Int64, position: Int64, through: Int64, accepted: [SeqRange], known: [SeqRange],
        gaps: [SeqRange], refused: [HubRefusal], events: [StoredEvent], people: [Person], format: Int,
        predecessors: [LogAcknowledgement] = [], erased: [String] = []
    ) {
        self.predecessors = predecessors
        self.erased = erased
        self.device = device
        self.version = version
        self.position = position
        self.through = through
        self.accepted = accepted
        self.known = known
        self.gaps = gaps
        self.refused = refused
        self.events = events
        self.people = people
        self.format = format
    }
}

/// One device's line in `hub status`.
public struct HubDeviceSummary: Sendable, Equatable, Codable {
    public var device: String
    public var name: String
    public var site: String?
    public var fingerprint: String
    public var events: Int64
    public var through: Int64
    public var highest: Int64
    public var gaps: [SeqRange]
    public var archives: Int
    public var refusals: Int
    public var lastReceipt: Int64
    public var acknowledgedReceipt: Int64
    public var enrolledWall: String
    public var acceptedBy: String?
    /// The device it was restored from, and the one restored from it.
    public var predecessor: String?
    public var successor: String?
    public var revokedAfter: Int64?
    public var revokedReason: String?

    /// `enrolled`, `revoked` or `replaced` (revoked because a successor took over).
    public var state: String {
        revokedAfter == nil ? "enrolled" : successor == nil ? "revoked" : "replaced"
    }
}

extension Store {
    /// Whether this is headquarters' store.
    public func isHub() throws(StoreFailure) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM hub)") ?? false }
    }

    /// Marks this store as headquarters'.
    public func markHub(wall: String) throws(StoreFailure) {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO hub (singleton, created_wall) VALUES (1, ?)", arguments: [wall])
        }
    }

    /// Refuses unless this is headquarters' store.
    public func requireHub() throws(StoreFailure) {
        guard try isHub() else { throw .notHub(path: path) }
    }

    /// Puts a device on the roster; enrolling the same key again changes nothing.
    /// Returns false when it was already enrolled.
    ///
    /// A device restored from another (`predecessor` set) is linked to it in the same
    /// transaction: the predecessor must be enrolled; unless it was revoked already, its own key
    /// is revoked after the highest seq headquarters holds of it; and its successor may carry
    /// its events up to `predecessorThrough` (the last the restored laptop holds), whose hash
    /// is `predecessorHead`.
    @discardableResult
    public func enrol(_ device: EnrolledDevice, predecessorThrough: Int64 = 0, predecessorHead: String? = nil)
        throws(StoreFailure) -> Bool
    {
        try write { db in
            if let key = try String.fetchOne(
                db, sql: "SELECT signing_key FROM hub_devices WHERE device = ?", arguments: [device.device])
            {
                guard key == device.signingKey else {
                    throw StoreFailure.enrolledWithAnotherKey(device: device.device)
                }
                return false
            }
            try db.execute(
                sql: """
                    INSERT INTO hub_devices
                        (device, name, site, signing_key, sealing_key, fingerprint, enrolled_wall, accepted_by, predecessor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    device.device, device.name, device.site, device.signingKey, device.sealingKey, device.fingerprint,
                    device.enrolledWall, device.acceptedBy, device.predecessor,
                ])
            if let predecessor = device.predecessor {
                try Store.linkPredecessor(
                    predecessor, of: device.device, through: predecessorThrough, head: predecessorHead,
                    wall: device.enrolledWall, in: db)
            }
            return true
        }
    }

    /// The roster entry of `device`, if enrolled.
    public func enrolledDevice(_ device: String) throws(StoreFailure) -> EnrolledDevice? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM hub_devices WHERE device = ?", arguments: [device]).map(
                Store.enrolledDevice)
        }
    }

    /// The whole roster, by device id.
    public func enrolledDevices() throws(StoreFailure) -> [EnrolledDevice] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hub_devices ORDER BY device").map(Store.enrolledDevice)
        }
    }

    static func enrolledDevice(_ row: Row) -> EnrolledDevice {
        var entry = EnrolledDevice(
            device: row["device"], name: row["name"], site: row["site"], signingKey: row["signing_key"],
            sealingKey: row["sealing_key"], fingerprint: row["fingerprint"], enrolledWall: row["enrolled_wall"],
            archiveFormat: row["archive_format"], acknowledgedReceipt: row["acknowledged_receipt"])
        entry.acceptedBy = row["accepted_by"]
        entry.predecessor = row["predecessor"]
        entry.revokedAfter = row["revoked_after"]
        entry.revokedWall = row["revoked_wall"]
        entry.revokedReason = row["revoked_reason"]
        entry.carriedThrough = row["carried_through"]
        entry.carriedHead = row["carried_head"]
        return entry
    }

    /// Whether an archive with this identity was imported before.
    public func archiveImported(_ identity: ArchiveIdentity) throws(StoreFailure) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM hub_archives WHERE device = ? AND last = ? AND head = ?)",
                arguments: [identity.device, identity.last, identity.head]) ?? false
        }
    }

    /// Merges one verified archive in one transaction: new events inserted and folded, held
    /// ones counted, a different event at a held seq refused as a fork, and a `prev` that does
    /// not match a held neighbour refused as a broken chain. Nothing changes on refusal.
    public func importArchive(_ archive: ArchiveImport, wall: String) throws(StoreFailure) -> ImportOutcome {
        try write { db in
            var outcome = ImportOutcome(accepted: 0, known: 0)
            var batch = FoldBatch(decodedFromLines: true)
            for stored in archive.events {
                let event = stored.event
                if let held = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT hash FROM events WHERE device = ? AND seq = ?"),
                    arguments: [event.device, event.seq])
                {
                    guard held == stored.hash else { throw StoreFailure.fork(device: event.device, seq: event.seq) }
                    outcome.known += 1
                    continue
                }
                if try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)"), arguments: [event.id])
                    ?? false
                {
                    throw StoreFailure.fork(device: event.device, seq: event.seq)
                }
                // Adding, retiring, confirming and mapping instruments are headquarters' own decisions.
                guard !EventType.headquartersOnly.contains(event.type) else {
                    throw StoreFailure.instrumentRule(
                        "device \(event.device) recorded \(event.type) at seq \(event.seq), which only headquarters decides"
                    )
                }
                try Store.checkChain(stored, in: db)
                try Store.insert(stored, in: db)
                let tags = EventTags.tags(of: event)
                batch.add(event, tags: tags, touched: try Store.link(event, tags: tags, in: db))
                try db.cachedStatement(sql: "INSERT INTO hub_arrivals (event_id) VALUES (?)").execute(arguments: [
                    event.id
                ])
                outcome.accepted += 1
            }
            // Each instrument the archive touches is folded once, on all its events.
            try Store.refold(batch, in: db)
            try Store.upsert(people: archive.people, in: db)
            let identity = archive.identity
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO hub_archives (device, last, head, first, sha256, accepted, known, imported_wall)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    identity.device, identity.last, identity.head, archive.first, archive.sha256, outcome.accepted,
                    outcome.known, wall,
                ])
            try db.execute(
                sql: """
                    UPDATE hub_devices SET
                        archive_format = ?,
                        acknowledged_receipt = max(acknowledged_receipt,
                            min(?, coalesce((SELECT max(version) FROM hub_receipts WHERE device = ?), 0))),
                        claimed_receipt = max(claimed_receipt, ?)
                    WHERE device = ?
                    """,
                arguments: [
                    archive.format, archive.acknowledgedReceipt, identity.device, archive.acknowledgedReceipt,
                    identity.device,
                ])
            return outcome
        }
    }

    /// The event before and the event after must chain with this one, whichever arrived first.
    static func checkChain(_ stored: StoredEvent, in db: Database) throws {
        let event = stored.event
        if event.seq == 1 {
            guard event.prev == nil else { throw StoreFailure.brokenChain(device: event.device, seq: event.seq) }
        } else if let before = try String.fetchOne(
            db.cachedStatement(sql: "SELECT hash FROM events WHERE device = ? AND seq = ?"),
            arguments: [event.device, event.seq - 1])
        {
            guard event.prev == before else { throw StoreFailure.brokenChain(device: event.device, seq: event.seq) }
        }
        if let after = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT line FROM events WHERE device = ? AND seq = ?"),
            arguments: [event.device, event.seq + 1])
        {
            guard (try? StoredEvent(bytes: after).event.prev) == stored.hash else {
                throw StoreFailure.brokenChain(device: event.device, seq: event.seq + 1)
            }
        }
    }

    /// Notes a refused archive of an enrolled device, for its next receipt (once per file).
    public func recordRefusal(device: String, range: SeqRange, reason: String, sha256: String, wall: String)
        throws(StoreFailure)
    {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO hub_refusals (device, first, last, reason, sha256, listed_in, wall)
                    VALUES (?, ?, ?, ?, ?, NULL, ?)
                    """, arguments: [device, range.first, range.last, reason, sha256, wall])
        }
    }

    /// The seq ranges headquarters holds of `device`.
    public func heldRanges(device: String) throws(StoreFailure) -> [SeqRange] {
        try read { db in try Store.heldRanges(device: device, in: db) }
    }

    static func heldRanges(device: String, in db: Database) throws -> [SeqRange] {
        SeqRange.ranges(
            of: try Int64.fetchAll(db, sql: "SELECT seq FROM events WHERE device = ? ORDER BY seq", arguments: [device])
        )
    }
}

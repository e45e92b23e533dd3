import FieldKitCore
import Foundation
import GRDB

/// A receipt from headquarters as the device applies it.
public struct ReceiptApplication: Sendable, Equatable {
    /// The receipt's version: it only goes up.
    public var version: Int64
    /// This device's events headquarters holds without a gap from seq 1.
    public var through: Int64
    /// Other devices' events it carries.
    public var events: [StoredEvent]
    /// Names of the persons those events name.
    public var people: [Person]
    /// How far headquarters holds the logs this device carries on (its predecessor's).
    public var predecessors: [LogAcknowledgement]
    /// The trust statement beside the receipt: its root's key id (minisign hex) and version.
    public var trustRoot: String?
    public var trustVersion: Int64
    /// The root public key file text to pin, when the statement came through a root handover
    /// from the pinned root `pinnedRoot` (key id, minisign hex).
    public var newRoot: String?
    public var pinnedRoot: String?
    /// Persons erased at headquarters: their names are erased here too.
    public var erased: [String]

    /// Makes one.
    public init(
        version: Int64, through: Int64, events: [StoredEvent], people: [Person],
        predecessors: [LogAcknowledgement] = [], trustRoot: String? = nil, trustVersion: Int64 = 0,
        newRoot: String? = nil, pinnedRoot: String? = nil, erased: [String] = []
    ) {
        self.pinnedRoot = pinnedRoot
        self.erased = erased
        self.version = version
        self.through = through
        self.events = events
        self.people = people
        self.predecessors = predecessors
        self.trustRoot = trustRoot
        self.trustVersion = trustVersion
        self.newRoot = newRoot
    }
}

/// What applying a receipt changed.
public struct ReceiptOutcome: Sendable, Equatable {
    /// Events that were new to this device.
    public var added: Int
    /// Events it already held.
    public var known: Int
    /// Delivered-through before and after.
    public var deliveredBefore: Int64
    public var deliveredAfter: Int64
}

extension Store {
    /// The device's own events not yet acknowledged by a receipt, in seq order.
    public func undeliveredEvents() throws(StoreFailure) -> [StoredEvent] {
        try undeliveredEvents(of: try device().id)
    }

    /// The stored hash of `device`'s event at `seq`, if held.
    public func eventHash(device: String, seq: Int64) throws(StoreFailure) -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT hash FROM events WHERE device = ? AND seq = ?", arguments: [device, seq])
        }
    }

    /// The persons with these ids whose names are known (erased ones are left out).
    public func people(ids: some Sequence<String>) throws(StoreFailure) -> [Person] {
        try read { db in try Store.people(ids: ids, in: db) }
    }

    static func people(ids: some Sequence<String>, in db: Database) throws -> [Person] {
        var people: [Person] = []
        for id in Set(ids).sorted() {
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, name FROM people WHERE id = ? AND name IS NOT NULL"),
                arguments: [id])
            {
                people.append(Person(id: row["id"], name: row["name"]))
            }
        }
        return people
    }

    /// The newest receipt version this device applied (0 when none).
    public func lastReceiptVersion() throws(StoreFailure) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(version) FROM sync_receipts") ?? 0 }
    }

    /// Applies a verified receipt in one transaction: its events merged, the acknowledged events
    /// marked delivered, its version recorded. An older or equal version is refused.
    public func apply(_ receipt: ReceiptApplication, wall: String) throws(StoreFailure) -> ReceiptOutcome {
        try write { db in
            let applied = try Int64.fetchOne(db, sql: "SELECT max(version) FROM sync_receipts") ?? 0
            guard receipt.version > applied else {
                throw StoreFailure.olderReceipt(offered: receipt.version, applied: applied)
            }
            guard let device = try String.fetchOne(db, sql: "SELECT id FROM device") else {
                throw StoreFailure.missingDevice
            }
            if let newRoot = receipt.newRoot, let root = receipt.trustRoot {
                try Store.pinSuccessorRoot(newRoot, root: root, previous: receipt.pinnedRoot ?? "", wall: wall, in: db)
            }
            if let root = receipt.trustRoot {
                // A trust statement only goes up: one older than any accepted from its root is refused.
                if let accepted = try Store.trustVersion(root: root, in: db), accepted > receipt.trustVersion {
                    throw StoreFailure.olderTrust(offered: receipt.trustVersion, accepted: accepted)
                }
                try Store.recordTrust(root: root, version: receipt.trustVersion, wall: wall, in: db)
            }
            // The logs this device carries on are those it holds a delivery mark for.
            for carried in receipt.predecessors where carried.device != device {
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM delivery WHERE device = ?)", arguments: [carried.device])
                        ?? false
                else { continue }
                let held = try Store.highestSeq(of: carried.device, in: db)
                try Store.setDelivered(device: carried.device, through: min(carried.through, held), in: db)
            }
            let before =
                try Int64.fetchOne(
                    db, sql: "SELECT delivered_through FROM delivery WHERE device = ?", arguments: [device])
                ?? 0
            var added = 0
            var batch = FoldBatch(decodedFromLines: true)
            for stored in receipt.events where stored.event.device != device {
                if try Store.mergeOne(stored, into: &batch, in: db) { added += 1 }
            }
            try Store.refold(batch, in: db)
            try Store.upsert(people: receipt.people, in: db)
            try Store.applyErasures(receipt.erased, in: db)
            let held = try Store.highestSeq(of: device, in: db)
            // A receipt can never acknowledge more than this device wrote. It may acknowledge
            // less than an earlier one: headquarters restored from a backup lost what came after
            // it, and those events must be sent again. (An older receipt is refused above.)
            let through = min(receipt.through, held)
            try Store.setDelivered(device: device, through: through, in: db)
            try db.execute(
                sql: "INSERT INTO sync_receipts (version, through, events, applied_wall) VALUES (?, ?, ?, ?)",
                arguments: [receipt.version, receipt.through, receipt.events.count, wall])
            return ReceiptOutcome(
                added: added, known: receipt.events.count - added, deliveredBefore: before, deliveredAfter: through)
        }
    }

    static func setDelivered(device: String, through: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO delivery (device, delivered_through) VALUES (?, ?)
                ON CONFLICT (device) DO UPDATE SET delivered_through = excluded.delivered_through
                """,
            arguments: [device, through])
    }

    /// Inserts and links one event of another log unless held, adding it to `batch` for the
    /// refold once the batch is in; refuses a different event at its place. False when it was
    /// held already.
    @discardableResult
    static func mergeOne(_ stored: StoredEvent, into batch: inout FoldBatch, in db: Database) throws -> Bool {
        let held = try String.fetchOne(
            db.cachedStatement(sql: "SELECT hash FROM events WHERE (device = ? AND seq = ?) OR id = ?"),
            arguments: [stored.event.device, stored.event.seq, stored.event.id])
        if let held {
            // The same bytes again are "already known"; other bytes at that place are a fork.
            guard held == stored.hash else {
                throw StoreFailure.fork(device: stored.event.device, seq: stored.event.seq)
            }
            return false
        }
        try insert(stored, in: db)
        let tags = EventTags.tags(of: stored.event)
        batch.add(stored.event, tags: tags, touched: try link(stored.event, tags: tags, in: db))
        return true
    }
}

import FieldKitCore
import Foundation
import GRDB

/// A revocation as `hub revoke` reports it.
public struct Revocation: Sendable, Equatable, Codable {
    public var device: String
    /// Events after this seq are refused.
    public var after: Int64
    /// The highest seq headquarters held when it was revoked.
    public var held: Int64
    public var reason: String
    public var wall: String
}

/// How far headquarters holds another device's log, for the device that carries it on.
public struct LogAcknowledgement: Sendable, Equatable, Codable {
    public var device: String
    /// Every seq from 1 through this one is held.
    public var through: Int64

    /// Makes one.
    public init(device: String, through: Int64) {
        self.device = device
        self.through = through
    }
}

extension Store {
    /// Revokes `device`: its events after seq `after` are refused from now on. Events already
    /// held cannot be taken back (the log is append-only), so a cut-off below the highest
    /// held seq is refused; revoking again moves the cut-off.
    public func revoke(device: String, after: Int64, reason: String, wall: String) throws(StoreFailure) -> Revocation {
        try write { db in try Store.revoke(device: device, after: after, reason: reason, wall: wall, in: db) }
    }

    static func revoke(device: String, after: Int64, reason: String, wall: String, in db: Database) throws
        -> Revocation
    {
        guard
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM hub_devices WHERE device = ?)", arguments: [device])
                ?? false
        else { throw StoreFailure.notEnrolled(device: device) }
        let held = try Store.highestSeq(of: device, in: db)
        guard after >= held else { throw StoreFailure.revocationBelowHeld(device: device, after: after, held: held) }
        try db.execute(
            sql: "UPDATE hub_devices SET revoked_after = ?, revoked_wall = ?, revoked_reason = ? WHERE device = ?",
            arguments: [after, wall, reason, device])
        return Revocation(device: device, after: after, held: held, reason: reason, wall: wall)
    }

    /// Links a successor to its enrolled predecessor. The predecessor's own key is revoked after
    /// the highest seq held (unless revoked already): whoever holds the old laptop can add
    /// nothing. Its successor may carry its events through the later of `through` and that seq;
    /// the event at `through` must hash to `head`.
    static func linkPredecessor(
        _ predecessor: String, of successor: String, through: Int64, head: String?, wall: String, in db: Database
    ) throws {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT revoked_after FROM hub_devices WHERE device = ?", arguments: [predecessor])
        else { throw StoreFailure.notEnrolled(device: predecessor) }
        let held = try Store.highestSeq(of: predecessor, in: db)
        if (row["revoked_after"] as Int64?) == nil {
            _ = try revoke(
                device: predecessor, after: held, reason: "replaced by device \(successor)", wall: wall, in: db)
        }
        try db.execute(
            sql: "UPDATE hub_devices SET carried_through = ?, carried_head = ? WHERE device = ?",
            arguments: [max(through, held), through >= held ? head : nil, predecessor])
    }

    /// Pins headquarters' new root (its public key file text, key id `root`) reached through a
    /// handover from `previous`: after a root rotation at headquarters, or a handover accepted
    /// on a device. The trust and bundle versions accepted under `previous` stay the floor.
    public func pinRoot(_ text: String, root: String, previous: String, wall: String) throws(StoreFailure) {
        try write { db in try Store.pinSuccessorRoot(text, root: root, previous: previous, wall: wall, in: db) }
    }

    /// The highest seq held of `device` (0 when none).
    public func highestSeq(of device: String) throws(StoreFailure) -> Int64 {
        try read { db in try Store.highestSeq(of: device, in: db) }
    }

    static func highestSeq(of device: String, in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events WHERE device = ?", arguments: [device]) ?? 0
    }

    /// The enrolled device whose predecessor is `device`, if any.
    public func successor(of device: String) throws(StoreFailure) -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT device FROM hub_devices WHERE predecessor = ? ORDER BY device LIMIT 1",
                arguments: [device])
        }
    }

    /// The device's own events (or those of the log it carries on, `device`) not yet
    /// acknowledged by a receipt, in seq order.
    public func undeliveredEvents(of device: String) throws(StoreFailure) -> [StoredEvent] {
        try undeliveredEvents(of: device, after: 0, limit: Int.max)
    }

    /// A page of `undeliveredEvents(of:)`: at most `limit` of them with a seq above `seq`, so a
    /// long log is read a part at a time and never held in memory whole.
    public func undeliveredEvents(of device: String, after seq: Int64, limit: Int) throws(StoreFailure)
        -> [StoredEvent]
    {
        let lines = try read { db in
            try Data.fetchAll(
                db,
                sql: """
                    SELECT line FROM events
                    WHERE device = ? AND seq > max(?, coalesce((SELECT delivered_through FROM delivery WHERE device = ?), 0))
                    ORDER BY seq LIMIT ?
                    """, arguments: [device, seq, device, Int64(clamping: limit)])
        }
        do { return try lines.map { try StoredEvent(bytes: $0) } } catch {
            throw .corrupted(path: path, description: "an event line does not decode")
        }
    }

    /// How many of `device`'s events with a seq above `seq` are not yet acknowledged by a receipt.
    public func undeliveredCount(of device: String, after seq: Int64) throws(StoreFailure) -> Int {
        try read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM events
                    WHERE device = ? AND seq > max(?, coalesce((SELECT delivered_through FROM delivery WHERE device = ?), 0))
                    """, arguments: [device, seq, device]) ?? 0
        }
    }
}

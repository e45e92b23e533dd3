import FieldKitCore
import Foundation
import GRDB

extension Store {
    /// Computes the next receipt for `device` from headquarters' state and the last receipt the
    /// device acknowledged, so running it again after a crash gives the same acknowledgements.
    ///
    /// It carries the events of other devices, arrived since that receipt, about instruments that
    /// are at one of the device's sites, were at one in an event since then, or that the device
    /// itself recorded something about.
    public func planReceipt(device: String) throws(StoreFailure) -> ReceiptPlan {
        try read { db in
            guard
                let roster = try Row.fetchOne(
                    db, sql: "SELECT * FROM hub_devices WHERE device = ?", arguments: [device]
                )
                .map(Store.enrolledDevice)
            else { throw StoreFailure.logRule("device \(device) is not enrolled") }
            let acknowledged = roster.acknowledgedReceipt
            let since =
                try Int64.fetchOne(
                    db, sql: "SELECT position FROM hub_receipts WHERE device = ? AND version = ?",
                    arguments: [device, acknowledged]) ?? 0
            let position = try Int64.fetchOne(db, sql: "SELECT max(position) FROM hub_arrivals") ?? 0
            // Above every receipt written here and every one the device says it applied: after
            // headquarters is restored from a backup, its receipts resume above the lost ones'.
            let version =
                max(
                    try Int64.fetchOne(
                        db, sql: "SELECT max(version) FROM hub_receipts WHERE device = ?", arguments: [device]) ?? 0,
                    try Int64.fetchOne(
                        db, sql: "SELECT claimed_receipt FROM hub_devices WHERE device = ?", arguments: [device]) ?? 0
                ) + 1
            let held = try Store.heldRanges(device: device, in: db)
            let fresh = Set(
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT e.seq FROM events e JOIN hub_arrivals a ON a.event_id = e.id
                        WHERE e.device = ? AND a.position > ?
                        """, arguments: [device, since]))
            let allHeld = held.flatMap { Array($0.first...$0.last) }
            let refused = try Row.fetchAll(
                db,
                sql: """
                    SELECT first, last, reason, sha256 FROM hub_refusals
                    WHERE device = ? AND (listed_in IS NULL OR listed_in > ?) ORDER BY first, sha256
                    """, arguments: [device, acknowledged]
            ).map { HubRefusal(first: $0["first"], last: $0["last"], reason: $0["reason"], sha256: $0["sha256"]) }
            let events = try Store.eventsForReceipt(
                device: device, carried: try Store.ancestors(of: roster, in: db), site: roster.site, since: since,
                in: db)
            var ids = Set<String>()
            for stored in events {
                if let author = stored.event.author { ids.insert(author) }
                ids.formUnion(stored.event.payload.nestedStrings)
            }
            let people = try Store.people(ids: ids, in: db)
            return ReceiptPlan(
                device: device, version: version, position: position, through: SeqRange.contiguousThrough(held),
                accepted: SeqRange.ranges(of: fresh),
                known: SeqRange.ranges(of: allHeld.filter { !fresh.contains($0) }),
                gaps: SeqRange.gaps(in: held), refused: refused, events: events, people: people,
                format: roster.archiveFormat,
                predecessors: try Store.ancestors(of: roster, in: db).map { ancestor in
                    LogAcknowledgement(
                        device: ancestor,
                        through: SeqRange.contiguousThrough(try Store.heldRanges(device: ancestor, in: db)))
                },
                erased: try String.fetchAll(db, sql: "SELECT id FROM people WHERE erased = 1 ORDER BY id"))
        }
    }

    /// The devices `device` was restored from, nearest first (at most eight steps).
    static func ancestors(of device: EnrolledDevice, in db: Database) throws -> [String] {
        var found: [String] = []
        var next = device.predecessor
        while let current = next, found.count < 8, !found.contains(current), current != device.device {
            found.append(current)
            next = try String.fetchOne(
                db, sql: "SELECT predecessor FROM hub_devices WHERE device = ?", arguments: [current])
        }
        return found
    }

    /// Other devices' events for `device`'s receipt; those of the log it carries on (`carried`)
    /// are its own history and are left out.
    static func eventsForReceipt(device: String, carried: [String], site: String?, since: Int64, in db: Database)
        throws -> [StoredEvent]
    {
        let own = String(decoding: try JSONEncoder().encode([device] + carried), as: UTF8.self)
        var sites = Set(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT site FROM events WHERE device = ? AND site IS NOT NULL", arguments: [device]))
        if let site { sites.insert(site) }
        let siteList = String(decoding: try JSONEncoder().encode(sites.sorted()), as: UTF8.self)
        let lines = try Data.fetchAll(
            db,
            sql: """
                WITH sites(code) AS (SELECT value FROM json_each(?)),
                followed(tag) AS (
                    SELECT tag FROM instrument_state WHERE site IN sites
                    UNION
                    SELECT i.tag FROM instrument_events i JOIN events e ON e.id = i.event_id WHERE e.device = ?
                    UNION
                    SELECT i.tag FROM instrument_events i
                    JOIN events e ON e.id = i.event_id
                    JOIN hub_arrivals a ON a.event_id = e.id
                    WHERE a.position > ? AND (e.site IN sites
                        OR json_extract(e.line, '$.payload.from') IN sites
                        OR json_extract(e.line, '$.payload.to') IN sites)
                ),
                -- A provisional tag and the depot tag it is: following one follows both.
                tags(tag) AS (
                    SELECT tag FROM followed
                    UNION SELECT alias FROM instrument_aliases WHERE tag IN followed
                    UNION SELECT tag FROM instrument_aliases WHERE alias IN followed
                ),
                -- A confirmation or mapping since the last receipt joins two histories: the
                -- device gets the whole history of the tag it did not follow yet.
                joined(tag) AS (
                    SELECT json_extract(e.line, '$.payload.tag') FROM events e
                    JOIN hub_arrivals a ON a.event_id = e.id
                    WHERE a.position > ? AND e.type IN (?, ?)
                        AND json_extract(e.line, '$.payload.provisional') IN followed
                    UNION
                    SELECT json_extract(e.line, '$.payload.provisional') FROM events e
                    JOIN hub_arrivals a ON a.event_id = e.id
                    WHERE a.position > ? AND e.type IN (?, ?) AND json_extract(e.line, '$.payload.tag') IN followed
                )
                SELECT DISTINCT e.line, e.device, e.seq FROM instrument_events i
                JOIN events e ON e.id = i.event_id
                JOIN hub_arrivals a ON a.event_id = e.id
                WHERE e.device NOT IN (SELECT value FROM json_each(?))
                    AND ((a.position > ? AND i.tag IN tags) OR i.tag IN joined)
                ORDER BY e.device, e.seq
                """,
            arguments: [
                siteList, device, since, since, EventType.instrumentConfirmed, EventType.instrumentMapped, since,
                EventType.instrumentConfirmed, EventType.instrumentMapped, own, since,
            ])
        return try lines.map { try StoredEvent(bytes: $0) }
    }

    /// Records that receipt `plan` was written, so the next one follows it.
    public func recordReceipt(_ plan: ReceiptPlan, wall: String) throws(StoreFailure) {
        try write { db in
            try db.execute(
                sql:
                    "INSERT INTO hub_receipts (device, version, position, through, issued_wall) VALUES (?, ?, ?, ?, ?)",
                arguments: [plan.device, plan.version, plan.position, plan.through, wall])
            try db.execute(
                sql: "UPDATE hub_refusals SET listed_in = ? WHERE device = ? AND listed_in IS NULL",
                arguments: [plan.version, plan.device])
        }
    }

    /// Whether headquarters ever wrote `device` a receipt (by stick or by upload).
    public func receiptWritten(device: String) throws(StoreFailure) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM hub_receipts WHERE device = ?)", arguments: [device])
                ?? false
        }
    }

    /// Whether `device` has had no receipt yet, or events arrived at headquarters after the
    /// newest one was written (the hub server then writes a fresh one when it is fetched).
    public func receiptIsBehind(device: String) throws(StoreFailure) -> Bool {
        try read { db in
            guard
                let newest = try Int64.fetchOne(
                    db, sql: "SELECT position FROM hub_receipts WHERE device = ? ORDER BY version DESC LIMIT 1",
                    arguments: [device])
            else { return true }
            return (try Int64.fetchOne(db, sql: "SELECT max(position) FROM hub_arrivals") ?? 0) > newest
        }
    }

    /// Every enrolled device's delivery state, for `hub status`.
    public func hubSummaries() throws(StoreFailure) -> [HubDeviceSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hub_devices ORDER BY device").map { row in
                let device = Store.enrolledDevice(row)
                let held = try Store.heldRanges(device: device.device, in: db)
                return HubDeviceSummary(
                    device: device.device, name: device.name, site: device.site, fingerprint: device.fingerprint,
                    events: held.reduce(0) { $0 + $1.count }, through: SeqRange.contiguousThrough(held),
                    highest: held.last?.last ?? 0, gaps: SeqRange.gaps(in: held),
                    archives: try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM hub_archives WHERE device = ?", arguments: [device.device]) ?? 0,
                    refusals: try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM hub_refusals WHERE device = ?", arguments: [device.device]) ?? 0,
                    lastReceipt: try Int64.fetchOne(
                        db, sql: "SELECT max(version) FROM hub_receipts WHERE device = ?", arguments: [device.device])
                        ?? 0,
                    acknowledgedReceipt: device.acknowledgedReceipt, enrolledWall: device.enrolledWall,
                    acceptedBy: device.acceptedBy, predecessor: device.predecessor,
                    successor: try String.fetchOne(
                        db, sql: "SELECT device FROM hub_devices WHERE predecessor = ? LIMIT 1",
                        arguments: [device.device]),
                    revokedAfter: device.revokedAfter, revokedReason: device.revokedReason)
            }
        }
    }
}

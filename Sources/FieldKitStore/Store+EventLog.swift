import FieldKitCore
import FieldKitCrypto
import Foundation
import GRDB

extension Store {
    /// Appends a new event of this device in one transaction with `people` (names of the
    /// persons it refers to), taking seq, chain and clock from the store.
    @discardableResult
    public func append(
        _ draft: EventDraft, environment: FieldKitEnvironment, people: [Person] = []
    ) throws(StoreFailure) -> StoredEvent {
        try write { db in
            let event = try Store.nextEvent(db, draft: draft, environment: environment)
            try Store.upsert(people: people, in: db)
            try Store.insert(event, in: db)
            return event
        }
    }

    /// Builds the next event of this device inside a write transaction.
    static func nextEvent(
        _ db: Database, draft: EventDraft, environment: FieldKitEnvironment
    ) throws -> StoredEvent {
        guard let device = try Row.fetchOne(db, sql: "SELECT id, current_site, technician FROM device") else {
            throw StoreFailure.missingDevice
        }
        let deviceID: String = device["id"]
        let last = try Row.fetchOne(
            db, sql: "SELECT seq, hash FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1", arguments: [deviceID])
        let now = environment.now()
        // This device's own readings carry on; other devices' readings pull the clock forward
        // only through the bounded receive rule, so a laptop stuck in 2038 cannot drag it along.
        let own = try Row.fetchOne(
            db,
            sql: """
                SELECT hlc_millis, hlc_counter FROM events WHERE device = ?
                ORDER BY hlc_millis DESC, hlc_counter DESC LIMIT 1
                """, arguments: [deviceID])
        var clock = HybridLogicalClock(
            last: own.map { HLCTimestamp(millis: $0["hlc_millis"], counter: $0["hlc_counter"]) } ?? .zero)
        let received = try Row.fetchOne(
            db,
            sql: """
                SELECT hlc_millis, hlc_counter FROM events WHERE device <> ? AND hlc_millis <= ?
                ORDER BY hlc_millis DESC, hlc_counter DESC LIMIT 1
                """,
            arguments: [
                deviceID, max(EventTime.millis(now), clock.last.millis) + HybridLogicalClock.maximumLead,
            ])
        if let received {
            clock.receive(
                HLCTimestamp(millis: received["hlc_millis"], counter: received["hlc_counter"]),
                wallMillis: EventTime.millis(now))
        }
        let offset = environment.timeZone.secondsFromGMT(for: now) / 60
        let event = Event(
            id: environment.makeID(), device: deviceID, seq: (last?["seq"] ?? 0) + 1,
            hlc: clock.tick(wallMillis: EventTime.millis(now)), wall: EventTime.wallString(now),
            offsetMinutes: offset, date: draft.date ?? EventTime.localDate(now, offsetMinutes: offset),
            site: draft.site ?? device["current_site"], author: draft.author ?? device["technician"],
            bundle: draft.bundle, type: draft.type, payload: draft.payload, basis: draft.basis,
            prev: last?["hash"])
        return try StoredEvent(encoding: event)
    }

    static func insert(_ stored: StoredEvent, in db: Database) throws {
        let event = stored.event
        try db.cachedStatement(
            sql: """
                INSERT INTO events (device, seq, id, hash, line, type, hlc_millis, hlc_counter, local_date, site)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                event.device, event.seq, event.id, stored.hash, stored.bytes, event.type, event.hlc.millis,
                event.hlc.counter, event.date, event.site,
            ])
    }

    static func upsert(people: [Person], in db: Database) throws {
        for person in people {
            try db.execute(
                sql: """
                    INSERT INTO people (id, name) VALUES (?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE people.erased = 0
                    """,
                arguments: [person.id, person.name])
        }
    }

    /// Every event of `device`, in seq order (all devices when nil).
    public func events(of device: String? = nil) throws(StoreFailure) -> [StoredEvent] {
        let rows = try read { db in
            if let device {
                return try Row.fetchAll(
                    db, sql: "SELECT line FROM events WHERE device = ? ORDER BY seq", arguments: [device])
            }
            return try Row.fetchAll(db, sql: "SELECT line FROM events ORDER BY device, seq")
        }
        var events: [StoredEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows {
            do {
                events.append(try StoredEvent(bytes: row["line"]))
            } catch {
                throw .corrupted(path: path, description: "an event line does not decode")
            }
        }
        return events
    }

    /// The newest event by clock, if any.
    public func newestEvent() throws(StoreFailure) -> StoredEvent? {
        let line: Data? = try read { db in
            try Data.fetchOne(db, sql: "SELECT line FROM events ORDER BY hlc_millis DESC, hlc_counter DESC LIMIT 1")
        }
        guard let line else { return nil }
        do { return try StoredEvent(bytes: line) } catch {
            throw .corrupted(path: path, description: "an event line does not decode")
        }
    }

    /// The name of a person, nil when unknown or erased.
    public func person(_ id: String) throws(StoreFailure) -> Person? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, name FROM people WHERE id = ?", arguments: [id]).map {
                Person(id: $0["id"], name: $0["name"])
            }
        }
    }

    /// Counts for `status`.
    public func counts() throws(StoreFailure) -> StoreCounts {
        try read { db in
            let events = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            let people = try Int.fetchOne(db, sql: "SELECT count(*) FROM people WHERE name IS NOT NULL") ?? 0
            let undelivered =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM events e
                        LEFT JOIN delivery d ON d.device = e.device
                        WHERE (e.device = (SELECT id FROM device) OR e.device IN (SELECT device FROM delivery))
                          AND e.seq > coalesce(d.delivered_through, 0)
                        """) ?? 0
            return StoreCounts(events: events, undelivered: undelivered, people: people)
        }
    }

    /// Checks every stored line against its hash, device and seq, and the hash chain wherever
    /// seqs follow each other. This store's own log must have no gap, and neither may another
    /// device's log below what headquarters' receipts told that device it holds. Elsewhere
    /// another device's log is held in part by design: a receipt brings a laptop only the
    /// events about its instruments, and headquarters shows an archive still missing as a gap
    /// in `hub status`.
    public func logFindings() throws(StoreFailure) -> [LogFinding] {
        let (own, promised, rows) = try read { db in
            (
                try String.fetchOne(db, sql: "SELECT id FROM device"),
                try Dictionary(
                    Row.fetchAll(db, sql: "SELECT device, max(through) AS through FROM hub_receipts GROUP BY device")
                        .map { ($0["device"] as String, $0["through"] as Int64) }, uniquingKeysWith: max),
                try Row.fetchAll(db, sql: "SELECT device, seq, hash, line FROM events ORDER BY device, seq")
            )
        }
        func mustHold(_ device: String) -> Int64 { device == own ? Int64.max : promised[device] ?? 0 }
        var highest: [String: Int64] = [:]
        var findings: [LogFinding] = []
        var previous: (device: String, seq: Int64, hash: String)?
        for row in rows {
            let device: String = row["device"]
            let seq: Int64 = row["seq"]
            let line: Data = row["line"]
            let hash: String = row["hash"]
            let expectedSeq = previous?.device == device ? (previous?.seq ?? 0) + 1 : 1
            highest[device] = seq
            if seq != expectedSeq, expectedSeq <= mustHold(device) {
                findings.append(
                    LogFinding(device: device, seq: seq, problem: "seq \(expectedSeq)…\(seq - 1) is missing"))
            }
            let actual = Hashing.sha256Hex(line)
            if actual != hash {
                findings.append(
                    LogFinding(device: device, seq: seq, problem: "the stored hash does not match the line"))
            }
            if let stored = try? StoredEvent(bytes: line) {
                if stored.event.device != device || stored.event.seq != seq {
                    findings.append(
                        LogFinding(device: device, seq: seq, problem: "the line names another device or seq"))
                }
                if seq == expectedSeq, seq > 1, stored.event.prev != previous?.hash {
                    findings.append(
                        LogFinding(device: device, seq: seq, problem: "prev does not match the hash of seq \(seq - 1)"))
                } else if seq == 1, stored.event.prev != nil {
                    findings.append(LogFinding(device: device, seq: seq, problem: "the first event names a prev"))
                }
            } else {
                findings.append(LogFinding(device: device, seq: seq, problem: "the event line does not decode"))
            }
            previous = (device, seq, actual)
        }
        for (device, through) in promised.sorted(by: { $0.key < $1.key }) where (highest[device] ?? 0) < through {
            let from = (highest[device] ?? 0) + 1
            findings.append(
                LogFinding(
                    device: device, seq: through,
                    problem: "seq \(from)…\(through) is missing, though a receipt said headquarters holds them"))
        }
        return findings
    }

    /// `PRAGMA integrity_check`: empty when the file is sound.
    public func integrityFindings() throws(StoreFailure) -> [String] {
        let lines = try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return lines == ["ok"] ? [] : lines
    }

    /// Marks `device`'s events up to `seq` as delivered (never moves backwards).
    public func markDelivered(device: String, through seq: Int64) throws(StoreFailure) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO delivery (device, delivered_through) VALUES (?, ?)
                    ON CONFLICT (device) DO UPDATE SET delivered_through = max(delivered_through, excluded.delivered_through)
                    """,
                arguments: [device, seq])
        }
    }

    /// How far each device's events are delivered.
    public func deliveredThrough() throws(StoreFailure) -> [String: Int64] {
        try read { db in
            var result: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT device, delivered_through FROM delivery") {
                result[row["device"]] = row["delivered_through"]
            }
            return result
        }
    }
}

extension Store {
    /// The id of a person with exactly this name on this device, if any.
    public func personID(named name: String) throws(StoreFailure) -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT id FROM people WHERE name = ? ORDER BY id LIMIT 1", arguments: [name])
        }
    }
}

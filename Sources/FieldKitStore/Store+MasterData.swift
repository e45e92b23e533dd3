import FieldKitCore
import Foundation
import GRDB

/// A new inventory snapshot made by headquarters (Sync/SPEC.md §17).
public struct HubSnapshot: Sendable, Equatable {
    /// Every instrument headquarters knows, folded through the watermarks, by tag.
    public var instruments: [InstrumentBase]
    /// Per device, the seq through which the snapshot folds its events.
    public var watermarks: [String: Int64]
}

extension Store {
    /// The depot tag `tag` stands for: itself, or the tag a provisional tag was confirmed as or
    /// mapped to.
    static func canonicalTag(_ tag: String, in db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT tag FROM instrument_aliases WHERE alias = ?", arguments: [tag]) ?? tag
    }

    /// Recomputes where provisional tag `provisional` points, from the confirmations and mappings
    /// that name it (a register: those no later one overrides; the lowest id wins), and from the
    /// snapshot. Returns the tag it pointed to before, when that changed.
    static func updateAlias(of provisional: String, in db: Database) throws -> String? {
        let previous = try String.fetchOne(
            db, sql: "SELECT tag FROM instrument_aliases WHERE alias = ?", arguments: [provisional])
        let decisions = try Data.fetchAll(
            db,
            sql: """
                SELECT e.line FROM instrument_events i JOIN events e ON e.id = i.event_id
                WHERE i.tag = ? AND e.type IN (?, ?)
                """, arguments: [provisional, EventType.instrumentConfirmed, EventType.instrumentMapped]
        ).map { try StoredEvent(bytes: $0).event }.filter { $0.payload["provisional"]?.stringValue == provisional }
        let overridden = Set(decisions.flatMap(\.basis))
        let decided = decisions.filter { !overridden.contains($0.id) }.sorted { $0.id < $1.id }.first?
            .payload["tag"]?.stringValue
        let target = try decided ?? snapshotAlias(of: provisional, in: db)
        if let target {
            try db.execute(
                sql:
                    "INSERT INTO instrument_aliases (alias, tag) VALUES (?, ?) ON CONFLICT (alias) DO UPDATE SET tag = excluded.tag",
                arguments: [provisional, target])
        } else {
            try db.execute(sql: "DELETE FROM instrument_aliases WHERE alias = ?", arguments: [provisional])
        }
        return previous != target ? previous : nil
    }

    /// The snapshot entry that lists `provisional` among its aliases.
    static func snapshotAlias(of provisional: String, in db: Database) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT s.tag FROM snapshot_instruments s, json_each(s.document, '$.aliases') a
                WHERE a.value = ? ORDER BY s.tag LIMIT 1
                """, arguments: [provisional])
    }

    /// Rebuilds every alias from the snapshot and the events (after a new snapshot).
    static func rebuildAliases(in db: Database) throws {
        try db.execute(sql: "DELETE FROM instrument_aliases")
        let fromSnapshot = try String.fetchAll(
            db, sql: "SELECT a.value FROM snapshot_instruments s, json_each(s.document, '$.aliases') a")
        let fromEvents = try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT json_extract(e.line, '$.payload.provisional') FROM events e
                WHERE e.type IN (?, ?) AND json_extract(e.line, '$.payload.provisional') IS NOT NULL
                """, arguments: [EventType.instrumentConfirmed, EventType.instrumentMapped])
        for provisional in Set(fromSnapshot + fromEvents).sorted() { _ = try updateAlias(of: provisional, in: db) }
    }

    /// Refuses `offered` watermarks below the ones in force; a device missing counts as 0, so a
    /// bundle packed without a snapshot cannot replace one packed with it.
    public func checkWatermarks(_ offered: [String: Int64]) throws(StoreFailure) {
        try read { db in try Store.checkWatermarks(offered, in: db) }
    }

    static func checkWatermarks(_ offered: [String: Int64], in db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT device, seq FROM snapshot_watermarks ORDER BY device") {
            let device: String = row["device"]
            let installed: Int64 = row["seq"]
            if (offered[device] ?? 0) < installed {
                throw StoreFailure.watermarkBackwards(
                    device: device, installed: installed, offered: offered[device] ?? 0)
            }
        }
    }

    /// The snapshot's watermarks.
    public func watermarks() throws(StoreFailure) -> [String: Int64] {
        try read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT device, seq FROM snapshot_watermarks").map {
                    ($0["device"] as String, $0["seq"] as Int64)
                }, uniquingKeysWith: max)
        }
    }

    // MARK: - Headquarters' decisions

    /// The state of `tag` for a decision, refusing an unknown tag.
    static func stateForDecision(_ tag: String, in db: Database) throws -> InstrumentState {
        if let document = try String.fetchOne(
            db, sql: "SELECT document FROM instrument_state WHERE tag = ?", arguments: [tag])
        {
            return try JSONDecoder().decode(InstrumentState.self, from: Data(document.utf8))
        }
        guard
            let base = try String.fetchOne(
                db, sql: "SELECT document FROM snapshot_instruments WHERE tag = ?", arguments: [tag]
            ).map({ try JSONDecoder().decode(InstrumentBase.self, from: Data($0.utf8)) }),
            let state = InstrumentFold.fold(tag: tag, base: base, events: [])
        else { throw StoreFailure.noSuchInstrument(tag) }
        return state
    }

    /// The next free depot tag `<prefix><6 digits>` (`LO-VN-`): one above the highest known.
    static func nextTag(prefix: String, in db: Database) throws -> String {
        let pattern = prefix + "%"
        let known = try String.fetchAll(
            db,
            sql: """
                SELECT tag FROM snapshot_instruments WHERE tag LIKE ? ESCAPE '\\'
                UNION SELECT tag FROM instrument_events WHERE tag LIKE ? ESCAPE '\\'
                """, arguments: [pattern, pattern])
        let numbers = known.map { $0.dropFirst(prefix.count) }.filter { $0.count == 6 && $0.allSatisfy(\.isASCII) }
        let highest = numbers.compactMap { Int($0) }.max() ?? 0
        guard highest < 999_999 else { throw StoreFailure.instrumentRule("every \(prefix)… tag is taken") }
        return prefix + String(format: "%06ld", highest + 1)
    }

    /// Records one of headquarters' decisions as its own event, with an arrival position so the
    /// next receipts carry it.
    static func recordDecision(
        _ draft: EventDraft, tags: [String], environment: FieldKitEnvironment, in db: Database
    ) throws -> StoredEvent {
        let stored = try Store.nextEvent(db, draft: draft, environment: environment)
        try Store.insert(stored, in: db)
        try Store.apply(stored.event, tags: tags, in: db)
        try db.execute(sql: "INSERT INTO hub_arrivals (event_id) VALUES (?)", arguments: [stored.event.id])
        return stored
    }

    /// `hub instrument add`: a new depot instrument under the next tag with `prefix`.
    public func addInstrument(
        prefix: String, type: String, details: [String: String], site: String?, environment: FieldKitEnvironment
    ) throws(StoreFailure) -> StoredEvent {
        try requireHub()
        return try write { db in
            let tag = try Store.nextTag(prefix: prefix, in: db)
            var payload: [String: JSONValue] = ["tag": .string(tag), "type": .string(type)]
            for (key, value) in details { payload[key] = .string(value) }
            if let site { payload["site"] = .string(site) }
            return try Store.recordDecision(
                EventDraft(type: EventType.instrumentAdded, payload: .object(payload), site: site),
                tags: [tag], environment: environment, in: db)
        }
    }

    /// `hub instrument retire`: refused for an unknown tag, a provisional one, or one retired already.
    public func retireInstrument(_ tag: String, reason: String, environment: FieldKitEnvironment)
        throws(StoreFailure) -> StoredEvent
    {
        try requireHub()
        return try write { db in
            if let target = try String.fetchOne(
                db, sql: "SELECT tag FROM instrument_aliases WHERE alias = ?", arguments: [tag])
            {
                throw StoreFailure.instrumentRule("\(tag) is a provisional tag of \(target): retire \(target)")
            }
            let state = try Store.stateForDecision(tag, in: db)
            guard !state.provisional else {
                throw StoreFailure.instrumentRule("\(tag) is a provisional tag: confirm or map it first")
            }
            guard state.status != "retired" else { throw StoreFailure.instrumentRule("\(tag) is retired already") }
            return try Store.recordDecision(
                EventDraft(
                    type: EventType.instrumentRetired,
                    payload: .object(["tag": .string(tag), "reason": .string(reason)]),
                    basis: state.heads["status"] ?? []),
                tags: [tag], environment: environment, in: db)
        }
    }

    /// `hub instrument confirm` (`to` nil: a new depot tag with `prefix`) and `hub instrument map`
    /// (`to`: a depot instrument it was all along).
    public func decideProvisional(
        _ provisional: String, to existing: String?, prefix: String, environment: FieldKitEnvironment
    ) throws(StoreFailure) -> StoredEvent {
        try requireHub()
        return try write { db in
            if let target = try String.fetchOne(
                db, sql: "SELECT tag FROM instrument_aliases WHERE alias = ?", arguments: [provisional])
            {
                throw StoreFailure.instrumentRule("\(provisional) was confirmed as or mapped to \(target) already")
            }
            let state = try Store.stateForDecision(provisional, in: db)
            guard state.provisional else {
                throw StoreFailure.instrumentRule("\(provisional) is a depot tag, not a provisional one")
            }
            let tag: String
            if let existing {
                let target = try Store.stateForDecision(existing, in: db)
                guard !target.provisional else {
                    throw StoreFailure.instrumentRule("\(existing) is provisional itself: map to a depot tag")
                }
                guard target.status != "retired" else {
                    throw StoreFailure.instrumentRule("\(existing) is retired: an instrument cannot be mapped to it")
                }
                tag = existing
            } else {
                tag = try Store.nextTag(prefix: prefix, in: db)
            }
            return try Store.recordDecision(
                EventDraft(
                    type: existing == nil ? EventType.instrumentConfirmed : EventType.instrumentMapped,
                    payload: .object(["provisional": .string(provisional), "tag": .string(tag)])),
                tags: [tag, provisional], environment: environment, in: db)
        }
    }

    // MARK: - Snapshots

    /// `hub snapshot`: every instrument folded through new watermarks — per device, the seq
    /// through which headquarters holds its log without a gap — on the snapshot in force.
    public func makeSnapshot() throws(StoreFailure) -> HubSnapshot {
        try requireHub()
        return try read { db in
            var watermarks: [String: Int64] = [:]
            let old = Dictionary(
                try Row.fetchAll(db, sql: "SELECT device, seq FROM snapshot_watermarks").map {
                    ($0["device"] as String, $0["seq"] as Int64)
                }, uniquingKeysWith: max)
            for device in try String.fetchAll(db, sql: "SELECT DISTINCT device FROM events ORDER BY device") {
                let through = SeqRange.contiguousThrough(try Store.heldRanges(device: device, in: db))
                watermarks[device] = max(through, old[device] ?? 0)
            }
            let marks = String(decoding: try JSONEncoder().encode(watermarks), as: UTF8.self)
            let tags = try String.fetchAll(
                db,
                sql: """
                    SELECT tag FROM snapshot_instruments UNION SELECT tag FROM instrument_events
                    EXCEPT SELECT alias FROM instrument_aliases ORDER BY 1
                    """)
            var instruments: [InstrumentBase] = []
            for tag in tags {
                let (aliases, events, base) = try Store.foldInputs(tag: tag, through: marks, in: db)
                if let entry = InstrumentFold.snapshotEntry(tag: tag, base: base, events: events, aliases: aliases) {
                    instruments.append(entry)
                }
            }
            return HubSnapshot(instruments: instruments, watermarks: watermarks)
        }
    }
}

import FieldKitCore
import FieldKitCrypto
import Foundation
import GRDB

/// A repair or training record as amended, with its history.
public struct FieldRecord: Sendable, Equatable {
    /// The original event's id.
    public var id: String
    /// `repair` or `training`.
    public var kind: String
    public var tag: String?
    public var site: String?
    public var date: String
    /// The values as amended.
    public var values: JSONValue
    /// How many amendments changed it.
    public var amendments: Int
}

extension Store {
    /// Appends a field event and, in the same transaction, refolds every instrument it touches
    /// and updates the record and competency tables it affects.
    @discardableResult
    public func record(
        _ draft: EventDraft, environment: FieldKitEnvironment, people: [Person] = [], tags: [String] = []
    ) throws(StoreFailure) -> StoredEvent {
        try write { db in
            let stored = try Store.nextEvent(db, draft: draft, environment: environment)
            try Store.upsert(people: people, in: db)
            try Store.insert(stored, in: db)
            try Store.apply(stored.event, tags: tags, in: db)
            return stored
        }
    }

    /// Applies an already-inserted event to the derived tables. Every derived row is recomputed
    /// from the whole set of events behind it, so the order events arrive in never matters.
    static func apply(_ event: Event, tags: [String], in db: Database) throws {
        var batch = FoldBatch()
        batch.add(event, tags: tags, touched: try link(event, tags: tags, in: db))
        try refold(batch, in: db)
    }

    /// Everything `apply` does but fold instruments: links the event to its tags, moves a
    /// provisional tag's alias and refolds the records it changes; returns the tags to refold.
    /// A batch links all its events and then refolds each tag once (`refold(_:in:)`): a fold is
    /// a function of the set of events, so that gives the state one event at a time would,
    /// without folding a tag's history again for each of its events.
    static func link(_ event: Event, tags: [String], in db: Database) throws -> Set<String> {
        var touched = Set(tags)
        for tag in touched {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO instrument_events (tag, event_id) VALUES (?, ?)")
                .execute(arguments: [tag, event.id])
        }
        if event.type == EventType.instrumentConfirmed || event.type == EventType.instrumentMapped,
            let provisional = event.payload["provisional"]?.stringValue,
            let previous = try updateAlias(of: provisional, in: db)
        {
            touched.insert(previous)
        }
        switch event.type {
        case EventType.repairLogged, EventType.trainingRecorded:
            try refoldRecord(original: event, in: db)
        case EventType.repairAmended, EventType.trainingAmended:
            if let original = event.payload["record"]?.stringValue { try refoldRecord(original, in: db) }
        default:
            break
        }
        return touched
    }

    /// Refolds each tag of a batch once: on the fold kept beside its state when the batch's
    /// events allow (`InstrumentFold.extend`), otherwise from its whole history.
    static func refold(_ batch: FoldBatch, in db: Database) throws {
        let known = batch.known
        for tag in batch.tags.sorted() {
            if !batch.whole.contains(tag), let events = batch.fresh[tag], try extendFold(tag: tag, with: events, in: db)
            {
                continue
            }
            try refold(tag: tag, in: db, known: known)
        }
    }

    /// Folds every instrument again from its whole history, dropping every kept fold: what
    /// installing a snapshot does. The state is the same as before (the tests check that
    /// extending kept folds and folding whole histories agree).
    public func refoldAllInstruments() throws(StoreFailure) {
        try write { db in try Store.refoldAll(in: db) }
    }

    static func refoldAll(in db: Database) throws {
        try db.execute(sql: "DELETE FROM instrument_state")
        for tag in try String.fetchAll(
            db, sql: "SELECT DISTINCT tag FROM instrument_events UNION SELECT alias FROM instrument_aliases")
        {
            try refold(tag: tag, in: db)
        }
    }

    /// Folds `events` (new to this store, linked to `tag`) on the fold kept for `tag`; false
    /// when the tag has no kept fold, has aliases or is one, or `InstrumentFold.extend` declines.
    static func extendFold(tag: String, with events: [Event], in db: Database) throws -> Bool {
        guard
            let kept = try String.fetchOne(
                db.cachedStatement(sql: "SELECT fold FROM instrument_state WHERE tag = ? AND fold IS NOT NULL"),
                arguments: [tag]),
            !(try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT EXISTS (SELECT 1 FROM instrument_aliases WHERE tag = ?1 OR alias = ?1)"),
                arguments: [tag]) ?? true)
        else { return false }
        // Events a snapshot in force folds already are not folded again (as in `foldedEvents`).
        var beyond: [Event] = []
        for event in events where event.seq > (try watermark(of: event.device, in: db)) { beyond.append(event) }
        guard !beyond.isEmpty else { return true }
        let folded = try JSONDecoder().decode(InstrumentBase.self, from: Data(kept.utf8))
        guard
            let (state, entry) = try InstrumentFold.extend(
                folded, with: beyond,
                isHeld: { id in
                    try Bool.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM instrument_events i JOIN events e ON e.id = i.event_id
                                WHERE i.tag = ? AND i.event_id = ?
                                AND e.seq > coalesce((SELECT w.seq FROM snapshot_watermarks w WHERE w.device = e.device), 0))
                                """), arguments: [tag, id]) ?? false
                })
        else { return false }
        try writeState(state, fold: entry, in: db)
        return true
    }

    /// The seq up to which the snapshot in force folds `device`'s events (0 when none).
    static func watermark(of device: String, in db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT seq FROM snapshot_watermarks WHERE device = ?"), arguments: [device]) ?? 0
    }

    /// Writes an instrument's state and the fold it was made from (`InstrumentFold.entry`).
    static func writeState(_ state: InstrumentState, fold: InstrumentBase, in db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try db.cachedStatement(
            sql: """
                INSERT INTO instrument_state (tag, site, status, document, fold) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tag) DO UPDATE SET site = excluded.site, status = excluded.status,
                    document = excluded.document, fold = excluded.fold
                """
        ).execute(
            arguments: [
                state.tag, state.site, state.status, String(decoding: try encoder.encode(state), as: UTF8.self),
                String(decoding: try encoder.encode(fold), as: UTF8.self),
            ])
    }

    /// Refolds one instrument (Sync/SPEC.md §17): a provisional tag that is an alias folds into
    /// its depot tag; the depot tag folds its own events and its aliases' beyond the snapshot's
    /// watermarks on the snapshot entries of itself and its aliases.
    /// `known`: events by id that stand in for their stored lines (`FoldBatch.known`).
    static func refold(tag: String, in db: Database, known: [String: Event] = [:]) throws {
        if let target = try String.fetchOne(
            db.cachedStatement(sql: "SELECT tag FROM instrument_aliases WHERE alias = ?"), arguments: [tag])
        {
            try db.cachedStatement(sql: "DELETE FROM instrument_state WHERE tag = ?").execute(arguments: [tag])
            // An alias points at a depot tag, never at another alias (headquarters refuses that);
            // a chain is not followed, so no loop can recurse.
            let chained =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM instrument_aliases WHERE alias = ?)", arguments: [target])
                ?? false
            if target != tag, !chained { try refold(tag: target, in: db, known: known) }
            return
        }
        let (aliases, events, base) = try Store.foldInputs(tag: tag, in: db, known: known)
        guard let state = InstrumentFold.fold(tag: tag, base: base, events: events, aliases: aliases) else {
            try db.cachedStatement(sql: "DELETE FROM instrument_state WHERE tag = ?").execute(arguments: [tag])
            return
        }
        try writeState(
            state, fold: InstrumentFold.entry(of: state, base: base, events: events, placeholder: false), in: db)
    }

    /// What folding depot tag `tag` takes: its aliases, the events about it and them that the
    /// snapshot in force does not fold (up to the new watermarks `through`, for a new snapshot),
    /// and its snapshot entry merged with its aliases' entries.
    static func foldInputs(tag: String, through: String? = nil, in db: Database, known: [String: Event] = [:]) throws
        -> (
            aliases: [String], events: [Event], base: InstrumentBase?
        )
    {
        let aliases = try String.fetchAll(
            db.cachedStatement(sql: "SELECT alias FROM instrument_aliases WHERE tag = ? ORDER BY alias"),
            arguments: [tag])
        let names = String(decoding: try JSONEncoder().encode([tag] + aliases), as: UTF8.self)
        let decoder = JSONDecoder()
        let bases = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT document FROM snapshot_instruments WHERE tag IN (SELECT value FROM json_each(?))
                    ORDER BY tag = ? DESC, tag
                    """), arguments: [names, tag]
        ).map { try decoder.decode(InstrumentBase.self, from: Data($0.utf8)) }
        return (
            aliases, try foldedEvents(tags: names, through: through, in: db, known: known), InstrumentFold.merge(bases)
        )
    }

    /// The events about `tags` (a JSON list) that the snapshot in force does not fold already:
    /// those beyond their device's watermark — and, for a new snapshot, at or below the new
    /// watermarks `through` (a JSON object of device → seq).
    static func foldedEvents(tags: String, through: String? = nil, in db: Database, known: [String: Event] = [:])
        throws -> [Event]
    {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT e.id, e.line FROM instrument_events i JOIN events e ON e.id = i.event_id
                    WHERE i.tag IN (SELECT value FROM json_each(?))
                    AND e.seq > coalesce((SELECT w.seq FROM snapshot_watermarks w WHERE w.device = e.device), 0)
                    AND (?2 IS NULL OR e.seq <= coalesce((SELECT m.value FROM json_each(?2) m WHERE m.key = e.device), 0))
                    """), arguments: [tags, through]
        ).map { row in
            let id: String = row[0]
            return try known[id] ?? StoredEvent(bytes: row[1]).event
        }
    }

    /// Recomputes a record from its original event and every amendment of it (ordered by clock, then id).
    static func refoldRecord(_ id: String, in db: Database) throws {
        guard
            let line = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT line FROM events WHERE id = ?"), arguments: [id])
        else { return }
        try refoldRecord(original: try StoredEvent(bytes: line).event, in: db)
    }

    /// `refoldRecord(_:in:)` with the original event at hand (it has just been linked), so it is
    /// not read and decoded again.
    static func refoldRecord(original: Event, in db: Database) throws {
        let id = original.id
        guard original.type == EventType.repairLogged || original.type == EventType.trainingRecorded else { return }
        let kind = original.type == EventType.repairLogged ? "repair" : "training"
        let amendmentType = kind == "repair" ? EventType.repairAmended : EventType.trainingAmended
        // Through the index of events by type (v7): amendments are few among all events.
        let amendments = try Data.fetchAll(
            db.cachedStatement(
                sql: "SELECT line FROM events WHERE type = ? AND json_extract(line, '$.payload.record') = ?"),
            arguments: [amendmentType, id]
        ).map { try StoredEvent(bytes: $0).event }.sorted { ($0.hlc, $0.id) < ($1.hlc, $1.id) }
        guard case .object(var values) = original.payload else { return }
        var date = original.date
        var site = original.site
        for amendment in amendments {
            guard case .object(let changes)? = amendment.payload["changes"] else { continue }
            for (key, value) in changes {
                switch key {
                case "date": date = value.stringValue ?? date
                case "site": site = value.stringValue ?? site
                default: values[key] = value
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let document = String(decoding: try encoder.encode(JSONValue.object(values)), as: UTF8.self)
        try db.cachedStatement(
            sql: """
                INSERT INTO records (id, kind, tag, site, local_date, amendments, document) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET tag = excluded.tag, site = excluded.site, local_date = excluded.local_date,
                    amendments = excluded.amendments, document = excluded.document
                """
        ).execute(
            arguments: [id, kind, values["tag"]?.stringValue, site, date, amendments.count, document])
        if kind == "training" {
            try db.cachedStatement(sql: "DELETE FROM competencies WHERE event_id = ?").execute(arguments: [id])
            if values["signedOff"] == .bool(true), let checklist = values["checklist"]?.stringValue,
                case .array(let trainees)? = values["trainees"]
            {
                for trainee in trainees.compactMap(\.stringValue) {
                    try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO competencies (person, checklist, event_id) VALUES (?, ?, ?)"
                    ).execute(arguments: [trainee, checklist, id])
                }
            }
        }
    }

    /// The folded state of one instrument (snapshot only, when no event touched it); a provisional
    /// tag headquarters confirmed or mapped gives the depot tag's state.
    public func instrumentState(tag typed: String) throws(StoreFailure) -> InstrumentState? {
        try read { db in
            let tag = try Store.canonicalTag(typed, in: db)
            if let document = try String.fetchOne(
                db, sql: "SELECT document FROM instrument_state WHERE tag = ?", arguments: [tag])
            {
                return try JSONDecoder().decode(InstrumentState.self, from: Data(document.utf8))
            }
            let base = try String.fetchOne(
                db, sql: "SELECT document FROM snapshot_instruments WHERE tag = ?", arguments: [tag]
            )
            .flatMap { try? JSONDecoder().decode(InstrumentBase.self, from: Data($0.utf8)) }
            return base.flatMap { InstrumentFold.fold(tag: tag, base: $0, events: []) }
        }
    }

    /// Whether `tag` names a snapshot instrument or a registered one.
    public func instrumentExists(tag: String) throws(StoreFailure) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (
                            SELECT 1 FROM snapshot_instruments
                            WHERE tag = ? AND json_extract(document, '$.placeholder') IS NOT 1)
                        OR EXISTS (SELECT 1 FROM instrument_state WHERE tag = ?)
                        OR EXISTS (SELECT 1 FROM instrument_aliases WHERE alias = ?)
                    """, arguments: [tag, tag, tag]) ?? false
        }
    }

    /// Tags of instruments whose state puts them at `site` (snapshot and field events together).
    public func instruments(at site: String) throws(StoreFailure) -> [InstrumentState] {
        try read { db in try Store.instrumentStates(at: site, in: db).sorted { $0.tag < $1.tag } }
    }

    /// Every instrument's current state at `site` (nil: everywhere): folded ones, and snapshot
    /// entries nothing touched yet. An alias is not an instrument of its own (a refold removes
    /// its folded state, and its snapshot entry is skipped here).
    static func instrumentStates(at site: String?, in db: Database) throws -> [InstrumentState] {
        let folded = try String.fetchAll(
            db, sql: "SELECT document FROM instrument_state WHERE ? IS NULL OR site = ?", arguments: [site, site]
        )
        .map { try JSONDecoder().decode(InstrumentState.self, from: Data($0.utf8)) }
        let bases = try String.fetchAll(
            db,
            sql: """
                SELECT document FROM snapshot_instruments s
                WHERE (? IS NULL OR json_extract(s.document, '$.site') = ?)
                AND NOT EXISTS (SELECT 1 FROM instrument_state i WHERE i.tag = s.tag)
                AND NOT EXISTS (SELECT 1 FROM instrument_aliases a WHERE a.alias = s.tag)
                """, arguments: [site, site]
        ).compactMap { try? JSONDecoder().decode(InstrumentBase.self, from: Data($0.utf8)) }
        return folded + bases.compactMap { InstrumentFold.fold(tag: $0.tag, base: $0, events: []) }
    }

    /// Every event that touched `tag`, or the depot tag it is an alias of, or its aliases, by clock.
    public func history(tag typed: String) throws(StoreFailure) -> [Event] {
        let lines = try read { db in
            let tag = try Store.canonicalTag(typed, in: db)
            return try Data.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT e.line, e.hlc_millis, e.hlc_counter, e.id FROM instrument_events i
                    JOIN events e ON e.id = i.event_id
                    WHERE i.tag = ? OR i.tag IN (SELECT alias FROM instrument_aliases WHERE tag = ?)
                    ORDER BY e.hlc_millis, e.hlc_counter, e.id
                    """, arguments: [tag, tag])
        }
        do { return try lines.map { try StoredEvent(bytes: $0).event } } catch {
            throw .corrupted(path: path, description: "an event line does not decode")
        }
    }

    /// Records of `kind`, newest first, filtered by site, tag and date.
    public func records(kind: String, site: String? = nil, tag: String? = nil, since: String? = nil)
        throws(StoreFailure)
        -> [FieldRecord]
    {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM records WHERE kind = ?
                      AND (? IS NULL OR site = ?) AND (? IS NULL OR tag = ?) AND (? IS NULL OR local_date >= ?)
                    ORDER BY local_date DESC, id
                    """, arguments: [kind, site, site, tag, tag, since, since]
            ).map(Store.fieldRecord)
        }
    }

    /// One record by id (or a unique id prefix of at least 6 characters).
    public func record(id: String) throws(StoreFailure) -> FieldRecord? {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM records WHERE id = ? OR (length(?) >= 6 AND substr(id, 1, length(?)) = ?) LIMIT 2",
                arguments: [id, id, id, id])
            return rows.count == 1 ? try Store.fieldRecord(rows[0]) : nil
        }
    }

    static func fieldRecord(_ row: Row) throws -> FieldRecord {
        FieldRecord(
            id: row["id"], kind: row["kind"], tag: row["tag"], site: row["site"], date: row["local_date"],
            values: try JSONDecoder().decode(JSONValue.self, from: Data((row["document"] as String).utf8)),
            amendments: row["amendments"])
    }

    /// The events amending record `id`, by clock.
    public func amendments(of id: String) throws(StoreFailure) -> [Event] {
        let lines = try read { db in
            try Data.fetchAll(
                db,
                sql:
                    "SELECT line FROM events WHERE type IN (?, ?) AND json_extract(line, '$.payload.record') = ? ORDER BY hlc_millis, hlc_counter",
                arguments: [EventType.repairAmended, EventType.trainingAmended, id])
        }
        do { return try lines.map { try StoredEvent(bytes: $0).event } } catch {
            throw .corrupted(path: path, description: "an event line does not decode")
        }
    }

    /// The checklists `person` is signed off on.
    public func competencies(of person: String) throws(StoreFailure) -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT checklist FROM competencies WHERE person = ?", arguments: [person]))
        }
    }

    /// Counts of records by kind.
    public func recordCounts() throws(StoreFailure) -> [String: Int] {
        try read { db in
            var counts: [String: Int] = ["repair": 0, "training": 0]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM records GROUP BY kind") {
                counts[row["kind"]] = row["n"]
            }
            return counts
        }
    }

    /// A digest of the event set and every derived table: equal stores hold equal state, byte for byte.
    public func stateDigest() throws(StoreFailure) -> String {
        try read { db in
            var hasher = Hashing.Stream()
            for sql in [
                "SELECT tag || char(9) || document FROM instrument_state ORDER BY tag",
                "SELECT id || char(9) || kind || char(9) || ifnull(tag, '') || char(9) || ifnull(site, '') || char(9) || local_date || char(9) || amendments || char(9) || document FROM records ORDER BY id",
                "SELECT person || char(9) || checklist || char(9) || event_id FROM competencies ORDER BY person, checklist, event_id",
                "SELECT tag || char(9) || event_id FROM instrument_events ORDER BY tag, event_id",
                "SELECT device || char(9) || seq || char(9) || hash FROM events ORDER BY device, seq",
            ] {
                for line in try String.fetchAll(db, sql: sql) { hasher.update(Data((line + "\n").utf8)) }
            }
            return hasher.finalizeHex()
        }
    }

    /// The newest clock reading in the store (for the date sanity check).
    public func newestClockMillis() throws(StoreFailure) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(hlc_millis) FROM events") ?? 0 }
    }

    /// Sets the device's current site.
    public func setCurrentSite(_ site: String) throws(StoreFailure) {
        try write { db in
            try db.execute(sql: "UPDATE device SET current_site = ? WHERE singleton = 1", arguments: [site])
        }
    }

    /// Whether `site` is in the installed sites list.
    public func siteExists(_ code: String) throws(StoreFailure) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sites WHERE code = ?)", arguments: [code]) ?? false
        }
    }
}

/// The events a batch (an archive, a receipt, a merge) linked to each tag, so that each tag is
/// refolded once when the batch is in (`Store.refold(_:in:)`).
struct FoldBatch {
    /// Per tag, the batch's new events linked to it.
    var fresh: [String: [Event]] = [:]
    /// Tags to refold from their whole history: an alias moved to or from them.
    var whole: Set<String> = []
    /// Whether the batch's events were decoded from their stored lines (an archive's, a
    /// receipt's): a whole-history fold then takes them as they are instead of decoding their
    /// lines again. A new event made here is not taken so, in case its decoded line differs.
    var decodedFromLines = false

    /// The batch's events by id, when they may stand in for their stored lines.
    var known: [String: Event] {
        guard decodedFromLines else { return [:] }
        var byID: [String: Event] = [:]
        for event in fresh.values.joined() { byID[event.id] = event }
        return byID
    }

    var tags: Set<String> { whole.union(fresh.keys) }

    /// Adds a linked event: `tags` are the tags it was linked to, `touched` what `Store.link` returned.
    mutating func add(_ event: Event, tags: [String], touched: Set<String>) {
        let linked = Set(tags)
        for tag in linked { fresh[tag, default: []].append(event) }
        whole.formUnion(touched.subtracting(linked))
    }
}

extension Store {
    /// Adds events that are already signed and chained (another device's, or a restored log's),
    /// skipping ones already held, and applies them — all in one transaction. Derived state is
    /// refolded from the whole set, so any order and any batching give the same state.
    public func merge(_ events: [StoredEvent]) throws(StoreFailure) {
        try write { db in
            var batch = FoldBatch(decodedFromLines: true)
            for stored in events { try Store.mergeOne(stored, into: &batch, in: db) }
            try Store.refold(batch, in: db)
        }
    }
}

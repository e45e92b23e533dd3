import FieldKitCore
import Foundation
import GRDB

/// Everything a store holds about one person (a GDPR access request, Sync/SPEC.md §16.3).
public struct PersonRecord: Sendable, Equatable {
    public var id: String
    /// The name, nil once erased.
    public var name: String?
    public var erased: Bool
    /// Every event that names the person, as the author or anywhere in its payload, in log order.
    public var events: [StoredEvent]
    /// The checklists the person was signed off on, with the training's event id.
    public var competencies: [(checklist: String, event: String)]
    /// The devices whose technician the person is (on a device: this one, if so).
    public var technicianOf: [String]

    public static func == (lhs: PersonRecord, rhs: PersonRecord) -> Bool {
        lhs.id == rhs.id && lhs.name == rhs.name && lhs.erased == rhs.erased && lhs.events == rhs.events
            && lhs.competencies.map { [$0.checklist, $0.event] } == rhs.competencies.map { [$0.checklist, $0.event] }
            && lhs.technicianOf == rhs.technicianOf
    }
}

/// One person found by name.
public struct PersonMatch: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    public var erased: Bool
    public var events: Int
}

extension Store {
    /// Erases a person's name: the row keeps the id (events refer to it; no hash changes) and
    /// is marked erased, so no archive or receipt can bring the name back. Returns false when
    /// it was erased already.
    @discardableResult
    public func erasePerson(_ id: String) throws(StoreFailure) -> Bool {
        // Freed and rewritten pages are zeroed, and the write-ahead log is emptied afterwards, so
        // the name's bytes do not linger in the file.
        try writeWithoutTransaction { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        let erased = try write { db in
            guard let erased = try Bool.fetchOne(db, sql: "SELECT erased FROM people WHERE id = ?", arguments: [id])
            else { throw StoreFailure.noSuchPerson(id) }
            if erased { return false }
            try db.execute(sql: "UPDATE people SET name = NULL, erased = 1 WHERE id = ?", arguments: [id])
            return true
        }
        try writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        return erased
    }

    /// The ids of every erased person, sorted: every receipt carries them (§16.3).
    public func erasedPeople() throws(StoreFailure) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT id FROM people WHERE erased = 1 ORDER BY id") }
    }

    /// Marks `ids` erased, known here or not (an unknown id is kept as erased, so a name that
    /// arrives later for it is never stored).
    static func applyErasures(_ ids: [String], in db: Database) throws {
        if !ids.isEmpty { try db.execute(sql: "PRAGMA secure_delete = ON") }
        for id in ids {
            try db.execute(
                sql: """
                    INSERT INTO people (id, name, erased) VALUES (?, NULL, 1)
                    ON CONFLICT (id) DO UPDATE SET name = NULL, erased = 1
                    """, arguments: [id])
        }
    }

    /// Persons whose name contains `text` (case and accents ignored), and erased persons whose
    /// id starts with it, with how many events name them.
    public func findPeople(_ text: String) throws(StoreFailure) -> [PersonMatch] {
        func folded(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        }
        let wanted = folded(text)
        return try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, name, erased FROM people ORDER BY id")
            return try rows.compactMap { row -> PersonMatch? in
                let id: String = row["id"]
                let name: String? = row["name"]
                guard name.map({ folded($0).contains(wanted) }) ?? false || id.hasPrefix(text) else { return nil }
                return PersonMatch(
                    id: id, name: name, erased: row["erased"], events: try Store.eventsNaming(id, in: db).count)
            }
        }
    }

    /// Everything held about person `id`.
    public func personRecord(_ id: String) throws(StoreFailure) -> PersonRecord {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT name, erased FROM people WHERE id = ?", arguments: [id])
            else { throw StoreFailure.noSuchPerson(id) }
            let competencies = try Row.fetchAll(
                db, sql: "SELECT checklist, event_id FROM competencies WHERE person = ? ORDER BY checklist, event_id",
                arguments: [id]
            ).map { (checklist: $0["checklist"] as String, event: $0["event_id"] as String) }
            let technicianOf = try String.fetchAll(
                db, sql: "SELECT id FROM device WHERE technician = ? ORDER BY id", arguments: [id])
            return PersonRecord(
                id: id, name: row["name"], erased: row["erased"], events: try Store.eventsNaming(id, in: db),
                competencies: competencies, technicianOf: technicianOf)
        }
    }

    /// The events whose author is `id` or whose payload holds `id` as a string, in log order.
    /// The byte search only narrows; each candidate is parsed and checked.
    static func eventsNaming(_ id: String, in db: Database) throws -> [StoredEvent] {
        let lines = try Data.fetchAll(
            db, sql: "SELECT line FROM events WHERE instr(line, ?) > 0 ORDER BY device, seq", arguments: [Data(id.utf8)]
        )
        return try lines.compactMap { line in
            let stored = try StoredEvent(bytes: line)
            let event = stored.event
            return event.author == id || event.payload.nestedStrings.contains(id) ? stored : nil
        }
    }
}

import FieldKitCore
import Foundation
import GRDB

/// One side of a conflict: a head of a single-valued attribute.
public struct ConflictSide: Sendable, Equatable, Codable {
    public var event: String
    public var device: String
    public var seq: Int64
    public var type: String
    public var author: String?
    public var authorName: String?
    public var site: String?
    /// The record's local date.
    public var date: String
    public var value: String
}

/// A single-valued attribute of an instrument with several heads (Sync/SPEC.md §15).
public struct OpenConflict: Sendable, Equatable, Codable {
    /// `<tag>/<attribute>`: what `resolve` takes.
    public var id: String
    public var tag: String
    public var attribute: String
    /// The value shown until someone decides: the head with the lowest event id.
    public var provisional: String
    public var sides: [ConflictSide]
}

extension Store {
    /// Every open conflict this store knows, by tag and attribute.
    public func openConflicts() throws(StoreFailure) -> [OpenConflict] {
        try read { db in
            var found: [OpenConflict] = []
            let documents = try String.fetchAll(
                db,
                sql: """
                    SELECT document FROM instrument_state
                    WHERE json_extract(document, '$.conflicts') <> '{}' ORDER BY tag
                    """)
            for document in documents {
                let state = try JSONDecoder().decode(InstrumentState.self, from: Data(document.utf8))
                for attribute in InstrumentFold.attributes {
                    guard state.conflicts[attribute] != nil, let conflict = try Store.conflict(state, attribute, in: db)
                    else { continue }
                    found.append(conflict)
                }
            }
            return found
        }
    }

    /// One conflict by its id (`<tag>/<attribute>`), if still open.
    public func openConflict(_ id: String) throws(StoreFailure) -> OpenConflict? {
        try openConflicts().first { $0.id == id }
    }

    static func conflict(_ state: InstrumentState, _ attribute: String, in db: Database) throws -> OpenConflict? {
        guard let heads = state.heads[attribute], heads.count > 1 else { return nil }
        var sides: [ConflictSide] = []
        for id in heads {
            guard let line = try Data.fetchOne(db, sql: "SELECT line FROM events WHERE id = ?", arguments: [id]) else {
                continue
            }
            let event = try StoredEvent(bytes: line).event
            let name = try event.author.flatMap { author in
                try String.fetchOne(db, sql: "SELECT name FROM people WHERE id = ?", arguments: [author])
            }
            sides.append(
                ConflictSide(
                    event: event.id, device: event.device, seq: event.seq, type: event.type, author: event.author,
                    authorName: name, site: event.site, date: event.date,
                    value: InstrumentFold.assignments(event)[attribute] ?? ""))
        }
        let provisional: String =
            switch attribute {
            case "site": state.site
            case "status": state.status
            default: state.condition
            }
        return OpenConflict(
            id: state.tag + "/" + attribute, tag: state.tag, attribute: attribute, provisional: provisional,
            sides: sides)
    }

    /// Records the decision on an open conflict: an event of this store's device whose basis is
    /// every head, keeping the value of the head whose id starts with `keep`. At headquarters the
    /// event is given an arrival position, so the next receipts carry it to the devices.
    @discardableResult
    public func resolveConflict(_ id: String, keep: String, author: String?, environment: FieldKitEnvironment)
        throws(StoreFailure) -> StoredEvent
    {
        try write { db in
            let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2,
                let document = try String.fetchOne(
                    db, sql: "SELECT document FROM instrument_state WHERE tag = ?", arguments: [parts[0]]),
                let conflict = try Store.conflict(
                    try JSONDecoder().decode(InstrumentState.self, from: Data(document.utf8)), parts[1], in: db)
            else { throw StoreFailure.noSuchConflict(id) }
            let matches = conflict.sides.filter { $0.event.hasPrefix(keep.lowercased()) }
            guard !keep.isEmpty, matches.count == 1, let kept = matches.first else {
                throw StoreFailure.noSuchSide(conflict: id, keep: keep, sides: conflict.sides.map(\.event))
            }
            let draft = EventDraft(
                type: EventType.conflictResolved,
                payload: .object([
                    "tag": .string(conflict.tag), "attribute": .string(conflict.attribute),
                    "value": .string(kept.value), "kept": .string(kept.event),
                ]),
                author: author, basis: conflict.sides.map(\.event).sorted())
            let stored = try Store.nextEvent(db, draft: draft, environment: environment)
            try Store.insert(stored, in: db)
            try Store.apply(stored.event, tags: [conflict.tag], in: db)
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM hub)") ?? false {
                try db.execute(sql: "INSERT INTO hub_arrivals (event_id) VALUES (?)", arguments: [stored.event.id])
            }
            return stored
        }
    }
}

/// What is odd about a device's clock, from the wall times its events carry (Sync/SPEC.md §15).
public struct ClockAnomalies: Sendable, Equatable, Codable {
    /// Events whose wall clock reads before 2020.
    public var beforeTwentyTwenty: Int
    /// Events whose wall clock reads more than a day ahead of `now`.
    public var aheadOfNow: Int
    /// Events whose wall clock reads earlier than the event before them in the device's log.
    public var backwards: Int

    /// Whether there is anything to say.
    public var isEmpty: Bool { beforeTwentyTwenty == 0 && aheadOfNow == 0 && backwards == 0 }
}

extension Store {
    /// Clock anomalies per device with any, measured against `now`. Events are
    /// accepted whatever their clocks say: this only flags them for a person.
    public func clockAnomalies(now: Date) throws(StoreFailure) -> [String: ClockAnomalies] {
        let ahead = EventTime.wallString(now.addingTimeInterval(86_400))
        return try read { db in
            var found: [String: ClockAnomalies] = [:]
            var previous: (device: String, wall: String)?
            let rows = try Row.fetchCursor(
                db, sql: "SELECT device, json_extract(line, '$.wall') AS wall FROM events ORDER BY device, seq")
            while let row = try rows.next() {
                let device: String = row["device"]
                let wall: String = row["wall"] ?? ""
                var entry = found[device] ?? ClockAnomalies(beforeTwentyTwenty: 0, aheadOfNow: 0, backwards: 0)
                if wall < "2020-01-01" { entry.beforeTwentyTwenty += 1 }
                if wall > ahead { entry.aheadOfNow += 1 }
                if let previous, previous.device == device, wall < previous.wall { entry.backwards += 1 }
                found[device] = entry
                previous = (device, wall)
            }
            return found.filter { !$0.value.isEmpty }
        }
    }
}

import FieldKitCore
import Foundation
import GRDB

extension Store {
    /// Copies the whole store into a new file at `path` through SQLite's online backup API.
    public func backup(toFile path: String) throws(StoreFailure) {
        do {
            let target = try DatabaseQueue(path: path)
            try pool.backup(to: target)
            try target.close()
        } catch let error as DatabaseError {
            throw Store.failure(error, path: path)
        } catch {
            throw .database(code: 0, description: "\(error)")
        }
    }

    /// Makes a new store in `folder` for a successor device, holding every event, person and
    /// delivery mark of the store file at `backupPath`, and records the succession as the
    /// new device's first event. The store is created first and filled in a second
    /// transaction, so the caller removes the folder when this throws.
    public static func restore(
        from backupPath: String, into folder: String, device: DeviceRecord, named name: String?,
        environment: FieldKitEnvironment
    ) throws(StoreFailure) -> Store {
        let source = try Store.open(path: backupPath)
        try source.requireIntact(reporting: backupPath)
        let old = try source.device()
        let events = try source.events()
        let delivered = try source.deliveredThrough()
        let people = try source.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, erased FROM people").map {
                (id: $0["id"] as String, name: $0["name"] as String?, erased: $0["erased"] as Int64)
            }
        }
        let findings = try source.logFindings()
        guard findings.isEmpty else {
            throw .corrupted(
                path: backupPath, description: "its event log fails its checks (\(findings.count) findings)")
        }
        var successor = device
        successor.predecessor = old.id
        successor.name = name ?? old.name
        successor.currentSite = device.currentSite ?? old.currentSite
        successor.technician = nil  // set below, once the people rows exist
        successor.hqRoot = device.hqRoot ?? old.hqRoot
        let store = try Store.create(folder: folder, device: successor, technician: nil)
        try store.write { db in
            for person in people {
                try db.execute(
                    sql: "INSERT INTO people (id, name, erased) VALUES (?, ?, ?)",
                    arguments: [person.id, person.name, person.erased])
            }
            try db.execute(
                sql: "UPDATE device SET technician = ? WHERE singleton = 1", arguments: [old.technician])
            for stored in events { try Store.insert(stored, in: db) }
            // The predecessor's log is carried on: a delivery row (0 when nothing was
            // acknowledged) marks it as a log this device must deliver.
            var marks = delivered
            marks[old.id] = marks[old.id] ?? 0
            for (deviceID, seq) in marks {
                try db.execute(
                    sql: "INSERT INTO delivery (device, delivered_through) VALUES (?, ?)", arguments: [deviceID, seq])
            }
            let draft = EventDraft(
                type: EventType.deviceRestored,
                payload: .object([
                    "predecessor": .string(old.id),
                    "predecessorLastSeq": .int(events.last { $0.event.device == old.id }?.event.seq ?? 0),
                    "name": .string(successor.name),
                ]))
            try Store.insert(try Store.nextEvent(db, draft: draft, environment: environment), in: db)
        }
        return store
    }

    /// Refuses a store whose file fails SQLite's `PRAGMA integrity_check` (a damaged page, an
    /// index that does not match its table), naming `path` (the file the person gave).
    public func requireIntact(reporting path: String) throws(StoreFailure) {
        let findings = try integrityFindings()
        guard let first = findings.first else { return }
        throw .corrupted(
            path: path,
            description: "SQLite's integrity check fails (\(findings.count) finding(s), the first: \(first))")
    }
}

import FieldKitCore
import Foundation
import GRDB

/// The device's SQLite store: one file, `fieldkit.sqlite`, in the data folder.
///
/// WAL, `synchronous=FULL`, foreign keys on, STRICT tables; every logical operation is one
/// transaction. The API speaks in domain terms; GRDB's `Database` never leaves this module.
public final class Store: Sendable {
    /// The store file's path.
    public let path: String
    let pool: DatabasePool

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Creates a new store in `folder` with its device row; refuses when one exists.
    public static func create(folder: String, device: DeviceRecord, technician: Person?) throws(StoreFailure) -> Store {
        let path = folder + "/" + DataFolder.storeName
        guard !FileLayer.exists(path) else { throw .alreadyExists(path: path) }
        let store = try open(path: path)
        try store.write { db in
            if let technician {
                try db.execute(
                    sql: "INSERT INTO people (id, name) VALUES (?, ?)", arguments: [technician.id, technician.name])
            }
            try db.execute(
                sql: """
                    INSERT INTO device (singleton, id, name, current_site, technician, predecessor, created_wall, hq_root)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    device.id, device.name, device.currentSite, device.technician, device.predecessor,
                    device.createdWall, device.hqRoot,
                ])
        }
        return store
    }

    /// Opens the store in `folder`, migrating it forward. A folder a restore is filling is
    /// refused, unless it is that restore (`restoring`) opening it.
    public static func open(folder: String, restoring: Bool = false) throws(StoreFailure) -> Store {
        let path = folder + "/" + DataFolder.storeName
        guard restoring || !DataFolder.isUnfinishedRestore(folder) else { throw .unfinishedRestore(folder: folder) }
        guard FileLayer.exists(path) else { throw .notInitialised(folder: folder) }
        return try open(path: path)
    }

    /// Opens (or creates) a store file at `path` and migrates it to the newest schema.
    static func open(path: String, upTo migration: String? = nil) throws(StoreFailure) -> Store {
        #if FIELDKIT_FAULT_POINTS
            _ = StoreFaults.installed
        #endif
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after
            // `prepareDatabase`: set FULL again, or a commit is not synced and a power cut can
            // take back what a command reported as done (found by the store-sync fault sweep).
            // The writer keeps up to 32 MiB of pages (SQLite's default is 2 MiB): a merge at
            // headquarters touches pages all over the indexes, and re-reads them less (about 10 %
            // of a 100,000-event merge, docs/PERFORMANCE.md). The cache only grows as it is used.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = -32768")
            }
            if let migration {
                try Schema.migrator.migrate(pool, upTo: migration)
            } else {
                try Schema.migrator.migrate(pool)
            }
            return Store(path: path, pool: pool)
        } catch let error as DatabaseError {
            throw Store.failure(error, path: path)
        } catch {
            throw .corrupted(path: path, description: "\(error)")
        }
    }

    /// The device row.
    public func device() throws(StoreFailure) -> DeviceRecord {
        let row = try read { db in try Row.fetchOne(db, sql: "SELECT * FROM device WHERE singleton = 1") }
        guard let row else { throw .missingDevice }
        return DeviceRecord(
            id: row["id"], name: row["name"], currentSite: row["current_site"], technician: row["technician"],
            predecessor: row["predecessor"], createdWall: row["created_wall"], hqRoot: row["hq_root"])
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws(StoreFailure) -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    // MARK: - Transactions

    func read<T>(_ body: (Database) throws -> T) throws(StoreFailure) -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw Store.failure(error, path: path)
        } catch let error as StoreFailure {
            throw error
        } catch {
            throw .database(code: 0, description: "\(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreFailure) -> T {
        do {
            let result = try pool.write(body)
            FaultPoint.storeCommitted.reach()
            return result
        } catch let error as DatabaseError {
            throw Store.failure(error, path: path)
        } catch let error as StoreFailure {
            throw error
        } catch {
            throw .database(code: 0, description: "\(error)")
        }
    }

    /// Runs `body` on the writer connection outside a transaction (pragmas, checkpoints).
    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws(StoreFailure) -> T {
        do {
            return try pool.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw Store.failure(error, path: path)
        } catch {
            throw .database(code: 0, description: "\(error)")
        }
    }

    static func failure(_ error: DatabaseError, path: String) -> StoreFailure {
        let code = error.resultCode
        if code == .SQLITE_NOTADB {
            return .corrupted(path: path, description: "SQLite says the file is not a valid database")
        }
        if code == .SQLITE_CORRUPT {
            return .corrupted(
                path: path, description: "SQLite found a damaged page in it (the disk image is malformed)")
        }
        // A full or failing disk (SQLITE_FULL, SQLITE_IOERR and its extended codes).
        if code.primaryResultCode == .SQLITE_FULL || code.primaryResultCode == .SQLITE_IOERR {
            let reading = code.rawValue == 266 || code.rawValue == 522  // SQLITE_IOERR_READ, _SHORT_READ
            return .disk(
                path: path, reading: reading, code: code.rawValue, description: error.message ?? "\(code)")
        }
        // The message carries SQLite's words, never the statement's arguments.
        return .database(code: code.primaryResultCode.rawValue, description: error.message ?? "\(code)")
    }
}

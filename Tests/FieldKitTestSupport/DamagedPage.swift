import Foundation

/// Damages one page of a store file the way a failing disk does, leaving it SQLite: the
/// stock `sqlite3` folds the log into the file and says where the index of events by type
/// lives, and every byte of that page after its header becomes garbage. SQLite still opens
/// the file and reads the events table; `PRAGMA integrity_check` fails.
public enum DamagedPage {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Damages the `events_by_type` index page of the store at `store`.
    public static func damageIndex(of store: String) throws {
        let located = try Tools.run(
            "sqlite3",
            [
                store, "PRAGMA wal_checkpoint(TRUNCATE);", "PRAGMA page_size;",
                "SELECT rootpage FROM sqlite_schema WHERE name = 'events_by_type';",
            ])
        guard located.status == 0 else { throw Failure(description: "sqlite3 failed: \(located.stderr)") }
        let numbers = located.stdout.split(separator: "\n").compactMap { Int($0) }
        guard numbers.count >= 2, let page = numbers.last, page > 1 else {
            throw Failure(description: "sqlite3 gave no page size and index page: \(located.stdout)")
        }
        let pageSize = numbers[numbers.count - 2]
        guard let handle = FileHandle(forUpdatingAtPath: store) else {
            throw Failure(description: "cannot open \(store) for writing")
        }
        try handle.seek(toOffset: UInt64((page - 1) * pageSize + 8))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize - 8))
        try handle.close()
    }
}

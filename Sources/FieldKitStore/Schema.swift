import GRDB

/// The named, append-only migrations. Never edit one that has shipped; add the next.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-device-people-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE people (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT,
                        erased INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1)),
                        CHECK (erased = 0 OR name IS NULL)
                    ) STRICT;
                    CREATE TABLE device (
                        singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                        id TEXT NOT NULL CHECK (length(id) = 16),
                        name TEXT NOT NULL CHECK (length(name) > 0),
                        current_site TEXT,
                        technician TEXT REFERENCES people(id),
                        predecessor TEXT CHECK (predecessor IS NULL OR length(predecessor) = 16),
                        created_wall TEXT NOT NULL,
                        hq_root TEXT
                    ) STRICT;
                    CREATE TABLE events (
                        device TEXT NOT NULL CHECK (length(device) = 16),
                        seq INTEGER NOT NULL CHECK (seq >= 1),
                        id TEXT NOT NULL UNIQUE,
                        hash TEXT NOT NULL CHECK (length(hash) = 64),
                        line BLOB NOT NULL,
                        type TEXT NOT NULL,
                        hlc_millis INTEGER NOT NULL,
                        hlc_counter INTEGER NOT NULL,
                        local_date TEXT NOT NULL,
                        site TEXT,
                        PRIMARY KEY (device, seq)
                    ) STRICT;
                    CREATE INDEX events_by_hlc ON events(hlc_millis, hlc_counter);
                    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                    CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                    CREATE TABLE delivery (
                        device TEXT PRIMARY KEY NOT NULL,
                        delivered_through INTEGER NOT NULL DEFAULT 0 CHECK (delivered_through >= 0)
                    ) STRICT;
                    """)
        }
        return migrator
    }
}

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
        migrator.registerMigration("v2-bundle-content") { db in
            try db.execute(
                sql: """
                    CREATE TABLE bundle_installed (
                        root TEXT PRIMARY KEY NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 0),
                        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                        created TEXT NOT NULL,
                        expires TEXT NOT NULL,
                        trust_version INTEGER NOT NULL,
                        development INTEGER NOT NULL CHECK (development IN (0, 1)),
                        installed_wall TEXT NOT NULL,
                        in_force INTEGER NOT NULL DEFAULT 0 CHECK (in_force IN (0, 1))
                    ) STRICT;
                    CREATE UNIQUE INDEX bundle_in_force ON bundle_installed(in_force) WHERE in_force = 1;
                    CREATE TABLE guides (
                        id TEXT PRIMARY KEY NOT NULL,
                        family TEXT NOT NULL,
                        instruments TEXT NOT NULL,
                        document TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE checklists (id TEXT PRIMARY KEY NOT NULL, document TEXT NOT NULL) STRICT;
                    CREATE TABLE parts (id TEXT PRIMARY KEY NOT NULL, document TEXT NOT NULL) STRICT;
                    CREATE TABLE instrument_types (id TEXT PRIMARY KEY NOT NULL, document TEXT NOT NULL) STRICT;
                    CREATE TABLE sites (
                        code TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        region TEXT NOT NULL,
                        kind TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE snapshot_instruments (
                        tag TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        document TEXT NOT NULL
                    ) STRICT;
                    CREATE VIRTUAL TABLE guide_search USING fts5(
                        guide_id UNINDEXED, lang UNINDEXED, title, body,
                        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
                    );
                    CREATE VIRTUAL TABLE instrument_search USING fts5(
                        tag, names, maker, model, serial,
                        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
                    );
                    """)
        }
        migrator.registerMigration("v3-field-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE instrument_events (
                        tag TEXT NOT NULL,
                        event_id TEXT NOT NULL REFERENCES events(id),
                        PRIMARY KEY (tag, event_id)
                    ) STRICT;
                    CREATE INDEX instrument_events_by_event ON instrument_events(event_id);
                    CREATE TABLE instrument_state (
                        tag TEXT PRIMARY KEY NOT NULL,
                        site TEXT NOT NULL,
                        status TEXT NOT NULL,
                        document TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX instrument_state_by_site ON instrument_state(site);
                    CREATE TABLE records (
                        id TEXT PRIMARY KEY NOT NULL REFERENCES events(id),
                        kind TEXT NOT NULL CHECK (kind IN ('repair', 'training')),
                        tag TEXT,
                        site TEXT,
                        local_date TEXT NOT NULL,
                        amendments INTEGER NOT NULL DEFAULT 0 CHECK (amendments >= 0),
                        document TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX records_by_tag ON records(tag);
                    CREATE TABLE competencies (
                        person TEXT NOT NULL,
                        checklist TEXT NOT NULL,
                        event_id TEXT NOT NULL REFERENCES events(id),
                        PRIMARY KEY (person, checklist, event_id)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v4-sync") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sync_receipts (
                        version INTEGER PRIMARY KEY NOT NULL CHECK (version >= 1),
                        through INTEGER NOT NULL CHECK (through >= 0),
                        events INTEGER NOT NULL CHECK (events >= 0),
                        applied_wall TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE hub (
                        singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                        created_wall TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE hub_devices (
                        device TEXT PRIMARY KEY NOT NULL CHECK (length(device) = 16),
                        name TEXT NOT NULL,
                        site TEXT,
                        signing_key TEXT NOT NULL,
                        sealing_key TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        enrolled_wall TEXT NOT NULL,
                        archive_format INTEGER NOT NULL DEFAULT 1,
                        acknowledged_receipt INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged_receipt >= 0)
                    ) STRICT;
                    CREATE TABLE hub_archives (
                        device TEXT NOT NULL,
                        last INTEGER NOT NULL,
                        head TEXT NOT NULL CHECK (length(head) = 64),
                        first INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        accepted INTEGER NOT NULL,
                        known INTEGER NOT NULL,
                        imported_wall TEXT NOT NULL,
                        PRIMARY KEY (device, last, head)
                    ) STRICT;
                    CREATE TABLE hub_arrivals (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id TEXT NOT NULL UNIQUE REFERENCES events(id)
                    ) STRICT;
                    CREATE TABLE hub_receipts (
                        device TEXT NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 1),
                        position INTEGER NOT NULL,
                        through INTEGER NOT NULL,
                        issued_wall TEXT NOT NULL,
                        PRIMARY KEY (device, version)
                    ) STRICT;
                    CREATE TABLE hub_refusals (
                        device TEXT NOT NULL,
                        first INTEGER NOT NULL,
                        last INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        listed_in INTEGER,
                        wall TEXT NOT NULL,
                        PRIMARY KEY (device, sha256)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v5-lifecycle") { db in
            try db.execute(
                sql: """
                    CREATE TABLE trust_seen (
                        root TEXT PRIMARY KEY NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 0),
                        bundle_version INTEGER NOT NULL DEFAULT 0,
                        seen_wall TEXT NOT NULL
                    ) STRICT;
                    ALTER TABLE hub_devices ADD COLUMN accepted_by TEXT;
                    ALTER TABLE hub_devices ADD COLUMN predecessor TEXT;
                    ALTER TABLE hub_devices ADD COLUMN revoked_after INTEGER CHECK (revoked_after >= 0);
                    ALTER TABLE hub_devices ADD COLUMN revoked_wall TEXT;
                    ALTER TABLE hub_devices ADD COLUMN revoked_reason TEXT;
                    ALTER TABLE hub_devices ADD COLUMN claimed_receipt INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE hub_devices ADD COLUMN carried_through INTEGER;
                    ALTER TABLE hub_devices ADD COLUMN carried_head TEXT;
                    """)
        }
        migrator.registerMigration("v6-master-data") { db in
            try db.execute(
                sql: """
                    CREATE TABLE instrument_aliases (
                        alias TEXT PRIMARY KEY NOT NULL,
                        tag TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX instrument_aliases_by_tag ON instrument_aliases(tag);
                    CREATE TABLE snapshot_watermarks (
                        device TEXT PRIMARY KEY NOT NULL,
                        seq INTEGER NOT NULL CHECK (seq >= 0)
                    ) STRICT;
                    """)
        }
        // Refolding a record looks for its amendments by type and replaces a training's
        // competencies by event: without these indexes every repair or training merged at
        // headquarters read every event or competency held (docs/PERFORMANCE.md).
        migrator.registerMigration("v7-merge-indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX events_by_type ON events(type);
                    CREATE INDEX competencies_by_event ON competencies(event_id);
                    """)
        }
        // Beside each instrument's state, the fold it was made from (`InstrumentFold.entry`):
        // a batch of new events folds on it instead of on the instrument's whole history. NULL
        // (a store from before, or a state made otherwise) folds the whole history once.
        migrator.registerMigration("v8-kept-folds") { db in
            try db.execute(sql: "ALTER TABLE instrument_state ADD COLUMN fold TEXT")
        }
        return migrator
    }
}

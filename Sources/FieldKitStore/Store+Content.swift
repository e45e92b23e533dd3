import FieldKitCore
import Foundation
import GRDB

/// Rows of an installed bundle, as the store keeps them: documents are JSON the Bundles module
/// reads back; search texts feed the FTS5 indexes.
public struct ContentRows: Sendable {
    /// One guide: its document and its searchable text per language.
    public struct GuideRow: Sendable {
        public var id: String
        public var family: String
        public var instruments: [String]
        public var document: Data
        /// (language, title, body) for the search index.
        public var texts: [(language: String, title: String, body: String)]

        public init(
            id: String, family: String, instruments: [String], document: Data,
            texts: [(language: String, title: String, body: String)]
        ) {
            self.id = id
            self.family = family
            self.instruments = instruments
            self.document = document
            self.texts = texts
        }
    }

    /// One instrument of the snapshot.
    public struct InstrumentRow: Sendable {
        public var tag: String
        public var type: String
        public var names: String
        public var maker: String
        public var model: String
        public var serial: String
        public var document: Data

        public init(
            tag: String, type: String, names: String, maker: String, model: String, serial: String, document: Data
        ) {
            self.tag = tag
            self.type = type
            self.names = names
            self.maker = maker
            self.model = model
            self.serial = serial
            self.document = document
        }
    }

    public var guides: [GuideRow]
    public var checklists: [(id: String, document: Data)]
    public var parts: [(id: String, document: Data)]
    public var instrumentTypes: [(id: String, document: Data)]
    public var sites: [(code: String, name: String, region: String, kind: String)]
    public var instruments: [InstrumentRow]
    /// Per device, the seq through which the snapshot folds its events (empty: a base snapshot
    /// that folds none).
    public var watermarks: [String: Int64]

    public init(
        guides: [GuideRow], checklists: [(id: String, document: Data)], parts: [(id: String, document: Data)],
        instrumentTypes: [(id: String, document: Data)],
        sites: [(code: String, name: String, region: String, kind: String)], instruments: [InstrumentRow],
        watermarks: [String: Int64] = [:]
    ) {
        self.watermarks = watermarks
        self.guides = guides
        self.checklists = checklists
        self.parts = parts
        self.instrumentTypes = instrumentTypes
        self.sites = sites
        self.instruments = instruments
    }
}

/// The bundle in force.
public struct InstalledBundle: Sendable, Equatable, Codable {
    public var root: String
    public var version: Int64
    public var sha256: String
    public var created: String
    public var expires: String
    public var trustVersion: Int64
    public var development: Bool
    public var installedWall: String

    public init(
        root: String, version: Int64, sha256: String, created: String, expires: String, trustVersion: Int64,
        development: Bool, installedWall: String
    ) {
        self.root = root
        self.version = version
        self.sha256 = sha256
        self.created = created
        self.expires = expires
        self.trustVersion = trustVersion
        self.development = development
        self.installedWall = installedWall
    }
}

extension Store {
    /// The bundle in force, if any.
    public func installedBundle() throws(StoreFailure) -> InstalledBundle? {
        try read { db in try Store.installedBundle(db) }
    }

    static func installedBundle(_ db: Database) throws -> InstalledBundle? {
        try Row.fetchOne(db, sql: "SELECT * FROM bundle_installed WHERE in_force = 1").map(Store.bundle)
    }

    static func bundle(_ row: Row) -> InstalledBundle {
        InstalledBundle(
            root: row["root"], version: row["version"], sha256: row["sha256"], created: row["created"],
            expires: row["expires"], trustVersion: row["trust_version"], development: row["development"] as Bool,
            installedWall: row["installed_wall"])
    }

    /// The highest bundle version installed so far from `root` (or from a root that handed
    /// over to it: the floor moves with the pin).
    public func installedVersion(root: String) throws(StoreFailure) -> Int64? {
        try read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(version) FROM (
                        SELECT version FROM bundle_installed WHERE root = ?
                        UNION ALL SELECT bundle_version FROM trust_seen WHERE root = ? AND bundle_version > 0)
                    """, arguments: [root, root])
        }
    }

    /// Pins `rootText` (key id `root`), reached through a handover from `previous`: the new root
    /// starts from the old one's trust and bundle versions, so nothing older is accepted after.
    static func pinSuccessorRoot(_ rootText: String, root: String, previous: String, wall: String, in db: Database)
        throws
    {
        let trust = try trustVersion(root: previous, in: db) ?? 0
        let bundle =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(version) FROM (
                        SELECT version FROM bundle_installed WHERE root = ?
                        UNION ALL SELECT bundle_version FROM trust_seen WHERE root = ?)
                    """, arguments: [previous, previous]) ?? 0
        try db.execute(
            sql: """
                INSERT INTO trust_seen (root, version, bundle_version, seen_wall) VALUES (?, ?, ?, ?)
                ON CONFLICT (root) DO UPDATE SET version = max(version, excluded.version),
                    bundle_version = max(bundle_version, excluded.bundle_version)
                """, arguments: [root, trust, bundle, wall])
        try db.execute(sql: "UPDATE device SET hq_root = ? WHERE singleton = 1", arguments: [rootText])
    }

    /// The newest trust statement version from `root` this device has accepted, with a bundle
    /// or a receipt: an older one is refused.
    public func installedTrustVersion(root: String) throws(StoreFailure) -> Int64? {
        try read { db in try Store.trustVersion(root: root, in: db) }
    }

    static func trustVersion(root: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT max(version) FROM (
                    SELECT trust_version AS version FROM bundle_installed WHERE root = ?
                    UNION ALL SELECT version FROM trust_seen WHERE root = ?)
                """, arguments: [root, root])
    }

    static func recordTrust(root: String, version: Int64, wall: String, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO trust_seen (root, version, seen_wall) VALUES (?, ?, ?)
                ON CONFLICT (root) DO UPDATE SET version = max(version, excluded.version), seen_wall = excluded.seen_wall
                """, arguments: [root, version, wall])
    }

    /// Replaces the content tables with `rows` and records `bundle` as in force — one
    /// transaction, refused when a newer version from the same root is installed (the same
    /// version again is allowed: reinstalling is harmless).
    public func install(_ rows: ContentRows, bundle: InstalledBundle) throws(StoreFailure) {
        try write { db in
            if let existing = try Int64.fetchOne(
                db, sql: "SELECT version FROM bundle_installed WHERE root = ?", arguments: [bundle.root]),
                existing > bundle.version
            {
                throw StoreFailure.logRule("bundle version \(bundle.version) is older than installed \(existing)")
            }
            // Watermarks only go up: a snapshot that folds less than the one in force would count
            // events twice or not at all. A snapshot without watermarks folds no event.
            try Store.checkWatermarks(rows.watermarks, in: db)
            try db.execute(sql: "DELETE FROM snapshot_watermarks")
            for (device, seq) in rows.watermarks.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: "INSERT INTO snapshot_watermarks (device, seq) VALUES (?, ?)",
                    arguments: [device, max(0, seq)])
            }
            for table in [
                "guides", "checklists", "parts", "instrument_types", "sites", "snapshot_instruments", "guide_search",
                "instrument_search",
            ] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            for guide in rows.guides {
                let instruments = String(decoding: try JSONEncoder().encode(guide.instruments), as: UTF8.self)
                try db.execute(
                    sql: "INSERT INTO guides (id, family, instruments, document) VALUES (?, ?, ?, ?)",
                    arguments: [guide.id, guide.family, instruments, String(decoding: guide.document, as: UTF8.self)])
                for text in guide.texts {
                    try db.execute(
                        sql: "INSERT INTO guide_search (guide_id, lang, title, body) VALUES (?, ?, ?, ?)",
                        arguments: [guide.id, text.language, text.title, text.body])
                }
            }
            for (table, items) in [
                ("checklists", rows.checklists), ("parts", rows.parts), ("instrument_types", rows.instrumentTypes),
            ] {
                for item in items {
                    try db.execute(
                        sql: "INSERT INTO \(table) (id, document) VALUES (?, ?)",
                        arguments: [item.id, String(decoding: item.document, as: UTF8.self)])
                }
            }
            for site in rows.sites {
                try db.execute(
                    sql: "INSERT INTO sites (code, name, region, kind) VALUES (?, ?, ?, ?)",
                    arguments: [site.code, site.name, site.region, site.kind])
            }
            let instrument = try db.makeStatement(
                sql: "INSERT INTO snapshot_instruments (tag, type, document) VALUES (?, ?, ?)")
            let search = try db.makeStatement(
                sql: "INSERT INTO instrument_search (tag, names, maker, model, serial) VALUES (?, ?, ?, ?, ?)")
            for row in rows.instruments {
                try instrument.execute(arguments: [row.tag, row.type, String(decoding: row.document, as: UTF8.self)])
                try search.execute(arguments: [row.tag, row.names, row.maker, row.model, row.serial])
            }
            // A new snapshot changes the base every instrument's state is folded on.
            try Store.rebuildAliases(in: db)
            try Store.refoldAll(in: db)
            try db.execute(sql: "UPDATE bundle_installed SET in_force = 0")
            try db.execute(
                sql: """
                    INSERT INTO bundle_installed
                        (root, version, sha256, created, expires, trust_version, development, installed_wall, in_force)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                    ON CONFLICT (root) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256,
                        created = excluded.created, expires = excluded.expires, trust_version = excluded.trust_version,
                        development = excluded.development, installed_wall = excluded.installed_wall, in_force = 1
                    """,
                arguments: [
                    bundle.root, bundle.version, bundle.sha256, bundle.created, bundle.expires, bundle.trustVersion,
                    bundle.development, bundle.installedWall,
                ])
            try Store.recordTrust(
                root: bundle.root, version: bundle.trustVersion, wall: bundle.installedWall, in: db)
        }
    }

    /// Guide documents, optionally of one instrument type or family.
    public func guideDocuments(instrument: String? = nil) throws(StoreFailure) -> [Data] {
        try read { db in
            if let instrument {
                return try String.fetchAll(
                    db,
                    sql: """
                        SELECT document FROM guides
                        WHERE family = ? OR EXISTS (SELECT 1 FROM json_each(guides.instruments) WHERE value = ?)
                        ORDER BY id
                        """, arguments: [instrument, instrument]
                ).map { Data($0.utf8) }
            }
            return try String.fetchAll(db, sql: "SELECT document FROM guides ORDER BY id").map { Data($0.utf8) }
        }
    }

    /// One document by id from `table` (`guides`, `checklists`, `parts`, `instrument_types`).
    public func document(_ kind: ContentKind, id: String) throws(StoreFailure) -> Data? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT document FROM \(kind.rawValue) WHERE id = ?", arguments: [id])
                .map { Data($0.utf8) }
        }
    }

    /// Every document of `kind`, by id.
    public func documents(_ kind: ContentKind) throws(StoreFailure) -> [Data] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT document FROM \(kind.rawValue) ORDER BY id").map { Data($0.utf8) }
        }
    }

    /// Every id of `kind`.
    public func ids(_ kind: ContentKind) throws(StoreFailure) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT id FROM \(kind.rawValue) ORDER BY id") }
    }

    /// The sites list.
    public func sites() throws(StoreFailure) -> [(code: String, name: String, region: String, kind: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, region, kind FROM sites ORDER BY code").map {
                (code: $0["code"], name: $0["name"], region: $0["region"], kind: $0["kind"])
            }
        }
    }

    /// The snapshot document of one instrument.
    public func snapshotInstrument(tag: String) throws(StoreFailure) -> Data? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT document FROM snapshot_instruments WHERE tag = ?", arguments: [tag])
                .map { Data($0.utf8) }
        }
    }

    /// Every snapshot tag (for suggestions).
    public func snapshotTags() throws(StoreFailure) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT tag FROM snapshot_instruments ORDER BY tag") }
    }
}

/// The document tables of installed content.
public enum ContentKind: String, Sendable {
    case guides, checklists, parts
    case instrumentTypes = "instrument_types"
}

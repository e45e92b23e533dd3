import FieldKitCrypto
import Foundation

/// The first entry of every container, `manifest.json`: every other entry with size and SHA-256.
public struct ArchiveManifest: Codable, Equatable, Sendable {
    /// One listed entry.
    public struct Entry: Codable, Equatable, Sendable {
        /// The entry's path inside the archive.
        public var name: String
        /// Its size in bytes.
        public var size: Int
        /// Lower-case hex SHA-256 of its bytes.
        public var sha256: String

        /// Makes an entry.
        public init(name: String, size: Int, sha256: String) {
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The manifest format version.
    public var format: Int
    /// What the container is (`bundle`, `backup`, `archive`…).
    public var kind: String
    /// The listed entries, in archive order.
    public var entries: [Entry]

    /// Makes a manifest.
    public init(format: Int = 1, kind: String, entries: [Entry]) {
        self.format = format
        self.kind = kind
        self.entries = entries
    }

    /// The manifest's entry name.
    public static let entryName = "manifest.json"
}

/// A file to put in a container.
public struct ArchiveEntry: Sendable, Equatable {
    /// Its path inside the archive (a relative path of safe names).
    public var name: String
    /// Its bytes.
    public var data: Data

    /// Makes an entry.
    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }
}

/// Limits a reader enforces; each signed file kind sets its own.
public struct ArchiveLimits: Sendable, Equatable {
    /// The most entries, manifest included.
    public var maximumEntries: Int
    /// The largest single entry.
    public var maximumEntrySize: Int
    /// The most bytes unpacked in total.
    public var maximumTotalSize: Int

    /// Makes limits.
    public init(maximumEntries: Int, maximumEntrySize: Int, maximumTotalSize: Int) {
        self.maximumEntries = maximumEntries
        self.maximumEntrySize = maximumEntrySize
        self.maximumTotalSize = maximumTotalSize
    }
}

/// A verified container's content: the manifest and every entry, checked.
public struct ArchiveContents: Sendable, Equatable {
    /// The manifest.
    public var manifest: ArchiveManifest
    /// Entry bytes by name.
    public var files: [String: Data]
}

/// To whom and under which associated data an archive is sealed as it is written.
public struct SealingTarget: Sendable {
    public var recipient: SealingPublicKey
    /// The canonical statement the file is signed with (Sync/SPEC.md §16.1).
    public var associatedData: Data
    /// Only for golden vectors.
    public var seed: Sealing.Seed?

    /// Makes one.
    public init(recipient: SealingPublicKey, associatedData: Data, seed: Sealing.Seed? = nil) {
        self.recipient = recipient
        self.associatedData = associatedData
        self.seed = seed
    }
}

import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Headquarters' backup (Sync/SPEC.md §14.8): one tar + zstd file holding the store, the keys
/// (never the offline root), the trust files, the published bundle, the photos and the
/// quarantine, signed by
/// headquarters' signing key — through a chunk manifest when large — with the trust statement
/// beside it.
public enum HubBackup {
    public static let kind = "hub-backup"
    public static let format = 1
    /// The largest backup read.
    public static let limits = ArchiveLimits(
        maximumEntries: 200_000, maximumEntrySize: 1 << 30, maximumTotalSize: 2 << 30)

    /// What a backup or restore did.
    public struct Summary: Sendable, Codable, Equatable {
        public var file: String
        public var sha256: String?
        public var entries: Int
        public var events: Int
        public var devices: Int
    }

    /// The folders of the hub folder that go into a backup, besides the store.
    static let folders = ["keys", "trust", "published", "blobs", "quarantine"]

    /// Writes `fieldkit-hub-backup-<date>.tar.zst` (+ signature, + trust files) into `target`.
    public static func write(
        hub: HubFolder, store: Store, keys: DeviceKeys, to target: String, date: String, created: String
    )
        throws -> Summary
    {
        try store.requireHub()
        let trust = try hub.trustFiles()
        _ = try hub.currentTrust(store: store, keys: keys)
        let staging = hub.folder + "/.backup-staging-\(getpid())"
        try FileLayer.makeFolder(staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        try store.backup(toFile: staging + "/" + DataFolder.storeName)
        var entries = [
            ArchiveEntry(
                name: DataFolder.storeName,
                data: try FileLayer.read(staging + "/" + DataFolder.storeName, limit: limits.maximumEntrySize))
        ]
        for top in folders {
            for relative in files(under: hub.folder + "/" + top, prefix: top) {
                entries.append(
                    ArchiveEntry(
                        name: relative,
                        data: try FileLayer.read(hub.folder + "/" + relative, limit: limits.maximumEntrySize)))
            }
        }
        let total = entries.reduce(0) { $0 + $1.data.count }
        guard entries.count <= limits.maximumEntries, total <= limits.maximumTotalSize,
            entries.allSatisfy({ $0.data.count <= limits.maximumEntrySize })
        else {
            throw SyncFailure.backupTooLarge(
                files: entries.count, bytes: total, maximumFiles: limits.maximumEntries,
                maximumBytes: limits.maximumTotalSize)
        }
        // An earlier backup of the same day is never replaced: a failed write must not cost it.
        var path = target + "/fieldkit-hub-backup-\(date).tar.zst"
        var number = 2
        while FileLayer.exists(path) || FileLayer.exists(path + ".minisig") {
            path = target + "/fieldkit-hub-backup-\(date)-\(number).tar.zst"
            number += 1
        }
        // It holds secret keys: only the owner may read it, from its first byte.
        try ArchiveWriter.write(entries: entries, kind: kind, to: path, mode: 0o600)
        let signature = try SignedFile.sign(
            path, key: keys.signing,
            statement: [
                "kind": .string(kind), "format": .int(Int64(format)), "created": .string(created),
                "entries": .int(Int64(entries.count)),
            ])
        try trust.write(into: target) { data, file in try Mailbox.place(data, at: file) }
        let counts = try store.counts()
        return Summary(
            file: path, sha256: try SignedFile.parseStatement(signature.trustedComment)["sha256"]?.stringValue,
            entries: entries.count, events: counts.events, devices: try store.enrolledDevices().count)
    }

    /// Restores a backup into `folder` (missing or empty) after checking, in order: the trust
    /// statement beside it against `root`, the backup's signature against a signing key it names,
    /// its statement, then its entries. Nothing is left in `folder` when anything fails.
    public static func restore(_ path: String, into folder: String, root: MinisignPublicKey) throws -> Summary {
        guard DataFolder.canRestore(into: folder) else {
            throw CoreFailure.cannotWrite(
                path: folder, code: EEXIST, description: "the folder is not empty; restore into a new one")
        }
        let trust = try TrustFiles.read(in: (path as NSString).deletingLastPathComponent).verify(pinned: root)
        let size = try FileLayer.size(of: path)
        guard size <= Int64(limits.maximumTotalSize) else {
            throw SyncFailure.overCap(path: path, size: size, cap: limits.maximumTotalSize)
        }
        let signature = try SignedFile.readSignature(of: path)
        guard let key = try trust.statement.signingKeys().first(where: { $0.keyID == signature.keyID }) else {
            throw TrustFailure.unnamedSigningKey(signature.keyID.minisignHex)
        }
        // Read once: the bytes verified are the bytes parsed.
        let bytes = try FileLayer.read(path, limit: limits.maximumTotalSize)
        let statement = try SignedFile.verify(bytes: bytes, of: path, publicKey: key)
        guard statement["kind"] == .string(kind), statement["format"] == .int(Int64(format)) else {
            throw SignedFileFailure.statement(
                "this is not a headquarters backup (kind \(statement["kind"]?.stringValue ?? "none"))")
        }
        let contents = try ArchiveReader.read(bytes, limits: limits)
        guard contents.manifest.kind == kind, contents.files[DataFolder.storeName] != nil else {
            throw ArchiveFailure.badManifest("the archive is not a headquarters backup")
        }
        for name in contents.files.keys where name != DataFolder.storeName {
            guard let top = name.split(separator: "/").first, folders.contains(String(top)) else {
                throw ArchiveFailure.badManifest("the backup holds \(name), which is not part of headquarters' folder")
            }
        }
        let created = !FileLayer.exists(folder)
        do {
            try FileLayer.makeFolder(folder)
            try DataFolder.beginRestore(into: folder)
            for (name, data) in contents.files.sorted(by: { $0.key < $1.key }) {
                let target = folder + "/" + name
                try FileLayer.makeFolder((target as NSString).deletingLastPathComponent)
                let secret = name.hasPrefix("keys/") && name.hasSuffix(".key") || name == DataFolder.storeName
                try FileLayer.writeAtomically(data, to: target, mode: secret ? 0o600 : 0o644)
            }
            let store = try Store.open(folder: folder, restoring: true)
            try store.requireIntact(reporting: path)
            try store.requireHub()
            let keys = try DeviceKeys.load(from: folder)
            let hub = HubFolder(folder: folder)
            guard try hub.currentTrust(store: store, keys: keys).root == trust.statement.root else {
                throw SyncFailure.hubInconsistent("the restored trust statement is not the one beside the backup")
            }
            let counts = try store.counts()
            try DataFolder.finishRestore(in: folder)
            return Summary(
                file: path, sha256: statement["sha256"]?.stringValue, entries: contents.files.count,
                events: counts.events, devices: try store.enrolledDevices().count)
        } catch {
            for name in FileLayer.list(folder) { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
            if created { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    /// Regular files under `folder`, as paths starting with `prefix`, sorted.
    static func files(under folder: String, prefix: String) -> [String] {
        var found: [String] = []
        for name in FileLayer.list(folder) where !name.hasPrefix(".") {
            let path = folder + "/" + name
            if FileLayer.isFolder(path) {
                found += files(under: path, prefix: prefix + "/" + name)
            } else {
                found.append(prefix + "/" + name)
            }
        }
        return found
    }
}

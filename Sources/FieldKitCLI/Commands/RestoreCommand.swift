import ArgumentParser
import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// `fieldkit restore FILE --data-dir NEW`: a new device carrying the old one's history.
struct RestoreCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup onto an empty data folder as a new device (new keys, new id).",
        discussion: """
            The restored laptop never writes under the old device's id: it gets new keys, records
            itself as the old device's successor, and must be enrolled again at headquarters.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The backup file (fieldkit-backup-….tar.zst, with its .minisig beside it).")
    var file: String

    @Option(help: "A name for the new device (default: the old device's name).")
    var device: String?

    @Option(help: "The old device's public key, to check the backup against (default: the key the backup names).")
    var pub: String?

    func run(in context: CommandContext) throws {
        let folder = try global.dataFolder(context)
        // A folder a stopped restore left is cleared and filled again.
        guard DataFolder.canRestore(into: folder) else {
            throw CLIFailure.refused(
                "the data folder \(folder) is not empty", hint: "restore into a new, empty --data-dir",
                status: .cantCreate)
        }
        let signer = try signerKey()
        // Read once: the bytes verified are the bytes parsed.
        let bytes = try FileLayer.read(file, limit: Backup.limits.maximumTotalSize)
        let statement = try SignedFile.verify(bytes: bytes, of: file, publicKey: signer)
        guard statement["kind"] == .string(Backup.kind), statement["format"] == .int(Int64(Backup.format)) else {
            throw SignedFileFailure.statement(
                "this is not a fieldkit backup (kind \(statement["kind"]?.stringValue ?? "none"))")
        }
        guard statement["device"] == .string(signer.keyID.hex) else {
            throw SignedFileFailure.statement("the backup names another device than its signer")
        }
        let contents = try ArchiveReader.read(bytes, limits: Backup.limits)
        guard contents.manifest.kind == Backup.kind else {
            throw ArchiveFailure.badManifest("the archive is a \(contents.manifest.kind), not a backup")
        }
        guard let storeBytes = contents.files[DataFolder.storeName],
            let packedKey = contents.files["keys/device.pub"],
            (try? MinisignPublicKey(text: String(decoding: packedKey, as: UTF8.self))) == signer
        else {
            throw ArchiveFailure.badManifest("the backup lacks its store or names another device key")
        }
        let created = !FileLayer.exists(folder)
        try FileLayer.makeFolder(folder)
        let lock = try FolderLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }
        let staging = folder + "/.restore-staging"
        do {
            try DataFolder.beginRestore(into: folder, keeping: [DataFolder.lockName])
            try FileLayer.makeFolder(staging)
            try FileLayer.writeAtomically(storeBytes, to: staging + "/" + DataFolder.storeName, mode: 0o600)
            let name = try device.map {
                try Text.normalised($0.trimmingCharacters(in: .whitespaces), field: "device name")
            }
            let keys = DeviceKeys.generate()
            try keys.write(to: folder)
            let record = DeviceRecord(
                id: keys.deviceID, name: name ?? "", currentSite: nil, technician: nil, predecessor: nil,
                createdWall: EventTime.wallString(context.environment.now()), hqRoot: nil)
            let store = try Store.restore(
                from: staging + "/" + DataFolder.storeName, into: folder, device: record, named: name,
                environment: context.environment)
            try? FileManager.default.removeItem(atPath: staging)
            let restored = try store.device()
            let counts = try store.counts()
            try DataFolder.finishRestore(in: folder)
            if global.json {
                try context.printJSON(
                    RestoreReport(
                        device: restored.id, predecessor: restored.predecessor ?? "", events: counts.events,
                        undelivered: counts.undelivered, fingerprint: keys.signing.publicKey.fingerprint))
            } else {
                context.console.out(
                    "Restored \(counts.events) events as new device \(restored.id), successor of \(restored.predecessor ?? "?")."
                )
                context.console.out(
                    "\(counts.undelivered) events are not yet delivered; they go out with the next sync.")
                context.console.out(
                    "Fingerprint: \(keys.signing.publicKey.fingerprint) — enrol this device again at headquarters.")
            }
        } catch {
            // The folder was empty before: leave it so.
            for name in FileLayer.list(folder) where name != DataFolder.lockName {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
            if created { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    private func signerKey() throws -> MinisignPublicKey {
        if let pub { return try DeviceKeys.loadPublicKey(pub) }
        let signature = try SignedFile.readSignature(of: file)
        let statement = try SignedFile.parseStatement(signature.trustedComment)
        guard let line = statement["publicKey"]?.stringValue else {
            throw SignedFileFailure.statement("the backup's statement names no public key")
        }
        do { return try MinisignPublicKey(text: line) } catch { throw SignedFileFailure.crypto(error) }
    }

    struct RestoreReport: Codable {
        var device: String
        var predecessor: String
        var events: Int
        var undelivered: Int
        var fingerprint: String
    }
}

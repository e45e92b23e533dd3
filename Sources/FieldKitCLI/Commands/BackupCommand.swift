import ArgumentParser
import FieldKitArchive
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit backup --to DIR`: one signed file with the store and the public keys, never a secret key.
struct BackupCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a signed backup of this device's store and public keys (never its secret keys).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The folder to write the backup into (a stick, a shared folder).")
    var to: String

    func run(in context: CommandContext) throws {
        let (store, lock, folder) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        guard FileLayer.isFolder(to) else {
            throw CLIFailure.refused(
                "the backup folder \(to) does not exist", hint: "create it or mount the stick", status: .cantCreate)
        }
        try FileLayer.probeWritable(to)
        let device = try store.device()
        let keys = try DeviceKeys.load(from: folder)
        let now = context.environment.now()
        let date = EventTime.localDate(now, offsetMinutes: context.environment.timeZone.secondsFromGMT(for: now) / 60)
        let result = try Backup.write(
            store: store, device: device, keys: keys, dataFolder: folder, to: to, date: date,
            created: EventTime.wallString(now))
        if global.json {
            try context.printJSON(["file": result.path, "signature": result.path + ".minisig", "sha256": result.sha256])
        } else {
            context.console.out(
                "Wrote \(result.path) and its signature \((result.path as NSString).lastPathComponent).minisig.")
            context.console.out("It holds no secret key: a restore makes a new device that must be enrolled again.")
        }
    }
}

/// The backup file format (Sync/SPEC.md, "Device backup").
enum Backup {
    static let kind = "backup"
    static let format = 1
    static let limits = ArchiveLimits(maximumEntries: 8, maximumEntrySize: 1 << 30, maximumTotalSize: 1 << 30)

    static func write(
        store: Store, device: DeviceRecord, keys: DeviceKeys, dataFolder: String, to folder: String, date: String,
        created: String
    ) throws -> (path: String, sha256: String) {
        let staging = dataFolder + "/.backup-staging-\(getpid())"
        try FileLayer.makeFolder(staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let copy = staging + "/" + DataFolder.storeName
        try store.backup(toFile: copy)
        let storeBytes = try FileLayer.read(copy, limit: limits.maximumEntrySize)
        let path = folder + "/fieldkit-backup-\(device.id)-\(date).tar.zst"
        try ArchiveWriter.write(
            entries: [
                ArchiveEntry(name: DataFolder.storeName, data: storeBytes),
                ArchiveEntry(name: "keys/device.pub", data: Data(keys.signing.publicKey.fileText().utf8)),
                ArchiveEntry(name: "keys/sealing.pub", data: Data(keys.sealing.publicKey.fileText.utf8)),
            ],
            kind: kind, to: path)
        let publicLine = keys.signing.publicKey.fileText().split(separator: "\n").last.map(String.init) ?? ""
        let signature = try SignedFile.sign(
            path, key: keys.signing,
            statement: [
                "kind": .string(kind), "format": .int(Int64(format)), "device": .string(device.id),
                "created": .string(created), "publicKey": .string(publicLine),
            ])
        let statement = try SignedFile.parseStatement(signature.trustedComment)
        return (path, statement["sha256"]?.stringValue ?? "")
    }
}

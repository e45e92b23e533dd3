import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// `fieldkit init`: make this laptop a device — data folder, store, keys, pinned root.
struct InitCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Set up this laptop as a FieldKit device: data folder, store and keys.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "A name people recognise for this laptop, e.g. atelier-van-2.")
    var device: String

    @Option(help: "The site you are working at now (a site code such as AMS-ZO-01).")
    var site: String?

    @Option(help: "The name of the technician who carries this laptop.")
    var technician: String?

    @Option(name: .customLong("hq-root"), help: "Headquarters' root public key file to pin (ROOT.pub).")
    var hqRoot: String?

    func run(in context: CommandContext) throws {
        let folder = try global.dataFolder(context)
        let name = try Text.normalised(device.trimmingCharacters(in: .whitespaces), field: "device name")
        guard !name.isEmpty, name.count <= 64 else {
            throw CLIFailure.usage(
                "the device name must be 1 to 64 characters", hint: "for example --device atelier-van-2")
        }
        let siteCode = try site.map { code throws(CoreFailure) in try SiteCode.parse(code) }
        // A field edition (made by 'bundle embed') carries headquarters' root: pin it unless told otherwise.
        let carried = hqRoot == nil ? try ExecutablePayload.read() : nil
        let root =
            try hqRoot.map { path throws(KeyFileFailure) in try DeviceKeys.loadPublicKey(path) }
            ?? carried.map { try MinisignPublicKey(text: String(decoding: $0.root, as: UTF8.self)) }
        if let root, root == (try ContentAccess.developmentRoot()) {
            throw CLIFailure.refused(
                "the development root cannot be pinned: its secret key is published",
                hint: "pin headquarters' real root public key", status: .dataError)
        }
        let storePath = folder + "/" + DataFolder.storeName
        guard !FileLayer.exists(storePath) else { throw StoreFailure.alreadyExists(path: storePath) }
        guard !FileLayer.exists(DeviceKeys.folder(in: folder)) else {
            throw CLIFailure.refused(
                "\(DeviceKeys.folder(in: folder)) already holds keys", hint: "use an empty --data-dir",
                status: .cantCreate)
        }
        try FileLayer.makeFolder(folder)
        try FileLayer.probeWritable(folder)
        let lock = try FolderLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }

        let keys = DeviceKeys.generate()
        let person = try technician.map { name throws(CoreFailure) in
            Person(
                id: "p-" + context.environment.makeID().prefix(16),
                name: try Text.normalised(name, field: "technician name"))
        }
        do {
            try keys.write(to: folder)
            let record = DeviceRecord(
                id: keys.deviceID, name: name, currentSite: siteCode, technician: person?.id, predecessor: nil,
                createdWall: EventTime.wallString(context.environment.now()), hqRoot: root?.fileText())
            let store = try Store.create(folder: folder, device: record, technician: person)
            try store.append(
                EventDraft(
                    type: EventType.deviceInitialised,
                    payload: .object([
                        "name": .string(name), "signingKey": .string(keys.signing.keyID.minisignHex),
                        "sealingKey": .string(keys.sealing.keyID.minisignHex),
                        "hqRoot": root.map { .string($0.keyID.minisignHex) } ?? .null,
                    ])),
                environment: context.environment)
        } catch {
            // Nothing half-made stays behind: the folder held neither keys nor a store before.
            try? FileManager.default.removeItem(atPath: DeviceKeys.folder(in: folder))
            for suffix in ["", "-wal", "-shm"] { unlink(storePath + suffix) }
            throw error
        }
        let fingerprint = keys.signing.publicKey.fingerprint
        if global.json {
            try context.printJSON([
                "device": keys.deviceID, "name": name, "fingerprint": fingerprint, "dataFolder": folder,
                "site": siteCode ?? "", "hqRoot": root?.fingerprint ?? "",
            ])
        } else {
            context.console.out("Device \(name) is set up in \(folder).")
            context.console.out("Device id:   \(keys.deviceID)")
            context.console.out("Fingerprint: \(fingerprint)")
            if let root, carried != nil {
                context.console.out(
                    "Pinned the headquarters root carried by this fieldkit: \(root.keyID), fingerprint \(root.fingerprint)."
                )
                context.console.out(
                    "Compare that fingerprint with the one headquarters published before you rely on it.")
            } else if let root {
                context.console.out("Pinned headquarters root \(root.keyID) (fingerprint \(root.fingerprint)).")
            } else {
                context.console.out(
                    "No headquarters root pinned: only the development bundle built into fieldkit is trusted.")
            }
            context.console.out("Compare the fingerprint with headquarters when this device is enrolled.")
        }
    }
}

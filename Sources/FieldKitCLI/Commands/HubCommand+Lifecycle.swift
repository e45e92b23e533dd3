import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import Foundation

extension HubCommand {
    /// `fieldkit hub rotate --root-key ROOT.key [--signing] [--sealing] [--root NEW_ROOT.key]`.
    struct Rotate: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Issue new keys and a new trust statement, one version up; devices move with their next receipt.",
            discussion: """
                With --root, headquarters moves to a new root key: the current root signs a handover \
                to it, and devices pinned to the current root accept the new one only through that \
                handover. Old signing and sealing keys are kept in keys/retired/.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "The current root secret key (ROOT.key), kept offline.")
        var rootKey: String

        @Flag(help: "Make a new signing key (receipts, bundles, executables).")
        var signing = false

        @Flag(help: "Make a new sealing key (devices seal archives to it).")
        var sealing = false

        @Option(help: "A new root secret key (made with 'fieldkit key generate', kept offline) to move to.")
        var root: String?

        @Option(help: "The last day the new trust statement is valid (YYYY-MM-DD; default: two years from today).")
        var expires: String?

        func run(in context: CommandContext) throws {
            if let root, root.hasSuffix(".pub") {
                throw CLIFailure.usage(
                    "--root takes the new root's secret key (NEW_ROOT.key), not its public key",
                    hint: "the new trust statement must be signed by the new root; keep NEW_ROOT.key offline after")
            }
            guard signing || sealing || root != nil else {
                throw CLIFailure.usage(
                    "say what to rotate: --signing, --sealing and/or --root NEW_ROOT.key",
                    hint: "a rotation without new keys would only move the version up")
            }
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let now = context.environment.now()
            let today = EventTime.localDate(now, offsetMinutes: 0)
            let expiry =
                try expires.map { try EventTime.parseDate($0) }
                ?? EventTime.localDate(now.addingTimeInterval(2 * 365 * 86_400), offsetMinutes: 0)
            guard expiry >= today else { throw CLIFailure.usage("--expires \(expiry) is in the past", hint: nil) }
            let rotation = try hub.rotate(
                store: store, rootKey: try DeviceKeys.loadSigningKey(rootKey),
                newRoot: try root.map { try DeviceKeys.loadSigningKey($0) }, signing: signing, sealing: sealing,
                issued: today, expires: expiry)
            if global.json { return try context.printJSON(rotation) }
            if rotation.completedInterrupted {
                context.console.out("Completed the rotation an earlier run was interrupted in; made nothing new.")
            }
            context.console.out(
                "Trust statement version \(rotation.version) under root \(rotation.root), valid until \(rotation.expires)."
            )
            context.console.out("Signing key \(rotation.signing); sealing key \(rotation.sealing).")
            if rotation.rootChanged {
                context.console.out(
                    "The old root handed over to the new one: devices pinned to it move with their next receipt.")
                context.console.out("New devices: 'fieldkit init --hq-root' with the new root's .pub file.")
            }
            for file in rotation.retiredKeys { context.console.out("Kept the old key as \(file).") }
            context.console.out("Devices receive the new statement with their next receipt ('fieldkit hub import').")
        }
    }

    /// `fieldkit hub revoke DEVICE --after-seq N`.
    struct Revoke: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a lost or stolen laptop: its events up to N stay, later ones are refused and quarantined."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The device id (see 'fieldkit hub status').")
        var device: String

        @Option(help: "The last seq of the device that is still accepted.")
        var afterSeq: Int64

        @Option(help: "Why, for the record (\"stolen from the van in Willemstad\").")
        var reason = "lost or stolen"

        func run(in context: CommandContext) throws {
            guard afterSeq >= 0 else { throw CLIFailure.usage("--after-seq must be 0 or more", hint: nil) }
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let revocation = try store.revoke(
                device: device.lowercased(), after: afterSeq, reason: reason,
                wall: EventTime.wallString(context.environment.now()))
            if global.json { return try context.printJSON(revocation) }
            context.console.out(
                "Revoked device \(revocation.device) after seq \(revocation.after) (\(revocation.reason)); "
                    + "headquarters holds its events up to seq \(revocation.held).")
            context.console.out("Later archives from it are quarantined, and it gets no more receipts.")
        }
    }

    /// `fieldkit hub publish BUNDLE`.
    struct Publish: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Send a bundle out with every later receipt; devices install it on their next sync.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The bundle file made by 'fieldkit bundle pack' with headquarters' signing key.")
        var file: String

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let root = try HubFolder.root(of: store)
            // Checked under headquarters' current trust statement: that is what travels beside it.
            let trust = try hub.trustFiles()
            var parts = try BundleParts.read(file)
            parts.trustJSON = trust.json
            parts.trustSignature = trust.signature
            parts.handovers = trust.handovers
            let verified = try parts.verify(root: root)
            // A snapshot that folds less than the one in force would be refused everywhere: refuse it here.
            try store.checkWatermarks(verified.content.info.watermarks)
            let path = try hub.publish(
                bundle: verified.bytes, signature: parts.signature, version: verified.content.info.version)
            // Headquarters folds on the snapshot it sends out.
            try ContentLibrary(store: store).install(
                verified, root: root, installedWall: EventTime.wallString(context.environment.now()))
            if global.json {
                return try context.printJSON(["file": path, "version": String(verified.content.info.version)])
            }
            context.console.out(
                "Published bundle version \(verified.content.info.version) (\(verified.content.guides.count) guides, "
                    + "\(verified.content.inventory.count) instruments) as \(path).")
            context.console.out("Every receipt from now on offers it; devices install it on their next sync.")
        }
    }

    /// `fieldkit hub backup --to DIR`.
    struct Backup: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Back up headquarters' store, keys (never the root), trust files and photos as one signed file.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The folder to write the backup into (an encrypted disk kept offline).")
        var to: String

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            guard FileLayer.isFolder(to) else {
                throw CLIFailure.refused(
                    "the backup folder \(to) does not exist", hint: "create it or mount the disk", status: .cantCreate)
            }
            try FileLayer.probeWritable(to)
            let now = context.environment.now()
            let summary = try HubBackup.write(
                hub: hub, store: store, keys: try DeviceKeys.load(from: hub.folder), to: to,
                date: EventTime.localDate(now, offsetMinutes: 0), created: EventTime.wallString(now))
            if global.json { return try context.printJSON(summary) }
            context.console.out(
                "Wrote \(summary.file) (\(summary.entries) entries: \(summary.events) events, \(summary.devices) devices) "
                    + "with its signature and trust.json beside it.")
            context.console.out(
                "It holds headquarters' signing and sealing keys: keep it offline and locked, like the root key.")
        }
    }

    /// `fieldkit hub restore FILE --root ROOT.pub --data-dir NEW`.
    struct Restore: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Restore a headquarters backup onto a new, empty data folder.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The backup file, with its .minisig and trust.json beside it.")
        var file: String

        @Option(help: "Headquarters' root public key (ROOT.pub), to check the backup against.")
        var root: String

        func run(in context: CommandContext) throws {
            let folder = try global.dataFolder(context)
            // A folder a stopped restore left is cleared and filled again.
            if !DataFolder.canRestore(into: folder) {
                throw CLIFailure.refused(
                    "the data folder \(folder) is not empty", hint: "restore into a new, empty --data-dir",
                    status: .cantCreate)
            }
            let summary = try HubBackup.restore(file, into: folder, root: try DeviceKeys.loadPublicKey(root))
            if global.json { return try context.printJSON(summary) }
            context.console.out(
                "Restored headquarters into \(folder): \(summary.events) events, \(summary.devices) devices.")
            context.console.out("Archives imported after the backup was made are imported again from the sticks.")
        }
    }
}

extension HubCommand {
    /// `fieldkit hub release FILE --version V --to DIR`.
    struct Release: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract:
                "Sign a new fieldkit executable for 'fieldkit update': writes it, its signature and trust.json into DIR."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The new executable (a release build).")
        var file: String

        @Option(help: "Its version (it must be newer than the fieldkit on the laptops).")
        var version: String

        @Option(help: "The folder to write the release into (a stick).")
        var to: String

        @Option(help: "The machine it runs on, as 'uname -m' prints it (default: this machine's).")
        var machine: String = ExecutableRelease.machine

        func run(in context: CommandContext) throws {
            guard !version.isEmpty, version.split(separator: ".").allSatisfy({ Int($0) != nil }) else {
                throw CLIFailure.usage("--version \(version) is not dotted numbers like 0.2.0", hint: nil)
            }
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let keys = try DeviceKeys.load(from: hub.folder)
            _ = try hub.currentTrust(store: store, keys: keys)
            let target = try ExecutableRelease.release(
                file, version: version, machine: machine, key: keys.signing, trust: try hub.trustFiles(),
                created: EventTime.wallString(context.environment.now()), into: to)
            if global.json {
                return try context.printJSON([
                    "file": target, "version": version, "signedBy": keys.signing.keyID.minisignHex,
                ])
            }
            context.console.out("Wrote \(target) (version \(version), \(machine)), signed by \(keys.signing.keyID).")
            context.console.out("On a laptop: 'fieldkit update \(target)'.")
        }
    }
}

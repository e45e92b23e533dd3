import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import Foundation

/// `fieldkit hub …`: headquarters' side of the exchange.
struct HubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "Headquarters: keys, the device roster, importing archives, receipts.",
        subcommands: [
            Init.self, Keys.self, Enrol.self, Revoke.self, Rotate.self, Import.self, Status.self, Publish.self,
            Backup.self, Restore.self, Release.self, Conflicts.self, PersonCommand.self, InstrumentCommand.self,
            Snapshot.self, Serve.self, Report.self,
        ])

    /// Opens headquarters' store, refusing a device's.
    static func openHub(_ global: GlobalOptions, _ context: CommandContext) throws -> (
        store: Store, lock: FolderLock, hub: HubFolder
    ) {
        let (store, lock, folder) = try global.openStore(context)
        try store.requireHub()
        // Headquarters folds instruments on the same snapshot as the devices: the bundle it
        // published, else (until it publishes one) the one built in.
        _ = try ContentAccess.library(store, context: context)
        return (store, lock, HubFolder(folder: folder))
    }

    /// `fieldkit hub init --root-out DIR`.
    struct Init: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract:
                "Make headquarters: its store, signing and sealing keys, trust statement, and the root key in DIR.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The folder for the root key, outside the data folder (an offline stick).")
        var rootOut: String

        @Option(help: "The last day the first trust statement is valid (YYYY-MM-DD; default: two years from today).")
        var expires: String?

        func run(in context: CommandContext) throws {
            let folder = try global.dataFolder(context)
            let now = context.environment.now()
            let today = EventTime.localDate(now, offsetMinutes: 0)
            let expiry =
                try expires.map { try EventTime.parseDate($0) }
                ?? EventTime.localDate(
                    now.addingTimeInterval(2 * 365 * 86_400), offsetMinutes: 0)
            guard expiry >= today else { throw CLIFailure.usage("--expires \(expiry) is in the past", hint: nil) }
            let (_, _, made) = try HubFolder.initialise(
                folder: folder, rootOut: rootOut, issued: today, expires: expiry, wall: EventTime.wallString(now))
            if global.json {
                try context.printJSON([
                    "dataFolder": folder, "rootKey": made.rootKeyPath, "rootFingerprint": made.root.fingerprint,
                    "signingKey": made.keys.signing.keyID.minisignHex, "trustExpires": expiry,
                ])
            } else {
                context.console.out("Made headquarters in \(folder).")
                context.console.out("Root key: \(made.rootKeyPath) (fingerprint \(made.root.fingerprint)).")
                context.console.out(
                    "Keep the root key offline; give devices \(rootOut)/\(HubFolder.rootPublicName) for 'fieldkit init --hq-root'."
                )
                context.console.out(
                    "Trust statement version 1 names signing key \(made.keys.signing.keyID), valid until \(expiry).")
            }
        }
    }

    /// `fieldkit hub keys`.
    struct Keys: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys",
            abstract: "Print the root fingerprint and headquarters' signing and sealing public keys.")

        @OptionGroup var global: GlobalOptions

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let root = try HubFolder.root(of: store)
            let keys = try DeviceKeys.load(from: hub.folder)
            let signing = keys.signing.publicKey
            let sealing = keys.sealing.publicKey
            if global.json {
                try context.printJSON([
                    "root": root.keyID.minisignHex, "rootFingerprint": root.fingerprint, "signing": signing.fileText(),
                    "signingFingerprint": signing.fingerprint, "sealing": sealing.fileText,
                ])
            } else {
                context.console.out("Root \(root.keyID), fingerprint \(root.fingerprint)")
                context.console.out("Signing key \(signing.keyID), fingerprint \(signing.fingerprint):")
                context.console.out(signing.fileText().trimmingCharacters(in: .newlines))
                context.console.out("Sealing key \(sealing.keyID):")
                context.console.out(sealing.fileText.trimmingCharacters(in: .newlines))
            }
        }
    }

    /// `fieldkit hub status`.
    struct Status: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract:
                "Show each enrolled device's delivery: events held, gaps, archives, receipts; and the state digest.")

        @OptionGroup var global: GlobalOptions

        struct Report: Codable, Equatable {
            var stateDigest: String
            var events: Int
            var devices: [HubDeviceSummary]
            var quarantined: Int
            /// Per device with any: events before 2020, more than a day ahead, or going backwards.
            var clocks: [String: ClockAnomalies]
        }

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let quarantined = FileLayer.list(hub.quarantine).reduce(0) { count, device in
                count + FileLayer.list(hub.quarantine + "/" + device).filter { $0.hasSuffix(".reason") }.count
            }
            let report = Report(
                stateDigest: try store.stateDigest(), events: try store.counts().events,
                devices: try store.hubSummaries(), quarantined: quarantined,
                clocks: try store.clockAnomalies(now: context.environment.now()))
            if global.json { return try context.printJSON(report) }
            context.console.out("Headquarters: \(report.events) events; state digest \(report.stateDigest)")
            if report.devices.isEmpty { context.console.out("No device is enrolled yet: use 'fieldkit hub enrol'.") }
            for device in report.devices {
                context.console.out(
                    "  \(device.device) \(device.name) (\(device.site ?? "no site")): \(device.events) events, "
                        + "all through seq \(device.through), highest \(device.highest); "
                        + "receipt \(device.lastReceipt) sent, \(device.acknowledgedReceipt) acknowledged")
                if !device.gaps.isEmpty {
                    context.console.out("    gaps: seq \(device.gaps.map(\.description).joined(separator: ", "))")
                }
                if device.refusals > 0 { context.console.out("    \(device.refusals) archive(s) refused") }
                if let clock = report.clocks[device.device] {
                    context.console.out(
                        "    clock: \(clock.beforeTwentyTwenty) event(s) dated before 2020, \(clock.aheadOfNow) more than a day "
                            + "ahead, \(clock.backwards) earlier than the event before (accepted; the order does not depend on it)"
                    )
                }
                context.console.out(
                    "    \(device.state); enrolled \(device.enrolledWall.prefix(10))"
                        + (device.acceptedBy.map { " by \($0)" } ?? "")
                        + (device.predecessor.map { "; successor of \($0)" } ?? "")
                        + (device.successor.map { "; replaced by \($0)" } ?? "")
                        + (device.revokedAfter.map { "; revoked after seq \($0) (\(device.revokedReason ?? ""))" } ?? "")
                )
            }
            if quarantined > 0 {
                context.console.out("\(quarantined) file(s) in \(hub.quarantine): each has a .reason file beside it.")
            }
        }
    }
}

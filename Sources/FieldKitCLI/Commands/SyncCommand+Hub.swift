import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

extension SyncCommand {
    /// `fieldkit sync URL`: this device with the hub server.
    func remote(context: CommandContext) throws {
        guard !dryRun else {
            throw CLIFailure.usage("--dry-run works with a stick or folder only", hint: "run 'fieldkit status' instead")
        }
        let (store, lock, dataFolder) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        let keys = try DeviceKeys.load(from: dataFolder)
        if unsealed { context.console.err(SyncCommand.unsealedWarning("archives")) }
        let console = context.console
        let client = try HubClient(url: folder, progress: { console.err($0) })
        let sync = RemoteSync(
            client: client, store: store, dataFolder: dataFolder, keys: keys,
            wall: EventTime.wallString(context.environment.now()), unsealed: unsealed)
        let report = try waitFor { try await sync.run() }
        let bundle = try installOffered(report.bundleOffer, at: report.bundle, store: store, context: context)
        if global.json {
            try context.printJSON(RemoteOutput(sync: report, bundle: bundle))
        } else {
            let out = console.out
            out("Sync of device \(report.after.device) with \(report.hub):")
            SyncCommand.printReceipts(report.before, out: out)
            let accepted = report.uploads.reduce(0) { $0 + $1.accepted }
            let known = report.uploads.reduce(0) { $0 + $1.known }
            if !report.uploads.isEmpty {
                out(
                    "  uploaded \(report.uploads.count) archive(s): \(accepted) event(s) accepted, \(known) already held"
                )
            }
            for refusal in report.refused { out("  refused \(refusal.file): \(refusal.reason)") }
            SyncCommand.printReceipts(report.after, out: out)
            if let bundle { out("  bundle \(bundle.version): \(bundle.outcome)") }
            if report.after.undelivered == 0, report.after.carriedUndelivered == 0 {
                out("  headquarters has acknowledged every event of this device")
            } else {
                out("  \(report.after.undelivered) event(s) wait for headquarters' receipt")
            }
        }
        try SyncCommand.finish(report.before.receipts + report.after.receipts, context: context)
        if !report.refused.isEmpty { throw SyncFailure.someRefused(count: report.refused.count) }
    }

    /// `fieldkit sync DIR --hub URL`: the coordinator's relay.
    func relay(to url: String, context: CommandContext) throws {
        guard !dryRun, !unsealed else {
            throw CLIFailure.usage(
                "--hub relays what is on the stick; it takes neither --dry-run nor --unsealed", hint: nil)
        }
        let console = context.console
        let relay = HubRelay(client: try HubClient(url: url, progress: { console.err($0) }), folder: folder)
        let report = try waitFor { try await relay.run() }
        flushFileSystems()
        if global.json {
            try context.printJSON(report)
        } else {
            console.out("Relay between \(report.folder) and \(report.hub):")
            for device in report.devices {
                let accepted = device.uploaded.reduce(0) { $0 + $1.accepted }
                let known = device.uploaded.reduce(0) { $0 + $1.known }
                var parts: [String] = []
                parts.append(
                    device.uploaded.isEmpty
                        ? "nothing to upload"
                        : "uploaded \(device.uploaded.count) archive(s) (\(accepted) event(s) accepted, \(known) already held)"
                )
                parts.append(device.receipt.map { "receipt \($0) waiting on the stick" } ?? "no receipt yet")
                console.out("  device \(device.device): " + parts.joined(separator: "; "))
                for refusal in device.refused { console.out("    refused \(refusal.file): \(refusal.reason)") }
            }
            if let bundle = report.bundle { console.out("  bundle: \((bundle as NSString).lastPathComponent)") }
            console.out("It is safe to remove the stick.")
        }
        let refused = report.devices.reduce(0) { $0 + $1.refused.count }
        if refused > 0 { throw SyncFailure.someRefused(count: refused) }
    }

    /// What `--json` prints for a sync with the hub.
    struct RemoteOutput: Encodable {
        var sync: RemoteSync.Report
        var bundle: BundleResult?

        func encode(to encoder: any Encoder) throws {
            try sync.encode(to: encoder)
            var container = encoder.container(keyedBy: Output.Key.self)
            try container.encodeIfPresent(bundle, forKey: .bundleResult)
        }
    }
}

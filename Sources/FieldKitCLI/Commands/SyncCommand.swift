import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

/// `fieldkit sync DIR`: exchange change archives and receipts with headquarters through a
/// stick or a shared folder.
struct SyncCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "Apply headquarters' receipts from a stick, folder or hub and send this device's new events there.",
        discussion: """
            DIR is the stick's mount point or a shared folder; fieldkit uses DIR/fieldkit-sync/. \
            Given a hub's address (http://HOST:PORT) instead, the laptop uploads and fetches its receipt. \
            Events stay on this laptop until a receipt from headquarters says they arrived. \
            With --hub URL, a coordinator's machine relays a whole stick: every device's archives go \
            up, every device's receipt comes back onto the stick. The relay needs no enrolment and \
            can open nothing it carries.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The stick or folder that holds (or will hold) fieldkit-sync/, or the hub's http(s):// address.")
    var folder: String

    @Option(help: "Relay DIR's mailbox to the hub at this address (no enrolment needed).")
    var hub: String?

    @Flag(help: "Only show what is on the stick and what a sync would do.")
    var dryRun = false

    @Flag(
        help: ArgumentHelp(
            "Write archives anyone can read (names, notes, tags): for debugging only, never on a stick that travels.",
            visibility: .hidden))
    var unsealed = false

    func run(in context: CommandContext) throws {
        if let hub {
            return try relay(to: hub, context: context)
        }
        if HubClient.isURL(folder) {
            return try remote(context: context)
        }
        let (store, lock, dataFolder) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        let keys = try DeviceKeys.load(from: dataFolder)
        if unsealed { context.console.err(SyncCommand.unsealedWarning("archives")) }
        let sync = DeviceSync(
            store: store, dataFolder: dataFolder, keys: keys, mailbox: Mailbox(folder: folder),
            wall: EventTime.wallString(context.environment.now()), unsealed: unsealed)
        let report = try sync.run(dryRun: dryRun)
        if !dryRun { flushFileSystems() }
        let bundle =
            dryRun ? nil : try installOffered(report.bundleOffer, at: report.bundle, store: store, context: context)
        if global.json {
            try context.printJSON(Output(sync: report, bundle: bundle))
        } else {
            SyncCommand.print(report, folder: folder, out: context.console.out)
            if let bundle { context.console.out("  bundle \(bundle.version): \(bundle.outcome)") }
        }
        try SyncCommand.finish(report.receipts, context: context)
    }

    /// The one warning `sync`, `update` and `bundle install` give for an expired trust
    /// statement: dates only warn (clocks at sites lie); versions decide.
    static func trustExpiredWarning(_ expired: String) -> String {
        "warning: headquarters' trust statement expired on \(expired); accepted anyway (ask headquarters to renew it)"
    }

    /// Warns about an expired trust statement and fails when a receipt was refused.
    static func finish(_ receipts: [DeviceSync.ReceiptResult], context: CommandContext) throws {
        let today = String(EventTime.wallString(context.environment.now()).prefix(10))
        if let expired = receipts.filter(\.counts).compactMap(\.trustExpires).max(),
            expired < today
        {
            context.console.err(trustExpiredWarning(expired))
        }
        let refused = receipts.filter { $0.outcome == "refused" }
        for receipt in refused {
            context.console.err("error: receipt \(receipt.file) was refused: \(receipt.reason ?? "")")
        }
        if !refused.isEmpty { throw SyncFailure.someRefused(count: refused.count) }
    }

    /// The loud line `--unsealed` prints before anything is written.
    static func unsealedWarning(_ what: String) -> String {
        "WARNING: --unsealed writes \(what) that anyone who finds the stick can read: names, notes and instrument tags. "
            + "Debugging only: delete them after use."
    }

    /// What `--json` prints: the sync report and what became of an offered bundle.
    struct Output: Encodable {
        var sync: DeviceSync.Report
        var bundle: BundleResult?

        func encode(to encoder: any Encoder) throws {
            try sync.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(bundle, forKey: .bundleResult)
        }

        enum Key: String, CodingKey { case bundleResult }
    }

    struct BundleResult: Codable, Equatable {
        var version: Int64
        /// `installed`, `already installed` or `not installed: …`.
        var outcome: String
    }

    /// Installs the bundle the applied receipts offer when it is newer than the installed one:
    /// checked against the pinned root and the SHA-256 the signed receipt names.
    func installOffered(_ offer: Receipt.BundleOffer?, at path: String?, store: Store, context: CommandContext) throws
        -> BundleResult?
    {
        guard let offer, let path else { return nil }
        guard let root = try ContentAccess.pinnedRoot(store) else { return nil }
        var result = BundleResult(version: offer.version, outcome: "already installed")
        // The installed version from this root, or the floor a root handover carried over.
        if let installed = try store.installedVersion(root: root.keyID.minisignHex), installed >= offer.version {
            if installed > offer.version {
                result.outcome = "not installed: older than the installed version \(installed)"
            }
            return result
        }
        do {
            let checked = try BundleParts.read(path).verify(root: root)
            guard checked.sha256 == offer.sha256 else {
                throw BundleFailure.statement("the bundle in \(path) is not the one the receipt names")
            }
            try ContentLibrary(store: store).install(
                checked, root: checked.root, installedWall: EventTime.wallString(context.environment.now()))
            result.outcome = "installed"
        } catch let failure as any FieldKitError {
            result.outcome = "not installed: \(failure.message)"
            context.console.err("warning: the bundle headquarters published was not installed: \(failure.message)")
        }
        return result
    }

    static func print(_ report: DeviceSync.Report, folder: String, out: (String) -> Void) {
        out("Sync of device \(report.device) with \(folder)\(report.dryRun ? " (dry run: nothing changes)" : ""):")
        if report.dryRun {
            if report.mailbox.isEmpty { out("  The folder holds no fieldkit-sync mailbox yet.") }
            for (device, entry) in report.mailbox.sorted(by: { $0.key < $1.key }) {
                let mine = device == report.device ? " (this device)" : ""
                let ranges = entry.outbound.map(\.description).joined(separator: ", ")
                out(
                    "  \(device)\(mine): \(entry.outbound.count) archive(s) waiting for headquarters"
                        + (ranges.isEmpty ? "" : " (seq \(ranges))")
                        + (entry.receipts.isEmpty
                            ? "" : "; receipt(s) \(entry.receipts.map(String.init).joined(separator: ", ")) waiting"))
            }
        }
        printReceipts(report, out: out)
        printWritten(report, out: out)
        if !report.dryRun { out("It is safe to remove the stick.") }
    }

    /// One line per receipt found.
    static func printReceipts(_ report: DeviceSync.Report, out: (String) -> Void) {
        for receipt in report.receipts {
            switch receipt.outcome {
            case "refused": out("  receipt \(receipt.version): refused (\(receipt.reason ?? "see below"))")
            case "superseded":
                out(
                    "  receipt \(receipt.version): superseded, a newer one is applied already"
                        + (report.dryRun ? "" : "; removed"))
            default:
                out(
                    "  receipt \(receipt.version): \(receipt.outcome); headquarters holds every event through seq "
                        + "\(receipt.deliveredThrough); \(receipt.added) event(s) from other devices "
                        + (report.dryRun ? "carried" : "added"))
                if !receipt.gaps.isEmpty {
                    out(
                        "    headquarters misses seq \(receipt.gaps.map(\.description).joined(separator: ", ")): they will be sent again"
                    )
                }
            }
        }
    }

    /// What was written, kept, replaced and removed, and what still waits.
    static func printWritten(_ report: DeviceSync.Report, out: (String) -> Void) {
        let would = report.dryRun ? "would " : ""
        if !report.written.isEmpty {
            out(
                "  \(would)write \(report.written.count) archive(s): seq "
                    + report.written.map(\.description).joined(separator: ", ")
                    + (report.unsealed
                        ? ", NOT SEALED" : report.sealedTo.map { ", sealed to headquarters' key \($0)" } ?? ""))
        }
        if !report.kept.isEmpty {
            out(
                "  kept \(report.kept.count) archive(s) already on the stick: seq \(report.kept.map(\.description).joined(separator: ", "))"
            )
        }
        if !report.replaced.isEmpty {
            out(
                "  \(would)replace \(report.replaced.count) damaged archive(s): \(report.replaced.joined(separator: ", "))"
            )
        }
        if !report.removed.isEmpty {
            out("  \(would)remove \(report.removed.count) file(s) headquarters acknowledged")
        }
        if !report.missingPhotos.isEmpty {
            out("  warning: \(report.missingPhotos.count) photo(s) are missing on this laptop and were not sent")
        }
        if let predecessor = report.predecessor {
            if !report.carried.isEmpty {
                out(
                    "  \(would)write \(report.carried.count) archive(s) of earlier laptop \(predecessor)'s log: seq "
                        + report.carried.map(\.description).joined(separator: ", "))
            }
            if report.carriedUndelivered > 0 {
                out(
                    "  \(report.carriedUndelivered) event(s) of predecessor \(predecessor) wait for headquarters' receipt"
                )
            }
        }
        for receipt in report.receipts where receipt.newRoot != nil && receipt.counts {
            out(
                "  headquarters moved to a new root key \(receipt.newRoot ?? "")"
                    + (report.dryRun ? " (it would be pinned)" : ": it is pinned now"))
        }
        if report.written.isEmpty, report.kept.isEmpty, report.undelivered == 0 {
            out("  nothing to send: headquarters has acknowledged every event of this device")
        } else {
            out("  \(report.undelivered) event(s) wait for headquarters' receipt")
        }
    }

    /// Flushes every file system, so a FAT stick pulled out right after holds what was written.
    func flushFileSystems() {
        #if canImport(Glibc)
            Glibc.sync()
        #endif
    }
}

/// `fieldkit enrol --to DIR`: the device's self-signed request, for headquarters to accept.
struct EnrolCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Write this device's enrolment request into DIR/fieldkit-sync/enrol/ for headquarters.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The stick or folder to write the request to.")
    var to: String

    func run(in context: CommandContext) throws {
        let (store, lock, dataFolder) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        guard FileLayer.isFolder(to) else {
            throw SyncFailure.mailboxUnusable(path: to, reason: "it does not exist or is not a folder")
        }
        let keys = try DeviceKeys.load(from: dataFolder)
        let device = try store.device()
        let through = try device.predecessor.map { try store.highestSeq(of: $0) }
        let request = EnrolmentRequest(
            device: device, keys: keys, created: EventTime.wallString(context.environment.now()),
            predecessorThrough: through,
            predecessorHead: try device.predecessor.flatMap { try store.eventHash(device: $0, seq: through ?? 0) })
        let path = try request.write(into: Mailbox(folder: to), key: keys.signing)
        let fingerprint = try request.fingerprint()
        if global.json {
            try context.printJSON(["device": request.device, "file": path, "fingerprint": fingerprint])
        } else {
            context.console.out("Wrote the enrolment request of device \(request.device) (\(request.name)) to \(path).")
            context.console.out("Fingerprint: \(fingerprint)")
            if let predecessor = request.predecessor {
                context.console.out(
                    "It asks to carry on device \(predecessor)'s log (through seq \(request.predecessorThrough ?? 0)).")
            }
            context.console.out(
                "Read this fingerprint to headquarters by phone or in person; they compare it before accepting.")
        }
    }
}

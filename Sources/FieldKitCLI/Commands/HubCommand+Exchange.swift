import ArgumentParser
import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

extension HubCommand {
    /// `fieldkit hub enrol DIR|FILE… [--fingerprint FP]…`.
    struct Enrol: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrol",
            abstract: "Show enrolment requests and accept those whose fingerprint is confirmed.",
            discussion: """
                On a terminal each request is shown and accepted when you confirm that its fingerprint \
                matches the one the laptop showed. Elsewhere only requests whose fingerprint is given \
                with --fingerprint are accepted.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Sticks or folders holding fieldkit-sync/enrol/, or request files.")
        var inputs: [String]

        @Option(help: "A fingerprint confirmed with the device's technician (repeat for several).")
        var fingerprint: [String] = []

        @Option(help: "Who accepts the enrolment, for the record (default: the USER of this session).")
        var by: String?

        struct Result: Codable, Equatable {
            var device: String
            var name: String
            var site: String?
            var fingerprint: String
            var outcome: String
        }

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let confirmed = Set(fingerprint.map(Enrol.normalised))
            var results: [Result] = []
            for path in try requestFiles() {
                let request = try EnrolmentRequest.read(path)
                let shown = try request.fingerprint()
                var result = Result(
                    device: request.device, name: request.name, site: request.site, fingerprint: shown,
                    outcome: "not accepted")
                if !global.json {
                    context.console.out(
                        "Device \(request.device) \"\(request.name)\" at \(request.site ?? "no site"): fingerprint \(shown)"
                    )
                    if let predecessor = request.predecessor {
                        context.console.out(
                            "  restored from device \(predecessor) (holds its events through seq \(request.predecessorThrough ?? 0)); "
                                + "accepting it revokes \(predecessor)'s own key and lets this laptop deliver its events"
                        )
                    }
                }
                let accept: Bool
                if confirmed.contains(Enrol.normalised(shown)) {
                    accept = true
                } else if context.console.isInteractive, fingerprint.isEmpty {
                    context.console.err("Does this fingerprint match the one shown on the laptop? [y/N] ")
                    accept = ["y", "yes", "j", "ja"].contains(
                        readLine()?.lowercased().trimmingCharacters(in: .whitespaces) ?? "")
                } else {
                    accept = false
                }
                if accept {
                    let acceptedBy = by ?? context.environment.variables["USER"] ?? "headquarters"
                    let added = try store.enrol(
                        try request.enrolled(
                            wall: EventTime.wallString(context.environment.now()), acceptedBy: acceptedBy),
                        predecessorThrough: request.predecessorThrough ?? 0, predecessorHead: request.predecessorHead)
                    result.outcome = added ? "enrolled" : "already enrolled"
                }
                if !global.json { context.console.out("  \(result.outcome)") }
                results.append(result)
            }
            // Devices seal their archives to the sealing key the trust statement names: put it on
            // every stick the requests came from.
            let trust = try hub.trustFiles()
            for input in inputs where FileLayer.isFolder(Mailbox(folder: input).root) {
                try hub.placeTrust(in: Mailbox(folder: input), trust: trust)
            }
            if global.json { try context.printJSON(results) }
            let refused = results.filter { $0.outcome == "not accepted" }.count
            if refused > 0 {
                throw CLIFailure.refused(
                    "\(refused) request(s) were not accepted: their fingerprint was not confirmed",
                    hint: "compare the fingerprint with the technician, then pass it with --fingerprint",
                    status: .dataError)
            }
        }

        /// Request files: given directly, or `*.json` in a mailbox's enrol folder or a plain folder.
        func requestFiles() throws -> [String] {
            var files: [String] = []
            for input in inputs {
                if FileLayer.isFolder(input) {
                    let enrolFolder = Mailbox(folder: input).enrol
                    let folder = FileLayer.isFolder(enrolFolder) ? enrolFolder : input
                    files += FileLayer.list(folder).filter { $0.hasSuffix(".json") }.map { folder + "/" + $0 }
                } else if FileLayer.exists(input) {
                    files.append(input)
                } else {
                    throw CoreFailure.missingFile(path: input)
                }
            }
            guard !files.isEmpty else {
                throw CLIFailure.refused(
                    "no enrolment request found in \(inputs.joined(separator: ", "))",
                    hint: "run 'fieldkit enrol --to DIR' on the laptop first", status: .noInput)
            }
            return files
        }

        static func normalised(_ fingerprint: String) -> String {
            fingerprint.uppercased().filter { $0.isHexDigit }
        }
    }

    /// `fieldkit hub import DIR|FILE…`.
    struct Import: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Verify and merge change archives, then write one receipt per device back into the mailbox.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Sticks or folders holding fieldkit-sync/, folders of archives, or archive files.")
        var inputs: [String]

        @Flag(
            help: ArgumentHelp(
                "Write receipts anyone can read (names, notes, tags): for debugging only.", visibility: .hidden))
        var unsealed = false

        func run(in context: CommandContext) throws {
            let (store, lock, hub) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let console = context.console
            let keys = try DeviceKeys.load(from: hub.folder)
            // Receipts must verify on the devices: refuse to start when the trust statement does
            // not name the signing key (an interrupted rotation).
            _ = try hub.currentTrust(store: store, keys: keys)
            if unsealed { console.err(SyncCommand.unsealedWarning("receipts")) }
            let importer = HubImport(
                store: store, hub: hub, keys: keys,
                wall: EventTime.wallString(context.environment.now()), unsealed: unsealed,
                progress: { line in if console.isInteractive { console.err(line) } })
            let report = try importer.run(inputs)
            if global.json {
                try context.printJSON(report)
            } else {
                Import.print(report, out: console.out)
            }
            for archive in report.archives where archive.reason != nil {
                console.err(
                    "\((archive.file as NSString).lastPathComponent): \(archive.outcome): \(archive.reason ?? "")")
            }
            if let fault = report.fault { throw fault }
            if report.problems > 0 { throw SyncFailure.someRefused(count: report.problems) }
        }

        static func print(_ report: HubImport.Report, out: (String) -> Void) {
            let count = report.count
            out(
                "Imported \(report.archives.count) archive(s): \(count("accepted")) accepted "
                    + "(\(report.acceptedEvents) new events), \(count("already imported")) already imported, "
                    + "\(count("incomplete")) incomplete, \(count("quarantined")) quarantined.")
            for archive in report.archives where archive.outcome == "quarantined" {
                out(
                    "  quarantined \((archive.file as NSString).lastPathComponent) → \(archive.quarantine ?? "(copy failed)")"
                )
            }
            for receipt in report.receipts {
                out(
                    "  receipt \(receipt.version) for \(receipt.device): all through seq \(receipt.through), "
                        + "\(receipt.events) event(s) of other devices"
                        + (receipt.gaps.isEmpty
                            ? "" : "; gaps: seq \(receipt.gaps.map(\.description).joined(separator: ", "))"))
            }
        }
    }
}

import ArgumentParser
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit doctor`: integrity, the log's chain, key permissions and the clock.
struct DoctorCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the store, the event log, key permissions and the clock.",
        discussion: "Integrity findings end with exit 65; clock findings are warnings (exit 0).")

    @OptionGroup var global: GlobalOptions

    /// The `--json` shape.
    struct Report: Codable, Equatable {
        var healthy: Bool
        var findings: [String]
        var warnings: [String]
    }

    /// Wall clocks before this are certainly wrong (2020-01-01).
    static let earliestPlausibleMillis: Int64 = 1_577_836_800_000

    func run(in context: CommandContext) throws {
        let folder = try global.dataFolder(context)
        var findings: [String] = []
        var warnings: [String] = []
        do {
            let (store, lock, _) = try global.openStore(context)
            defer { withExtendedLifetime(lock) {} }
            findings += try store.integrityFindings().map { "SQLite integrity: \($0)" }
            findings += try store.logFindings().map { "event log of \($0.device) at seq \($0.seq): \($0.problem)" }
            findings += DeviceKeys.permissionFindings(in: folder)
            let now = EventTime.millis(context.environment.now())
            if now < Self.earliestPlausibleMillis {
                warnings.append(
                    "the wall clock says \(EventTime.wallString(context.environment.now())), before 2020: set the date")
            }
            if let newest = try store.newestEvent(), newest.event.hlc.millis > now {
                warnings.append(
                    "the wall clock is earlier than the newest event (\(newest.event.wall)): the clock may have gone back"
                )
            }
            // Other laptops' clocks, as their events arrived here: flagged, never refused. (This
            // laptop's own clock is judged above, against its own wall clock.)
            let own = try store.device().id
            for (device, clock) in try store.clockAnomalies(now: context.environment.now()).sorted(by: {
                $0.key < $1.key
            }) where device != own {
                warnings.append(
                    "device \(device)'s clock: \(clock.beforeTwentyTwenty) event(s) dated before 2020, "
                        + "\(clock.aheadOfNow) more than a day ahead of this laptop, \(clock.backwards) earlier than "
                        + "the event before (accepted: no decision depends on clocks)")
            }
        } catch let failure as StoreFailure {
            guard case .corrupted = failure else { throw failure }
            findings.append(failure.message)
        }
        let report = Report(healthy: findings.isEmpty, findings: findings, warnings: warnings)
        if global.json {
            try context.printJSON(report)
        } else {
            for finding in findings { context.console.out("problem: \(finding)") }
            for warning in warnings { context.console.out("warning: \(warning)") }
            if findings.isEmpty { context.console.out("The store, the event log and the keys are sound.") }
        }
        if !findings.isEmpty {
            throw CLIFailure.refused(
                "doctor found \(findings.count) problem(s) in \(folder)",
                hint: "restore the latest backup with 'fieldkit restore' if the store is damaged", status: .dataError)
        }
    }
}

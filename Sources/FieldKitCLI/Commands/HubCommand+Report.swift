import ArgumentParser
import FieldKitCore
import FieldKitReports
import FieldKitStore
import Foundation

extension HubCommand {
    /// `fieldkit hub report`.
    struct Report: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "The numbers for funders: repairs, instruments, training and devices (docs/reports.md).",
            discussion: """
                Records are counted by their local date (the day the technician recorded, in the site's own time). \
                An amended repair counts once, with its amended values. --format html writes the offline dashboard.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, csv, json, html
        }

        @OptionGroup var global: GlobalOptions

        @Option(help: "The first local date counted (YYYY-MM-DD; default: from the start).")
        var from: String?

        @Option(help: "The last local date counted (YYYY-MM-DD; default: up to today).")
        var to: String?

        @Option(help: "The day follow-ups and days since sync are measured from (YYYY-MM-DD; default: today).")
        var asOf: String?

        @Option(help: "text, csv, json or html (--json means json).")
        var format: Format = .text

        @Option(help: "Write the report to this file instead of standard output.")
        var out: String?

        func run(in context: CommandContext) throws {
            let now = context.environment.now()
            let today = EventTime.localDate(
                now, offsetMinutes: context.environment.timeZone.secondsFromGMT(for: now) / 60)
            let from = try self.from.map { try EventTime.parseDate($0) }
            let to = try self.to.map { try EventTime.parseDate($0) }
            if let from, let to, from > to {
                throw CLIFailure.usage("--from \(from) is after --to \(to)", hint: "swap them")
            }
            let asOf = try self.asOf.map { try EventTime.parseDate($0) } ?? today
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let report = try store.hubReport(from: from, to: to, asOf: asOf, now: now)
            let text: String
            switch global.json ? .json : format {
            case .text: text = ReportText.text(report)
            case .csv: text = ReportTable(report).csv
            case .html: text = ReportPage.html(report)
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
            }
            if let out {
                try FileLayer.writeAtomically(Data(text.utf8), to: out)
                context.console.err("wrote the report to \(out)")
            } else {
                context.console.out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
            }
        }
    }
}

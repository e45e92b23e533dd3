import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit audit`: scanned tags against what should be at the site, recorded as one event.
struct AuditCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit a site: compare the tags you scan with the instruments that should be there.",
        discussion:
            "Tags come from the arguments, a file (--from), or standard input when piped — a barcode scanner types one per line."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The site audited (default: the current site).")
    var site: String?

    @Argument(help: "Scanned tags.")
    var tags: [String] = []

    @Option(help: "A file with one tag per line.")
    var from: String?

    @Flag(help: "Only compare and show the findings; record nothing (the interface's live view).")
    var preview = false

    /// The audit's findings (`--json` shape and event payload).
    struct Findings: Codable, Equatable {
        var site: String
        var scanned: [String]
        var missing: [String]
        var unexpected: [String]
        var wrongSite: [WrongSite]

        struct WrongSite: Codable, Equatable {
            var tag: String
            var recordedAt: String
        }
    }

    func run(in context: CommandContext) throws {
        let session = try FieldSession(global, context: context)
        let site = try session.site(self.site)
        var typed = tags
        if let from {
            typed += try FileLayer.readText(from, limit: 1 << 20).split(whereSeparator: \.isNewline).map(String.init)
        }
        if tags.isEmpty, from == nil, !context.console.isInteractive {
            typed += AnyIterator { readLine() }.map { $0 }
        }
        typed = typed.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !typed.isEmpty else {
            throw CLIFailure.usage("no tags scanned", hint: "pass tags, --from FILE, or pipe them in one per line")
        }
        var scanned: [String] = []
        var unexpected: [String] = []
        var wrongSite: [Findings.WrongSite] = []
        for raw in typed {
            let tag = Tag.normalised(raw)
            guard !scanned.contains(tag) else { continue }
            scanned.append(tag)
            guard let state = try session.store.instrumentState(tag: tag) else {
                unexpected.append(tag)
                continue
            }
            if state.site != site { wrongSite.append(.init(tag: tag, recordedAt: state.site)) }
        }
        let expected = try session.store.instruments(at: site).filter { $0.status == "in-use" }.map(\.tag)
        let findings = Findings(
            site: site, scanned: scanned.sorted(), missing: expected.filter { !scanned.contains($0) },
            unexpected: unexpected.sorted(), wrongSite: wrongSite.sorted { $0.tag < $1.tag })
        let payload: JSONValue = .object([
            "site": .string(site), "scanned": .array(findings.scanned.map { .string($0) }),
            "missing": .array(findings.missing.map { .string($0) }),
            "unexpected": .array(findings.unexpected.map { .string($0) }),
            "wrongSite": .array(
                findings.wrongSite.map { .object(["tag": .string($0.tag), "recordedAt": .string($0.recordedAt)]) }),
        ])
        if !preview {
            try session.store.record(
                EventDraft(
                    type: EventType.auditRecorded, payload: payload, site: site, bundle: try session.bundleHash()),
                environment: context.environment, tags: [])
        }
        if global.json { return try context.printJSON(findings) }
        context.console.out("Audit of \(site): \(scanned.count) scanned, \(expected.count) expected.")
        context.console.out("Missing (\(findings.missing.count)): \(findings.missing.joined(separator: " "))")
        context.console.out("Unexpected (\(findings.unexpected.count)): \(findings.unexpected.joined(separator: " "))")
        context.console.out(
            "At the wrong site (\(findings.wrongSite.count)): "
                + findings.wrongSite.map { "\($0.tag) (recorded at \($0.recordedAt))" }.joined(separator: " "))
        context.console.out(preview ? "Not recorded (--preview)." : "Recorded for headquarters.")
    }
}

/// `fieldkit due`: follow-ups due and instruments overdue for service at a site.
struct DueCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "due", abstract: "Follow-ups due and instruments overdue for service at the site you visit.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The site (default: the current site).")
    var site: String?

    @Option(name: .customLong("service-days"), help: "Service interval in days.")
    var serviceDays = 365

    struct Report: Codable {
        var site: String
        var today: String
        var followUps: [FollowUp]
        var overdue: [Overdue]

        struct FollowUp: Codable {
            var tag: String
            var repair: String
            var due: String
        }

        struct Overdue: Codable {
            var tag: String
            var type: String
            var lastService: String?
        }
    }

    func run(in context: CommandContext) throws {
        let session = try FieldSession(global, context: context)
        let site = try session.site(self.site)
        let now = context.environment.now()
        let today = EventTime.localDate(now, offsetMinutes: context.environment.timeZone.secondsFromGMT(for: now) / 60)
        let todayNumber = try EventTime.days(of: today)
        let repairs = try session.store.records(kind: "repair", site: site)
        let latestRepair = Dictionary(grouping: repairs, by: { $0.tag ?? "" }).mapValues { $0.map(\.date).max() ?? "" }
        let followUps = repairs.compactMap { record -> Report.FollowUp? in
            guard let tag = record.tag, let due = record.values["followUp"]?.stringValue, due <= today,
                latestRepair[tag] == record.date
            else { return nil }
            return Report.FollowUp(tag: tag, repair: record.id, due: due)
        }.sorted { ($0.due, $0.tag) < ($1.due, $1.tag) }
        let overdue = try session.store.instruments(at: site).filter { $0.status == "in-use" }.compactMap {
            state -> Report.Overdue? in
            let last = try state.lastService.map { try EventTime.days(of: $0) }
            guard last.map({ todayNumber - $0 > Int64(serviceDays) }) ?? true else { return nil }
            return Report.Overdue(tag: state.tag, type: state.type, lastService: state.lastService)
        }
        let report = Report(site: site, today: today, followUps: followUps, overdue: overdue)
        if global.json { return try context.printJSON(report) }
        context.console.out("Due at \(site) on \(today):")
        context.console.out("Follow-ups (\(followUps.count)):")
        for item in followUps {
            context.console.out("  \(item.tag)  due \(item.due)  (repair \(item.repair.prefix(12)))")
        }
        context.console.out("Overdue for service, over \(serviceDays) days (\(overdue.count)):")
        for item in overdue {
            context.console.out("  \(item.tag)  \(item.type)  last service \(item.lastService ?? "never")")
        }
    }
}

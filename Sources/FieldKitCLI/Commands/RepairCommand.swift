import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit repair log|list|show|amend`.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair", abstract: "Record repairs; correct them by amending — nothing is deleted.",
        subcommands: [Log.self, List.self, Show.self, Amend.self])

    static let outcomes = ["fixed", "needs-depot", "beyond-repair"]
    static let conditions = ["good", "fair", "poor", "unplayable"]

    /// The repair flags `log` and `amend` share.
    struct Fields: ParsableArguments {
        @Option(help: "What was wrong.")
        var problem: String?

        @Option(help: "What you did.")
        var action: String?

        @Option(help: "A guide you followed (repeat for several).")
        var guide: [String] = []

        @Option(help: "A part used, as ID or ID:QTY (repeat for several).")
        var part: [String] = []

        @Option(help: "Minutes spent.")
        var minutes: Int?

        @Option(help: "fixed, needs-depot or beyond-repair.")
        var outcome: String?

        @Option(name: .customLong("condition-before"), help: "good, fair, poor or unplayable.")
        var conditionBefore: String?

        @Option(name: .customLong("condition-after"), help: "good, fair, poor or unplayable.")
        var conditionAfter: String?

        @Option(name: .customLong("follow-up"), help: "A date to look at it again (YYYY-MM-DD).")
        var followUp: String?

        @Option(help: "The record's local date (default: today).")
        var date: String?

        @Option(help: "A photo of the damage, JPEG or PNG (repeat for several).")
        var photo: [String] = []

        /// The fields given, checked against the bundle; only those present.
        func values(_ session: FieldSession) throws -> [String: JSONValue] {
            var values: [String: JSONValue] = [:]
            if let problem { values["problem"] = .string(try text(problem, field: "--problem")) }
            if let action { values["action"] = .string(try text(action, field: "--action")) }
            if !guide.isEmpty {
                values["guides"] = .array(try guide.map { .string(try session.library.guide($0.lowercased()).id) })
            }
            if !part.isEmpty { values["parts"] = .array(try part.map { try partValue($0, session: session) }) }
            if let minutes {
                guard (0...24 * 60).contains(minutes) else {
                    throw CLIFailure.usage("--minutes must be between 0 and 1440, not \(minutes)", hint: nil)
                }
                values["minutes"] = .int(Int64(minutes))
            }
            if let outcome {
                values["outcome"] = .string(try choice(outcome, in: RepairCommand.outcomes, flag: "--outcome"))
            }
            if let conditionBefore {
                values["conditionBefore"] = .string(
                    try choice(conditionBefore, in: RepairCommand.conditions, flag: "--condition-before"))
            }
            if let conditionAfter {
                values["conditionAfter"] = .string(
                    try choice(conditionAfter, in: RepairCommand.conditions, flag: "--condition-after"))
            }
            if let followUp { values["followUp"] = .string(try EventTime.parseDate(followUp)) }
            if !photo.isEmpty { values["photos"] = .array(try session.photos(photo).map { .string($0) }) }
            return values
        }

        func text(_ value: String, field: String) throws -> String {
            let clean = try Text.normalised(value.trimmingCharacters(in: .whitespacesAndNewlines), field: field)
            guard !clean.isEmpty, clean.count <= 2000 else {
                throw CLIFailure.usage("\(field) must be 1 to 2000 characters", hint: nil)
            }
            return clean
        }

        func partValue(_ text: String, session: FieldSession) throws -> JSONValue {
            let pieces = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let id = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard !id.isEmpty else {
                throw CLIFailure.usage("--part \"\(text)\" names no part", hint: "use ID or ID:QTY")
            }
            let quantity = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let quantity, quantity > 0, quantity <= 1000 else {
                throw CLIFailure.usage("--part \(text): the quantity must be a whole number from 1 to 1000", hint: nil)
            }
            let known = try session.library.parts().map(\.id)
            guard known.contains(id) else {
                throw BundleFailure.notFound(what: "part", id: id, suggestions: Suggest.nearest(id, in: known))
            }
            return .object(["id": .string(id), "quantity": .int(Int64(quantity))])
        }

        func choice(_ value: String, in choices: [String], flag: String) throws -> String {
            let lowered = value.lowercased()
            guard choices.contains(lowered) else {
                throw CLIFailure.usage(
                    "\(flag) must be one of \(choices.joined(separator: ", ")), not \"\(value)\"", hint: nil)
            }
            return lowered
        }
    }

    struct Log: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "log", abstract: "Record a repair of one instrument.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The instrument's tag, typed or scanned.")
        var tag: String

        @OptionGroup var fields: Fields

        @Option(help: "The site (default: the current site).")
        var site: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let tag = try session.tag(self.tag)
            var fields = fields
            let guideIDs = try session.library.guides().map(\.id)
            fields.problem = try session.required(fields.problem, flag: "--problem", prompt: "What was wrong")
            fields.action = try session.required(fields.action, flag: "--action", prompt: "What did you do")
            if fields.guide.isEmpty, context.console.isInteractive {
                let answer = try session.required(
                    nil, flag: "--guide", prompt: "Guide followed (id, or - for none)", choices: guideIDs)
                if answer != "-" { fields.guide = [answer] }
            }
            fields.minutes =
                try fields.minutes
                ?? Int(session.required(nil, flag: "--minutes", prompt: "Minutes spent")).orUsage("--minutes")
            fields.outcome = try session.required(
                fields.outcome, flag: "--outcome", prompt: "Outcome", choices: RepairCommand.outcomes)
            var values = try fields.values(session)
            values["tag"] = .string(tag)
            let site = try session.site(self.site)
            let date = try session.date(fields.date)
            let stored = try session.store.record(
                EventDraft(
                    type: EventType.repairLogged, payload: .object(values), site: site,
                    basis: try conditionBasis(session, tag: tag, values: values), date: date,
                    bundle: try session.bundleHash()),
                environment: context.environment, tags: [tag])
            try warnAboutTraining(session, guides: fields.guide)
            if global.json { return try context.printJSON(["id": stored.event.id, "tag": tag, "site": site]) }
            context.console.out(
                "Recorded repair \(stored.event.id.prefix(12)) of \(tag) at \(site) on \(stored.event.date).")
        }

        /// A warning, never a refusal: the technician on site decides.
        func warnAboutTraining(_ session: FieldSession, guides: [String]) throws {
            guard let technician = try session.store.device().technician else { return }
            let held = try session.store.competencies(of: technician)
            for id in guides {
                let guide = try session.library.guide(id.lowercased())
                if !held.contains(guide.training) {
                    session.context.console.err(
                        "warning: guide \(guide.id) asks for the training \(guide.training), which this device's technician has not signed off"
                    )
                }
            }
        }
    }

    struct List: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List repairs, newest first.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only at this site.")
        var site: String?

        @Option(help: "Only of this instrument.")
        var instrument: String?

        @Option(help: "Only on or after this date (YYYY-MM-DD).")
        var since: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let records = try session.store.records(
                kind: "repair", site: try site.map { try SiteCode.parse($0) },
                tag: try instrument.map { try session.tag($0) }, since: try since.map { try EventTime.parseDate($0) })
            try RecordPrinter(context: context, json: global.json).list(records)
        }
    }

    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a repair as amended, with its history and photos.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The repair's id (or its first 12 characters).")
        var id: String

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            try RecordPrinter(context: context, json: global.json).show(
                try RecordPrinter.find(id, kind: "repair", in: session.store), store: session.store,
                folder: session.folder)
        }
    }

    struct Amend: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend",
            abstract: "Correct a repair: the original stays, the amendment is recorded beside it.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The repair's id (or its first 12 characters).")
        var id: String

        @OptionGroup var fields: Fields

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let record = try RecordPrinter.find(id, kind: "repair", in: session.store)
            var changes = try fields.values(session)
            if let date = try session.date(fields.date) { changes["date"] = .string(date) }
            guard !changes.isEmpty else {
                throw CLIFailure.usage("nothing to amend", hint: "pass the flags to change, e.g. --minutes 30")
            }
            let stored = try session.store.record(
                EventDraft(
                    type: EventType.repairAmended,
                    payload: .object(
                        ["record": .string(record.id), "changes": .object(changes)].merging(
                            record.tag.map { ["tag": .string($0)] } ?? [:], uniquingKeysWith: { first, _ in first })),
                    site: record.site,
                    basis: Array(
                        Set(
                            [record.id]
                                + (try record.tag.map { try conditionBasis(session, tag: $0, values: changes) } ?? []))
                    ).sorted(),
                    bundle: try session.bundleHash()),
                environment: context.environment, tags: record.tag.map { [$0] } ?? [])
            if global.json { return try context.printJSON(["id": stored.event.id, "record": record.id]) }
            context.console.out(
                "Amended repair \(record.id.prefix(12)): \(changes.keys.sorted().joined(separator: ", ")).")
        }
    }
}

/// A repair that sets the condition overrides the condition's current heads, as a loan does the site.
func conditionBasis(_ session: FieldSession, tag: String, values: [String: JSONValue]) throws -> [String] {
    guard values["conditionAfter"] != nil else { return [] }
    return try session.store.instrumentState(tag: tag)?.heads["condition"] ?? []
}

extension Optional {
    /// The value, or a usage error naming `flag`.
    func orUsage(_ flag: String) throws -> Wrapped {
        guard let value = self else { throw CLIFailure.usage("\(flag) is not a valid number", hint: nil) }
        return value
    }
}

import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit training record|list|show|amend`.
struct TrainingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training", abstract: "Record training sessions from a checklist; a sign-off is a competency.",
        subcommands: [Record.self, List.self, Show.self, Amend.self])

    struct Record: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record a training session.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The checklist id.")
        var checklist: String?

        @Option(help: "The trainer's name.")
        var trainer: String?

        @Option(help: "A trainee's name (repeat for each).")
        var trainee: [String] = []

        @Option(help: "An item done (repeat).")
        var done: [String] = []

        @Option(name: .customLong("not-applicable"), help: "An item that does not apply (repeat).")
        var notApplicable: [String] = []

        @Flag(name: .customLong("all-done"), help: "Every item of the checklist was done.")
        var allDone = false

        @Flag(
            name: .customLong("signed-off"), help: "Trainer and trainees signed off: each trainee holds the competency."
        )
        var signedOff = false

        @Option(help: "The site (default: the current site).")
        var site: String?

        @Option(help: "The record's local date (default: today).")
        var date: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let checklistIDs = try session.library.checklists().map(\.id)
            let id = try session.required(checklist, flag: "--checklist", prompt: "Checklist", choices: checklistIDs)
            let checklist = try session.library.checklist(id.lowercased())
            let trainer = try session.person(
                named: try session.required(trainer, flag: "--trainer", prompt: "Trainer's name"))
            var names = trainee
            if names.isEmpty {
                names = [try session.required(nil, flag: "--trainee", prompt: "Trainee's name")]
            }
            // One person per name, even when a name is given twice or is also the trainer's.
            var byName: [String: Person] = [(trainer.name ?? ""): trainer]
            var trainees: [Person] = []
            for name in names {
                let person = try byName[name] ?? session.person(named: name)
                byName[person.name ?? name] = person
                if !trainees.contains(person) { trainees.append(person) }
            }
            let items = checklist.groups.flatMap(\.items).map(\.id)
            for item in done + notApplicable where !items.contains(item) {
                throw BundleFailure.notFound(
                    what: "item of checklist \(checklist.id)", id: item, suggestions: Suggest.nearest(item, in: items))
            }
            let doneItems = allDone ? items.filter { !notApplicable.contains($0) } : done
            let site = try session.site(self.site)
            let date = try session.date(self.date)
            let stored = try session.store.record(
                EventDraft(
                    type: EventType.trainingRecorded,
                    payload: .object([
                        "checklist": .string(checklist.id), "trainer": .string(trainer.id),
                        "trainees": .array(trainees.map { .string($0.id) }),
                        "done": .array(Array(Set(doneItems)).sorted().map { .string($0) }),
                        "notApplicable": .array(Array(Set(notApplicable)).sorted().map { .string($0) }),
                        "signedOff": .bool(signedOff),
                    ]),
                    site: site, date: date, bundle: try session.bundleHash()),
                environment: context.environment, people: [trainer] + trainees.filter { $0 != trainer })
            if global.json {
                return try context.printJSON(["id": stored.event.id, "checklist": checklist.id, "site": site])
            }
            context.console.out(
                "Recorded training \(stored.event.id.prefix(12)) (\(checklist.id)) for \(trainees.count) trainee(s): "
                    + "\(doneItems.count) of \(items.count) items done\(signedOff ? ", signed off" : "").")
        }
    }

    struct List: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List training sessions, newest first.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only at this site.")
        var site: String?

        @Option(help: "Only on or after this date.")
        var since: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let records = try session.store.records(
                kind: "training", site: try site.map { try SiteCode.parse($0) },
                since: try since.map { try EventTime.parseDate($0) })
            try RecordPrinter(context: context, json: global.json).list(records)
        }
    }

    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a training session as amended, with its history.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The training's id (or its first 12 characters).")
        var id: String

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            try RecordPrinter(context: context, json: global.json).show(
                try RecordPrinter.find(id, kind: "training", in: session.store), store: session.store,
                folder: session.folder)
        }
    }

    struct Amend: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend", abstract: "Correct a training record; the original stays.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The training's id (or its first 12 characters).")
        var id: String

        @Option(help: "Replace the items done (repeat).")
        var done: [String] = []

        @Flag(name: .customLong("signed-off"), help: "Record the sign-off.")
        var signedOff = false

        @Option(help: "Correct the local date.")
        var date: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let record = try RecordPrinter.find(id, kind: "training", in: session.store)
            var changes: [String: JSONValue] = [:]
            if !done.isEmpty {
                let checklist = try session.library.checklist(record.values["checklist"]?.stringValue ?? "")
                let items = checklist.groups.flatMap(\.items).map(\.id)
                for item in done where !items.contains(item) {
                    throw BundleFailure.notFound(
                        what: "item of checklist \(checklist.id)", id: item,
                        suggestions: Suggest.nearest(item, in: items))
                }
                changes["done"] = .array(Array(Set(done)).sorted().map { .string($0) })
            }
            if signedOff { changes["signedOff"] = .bool(true) }
            if let date = try session.date(date) { changes["date"] = .string(date) }
            guard !changes.isEmpty else {
                throw CLIFailure.usage("nothing to amend", hint: "pass --done, --signed-off or --date")
            }
            let stored = try session.store.record(
                EventDraft(
                    type: EventType.trainingAmended,
                    payload: .object(["record": .string(record.id), "changes": .object(changes)]),
                    site: record.site, basis: [record.id], bundle: try session.bundleHash()),
                environment: context.environment)
            if global.json { return try context.printJSON(["id": stored.event.id, "record": record.id]) }
            context.console.out(
                "Amended training \(record.id.prefix(12)): \(changes.keys.sorted().joined(separator: ", ")).")
        }
    }
}

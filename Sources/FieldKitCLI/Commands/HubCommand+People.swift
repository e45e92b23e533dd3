import ArgumentParser
import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

extension HubCommand {
    /// `fieldkit hub person find|export|erase`: requests under the GDPR (Sync/SPEC.md §16.3).
    struct PersonCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "person",
            abstract: "Find a person, export everything held about them, or erase their name.",
            subcommands: [Find.self, Export.self, Erase.self])
    }
}

extension HubCommand.PersonCommand {
    /// `fieldkit hub person find TEXT`.
    struct Find: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "List the persons whose name contains TEXT (case and accents ignored), with their ids.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Part of the name, or the start of an id.")
        var text: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let matches = try store.findPeople(text)
            if global.json { return try context.printJSON(matches) }
            if matches.isEmpty { context.console.out("No person matches \"\(text)\".") }
            for match in matches {
                context.console.out(
                    "\(match.id)  \(match.erased ? "(erased)" : match.name ?? "(no name)")  \(match.events) event(s)")
            }
        }
    }

    /// `fieldkit hub person export ID [--out DIR]`.
    struct Export: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write everything headquarters holds about a person as JSON and CSV (an access request).",
            discussion: "Writes person-ID.json (the whole record) and person-ID.csv (one row per event) into DIR.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The person's id (see 'fieldkit hub person find NAME').")
        var id: String

        @Option(help: "The folder to write into.")
        var out = "."

        /// `person-ID.json`.
        struct Document: Encodable {
            var format = 1
            var exported: String
            var person: PersonFields
            var technicianOf: [String]
            var competencies: [[String: String]]
            /// Each event that names the person, whole, with the role the person has in it.
            var events: [NamedEvent]
        }

        struct PersonFields: Encodable {
            var id: String
            var name: String?
            var erased: Bool
        }

        struct NamedEvent: Encodable {
            var role: String
            var event: JSONValue
        }

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let record = try store.personRecord(id)
            let events = try record.events.map { stored in
                NamedEvent(
                    role: stored.event.author == record.id ? "author" : "named",
                    event: try JSONDecoder().decode(JSONValue.self, from: stored.bytes))
            }
            let document = Document(
                exported: EventTime.wallString(context.environment.now()),
                person: PersonFields(id: record.id, name: record.name, erased: record.erased),
                technicianOf: record.technicianOf,
                competencies: record.competencies.map { ["checklist": $0.checklist, "event": $0.event] },
                events: events)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let json = try encoder.encode(document)
            var csv = "device,seq,event,type,date,site,role,payload\r\n"
            for (stored, named) in zip(record.events, events) {
                let event = stored.event
                let payload = String(decoding: try SignedFile.canonicalJSON(event.payload), as: UTF8.self)
                csv +=
                    [
                        event.device, String(event.seq), event.id, event.type, event.date, event.site ?? "", named.role,
                        payload,
                    ].map(Export.csvField).joined(separator: ",") + "\r\n"
            }
            try FileLayer.makeFolder(out)
            let base = out + "/person-" + Export.safeName(record.id)
            try FileLayer.writeAtomically(json, to: base + ".json", mode: 0o600)
            try FileLayer.writeAtomically(Data(csv.utf8), to: base + ".csv", mode: 0o600)
            if global.json {
                return try context.printJSON([
                    "json": base + ".json", "csv": base + ".csv", "events": String(record.events.count),
                ])
            }
            context.console.out(
                "Wrote \(base).json and \(base).csv: \(record.events.count) event(s) naming \(record.id)"
                    + (record.erased ? " (name erased)." : "."))
            context.console.out("They hold personal data: hand them to the person only, then delete them.")
        }

        /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
        static func csvField(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Letters, digits and `-` only: an id becomes a file name, never a path.
        static func safeName(_ id: String) -> String {
            String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
        }
    }

    /// `fieldkit hub person erase ID --yes`.
    struct Erase: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase",
            abstract: "Erase a person's name at headquarters; devices erase it when they apply their next receipt.",
            discussion: """
                Events keep the person's id, so no hash or chain changes; reports and records show "erased". \
                The name never comes back, not even from old archives imported again.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The person's id (see 'fieldkit hub person find NAME').")
        var id: String

        @Flag(help: "Erase without asking (erasing cannot be undone).")
        var yes = false

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let record = try store.personRecord(id)
            if !yes, !record.erased {
                guard context.console.isInteractive else {
                    throw CLIFailure.usage(
                        "erasing \(id) cannot be undone: pass --yes to confirm",
                        hint: "check the id with 'hub person find'")
                }
                context.console.err("Erase the name \"\(record.name ?? "")\" of \(id) for good? [y/N] ")
                guard
                    ["y", "yes", "j", "ja"].contains(
                        readLine()?.lowercased().trimmingCharacters(in: .whitespaces) ?? "")
                else { throw CLIFailure.refused("nothing was erased", hint: nil, status: .usage) }
            }
            let erased = try store.erasePerson(id)
            if global.json {
                return try context.printJSON(["person": id, "outcome": erased ? "erased" : "already erased"])
            }
            context.console.out(
                erased
                    ? "Erased the name of \(id). \(record.events.count) event(s) keep the id; devices erase the name with their next receipt."
                    : "\(id) was erased already.")
        }
    }
}

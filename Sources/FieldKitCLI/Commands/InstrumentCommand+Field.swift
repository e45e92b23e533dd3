import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import Foundation

extension InstrumentCommand {
    /// `fieldkit instrument register`: a donated or unknown instrument under a provisional tag.
    struct Register: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Register an instrument the depot does not know, under a provisional tag.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The instrument type (violin, trumpet …).")
        var type: String?

        @Option(help: "Its size (4/4, 3/4 …).")
        var size: String?

        @Option(help: "Its maker.")
        var maker: String?

        @Option(help: "Its serial number.")
        var serial: String?

        @Option(help: "good, fair, poor or unplayable.")
        var condition: String?

        @Option(help: "The site it is at (default: the current site).")
        var site: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let types = try session.library.instrumentTypes()
            let typed = try session.required(type, flag: "--type", prompt: "Instrument type", choices: types.map(\.id))
            guard
                let kind = types.first(where: {
                    $0.id == typed.lowercased() || $0.name.values.contains { $0.lowercased() == typed.lowercased() }
                })
            else {
                throw BundleFailure.notFound(
                    what: "instrument type", id: typed, suggestions: Suggest.nearest(typed, in: types.map(\.id)))
            }
            let site = try session.site(self.site)
            let device = try session.store.device().id
            let tag = "P-\(device.prefix(8).uppercased())-\(context.environment.makeID().prefix(6).uppercased())"
            var payload: [String: JSONValue] = ["tag": .string(tag), "type": .string(kind.id), "site": .string(site)]
            for (key, value) in [("size", size), ("maker", maker), ("serial", serial)] {
                if let value { payload[key] = .string(try Text.normalised(value, field: "--\(key)")) }
            }
            if let condition {
                guard RepairCommand.conditions.contains(condition.lowercased()) else {
                    throw CLIFailure.usage(
                        "--condition must be one of \(RepairCommand.conditions.joined(separator: ", "))", hint: nil)
                }
                payload["condition"] = .string(condition.lowercased())
            }
            let stored = try session.store.record(
                EventDraft(
                    type: EventType.instrumentRegistered, payload: .object(payload), site: site,
                    bundle: try session.bundleHash()),
                environment: context.environment, tags: [tag])
            if global.json {
                return try context.printJSON(["id": stored.event.id, "tag": tag, "type": kind.id, "site": site])
            }
            context.console.out(
                "Registered \(kind.id) under provisional tag \(tag) at \(site); headquarters will confirm it.")
        }
    }

    /// `fieldkit instrument history TAG`.
    struct History: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "Every event that touched an instrument, in order.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The instrument's tag.")
        var tag: String

        struct Entry: Codable {
            var id: String
            var type: String
            var date: String
            var site: String?
            var author: String?
            var device: String
            var payload: JSONValue
        }

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let tag = try session.tag(self.tag)
            let events = try session.store.history(tag: tag)
            let entries = events.map {
                Entry(
                    id: $0.id, type: $0.type, date: $0.date, site: $0.site, author: $0.author, device: $0.device,
                    payload: $0.payload)
            }
            if global.json { return try context.printJSON(entries) }
            if entries.isEmpty { context.console.out("\(tag): nothing recorded since the snapshot.") }
            for entry in entries {
                // An erased person keeps the row without a name (Sync/SPEC.md §16.3).
                let who =
                    try entry.author.map { author in
                        try session.store.person(author).map { $0.name ?? "erased" } ?? author
                    }
                    ?? "-"
                context.console.out(
                    "\(entry.date)  \(entry.type.padding(toLength: 22, withPad: " ", startingAt: 0)) \(entry.site ?? "-")  \(who)  "
                        + RecordPrinter.describe(entry.payload))
            }
        }
    }
}

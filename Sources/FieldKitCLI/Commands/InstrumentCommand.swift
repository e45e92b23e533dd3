import ArgumentParser
import FieldKitBundles
import FieldKitCore
import Foundation

/// `fieldkit instrument show|find`.
struct InstrumentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instrument", abstract: "Look up depot instruments by tag or by what you know of them.",
        subcommands: [Show.self, Find.self, Register.self, History.self])

    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one instrument; the tag is forgiving (lo vn 4123 finds LO-VN-004123).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The instrument's tag, typed or scanned.")
        var tag: String

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let library = session.library
            let typedTag = Tag.normalised(tag)
            guard let state = try session.store.instrumentState(tag: typedTag) else {
                _ = try library.instrument(tag)  // not found: throws with suggestions
                return
            }
            if global.json { return try context.printJSON(state) }
            let item = state
            let types = try library.instrumentTypes()
            let names = types.first { $0.id == item.type }?.name ?? [:]
            let out = context.console.out
            out(
                "\(item.tag)  \(names["en"] ?? item.type) / \(names["nl"] ?? item.type)\(item.size.map { " \($0)" } ?? "")"
            )
            out("Maker:        \(item.maker ?? "-"), \(item.model ?? "-"), serial \(item.serial ?? "-")")
            if item.provisional { out("Tag:          provisional (registered in the field; headquarters confirms it)") }
            if let aliases = item.aliases, !aliases.isEmpty {
                out(
                    "Also known as: \(aliases.joined(separator: ", ")) (provisional tag, confirmed or mapped by headquarters)"
                )
            }
            for (attribute, values) in item.conflicts.sorted(by: { $0.key < $1.key }) {
                out("Conflict:     \(attribute) is \(values.joined(separator: " or ")); headquarters will decide")
            }
            out("Site:         \(item.site)")
            out("Status:       \(item.status)")
            out("Condition:    \(item.condition)")
            out("Last service: \(item.lastService ?? "unknown")")
        }
    }

    struct Find: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "Find instruments by tag, type (English or Dutch), maker, model or serial.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "What you know: 'cello 3/4', 'Yamaha', 'LO-TP-0001', a serial …")
        var query: [String]

        @Option(help: "At most this many results.")
        var limit = 50

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let items = try session.library.findInstruments(
                query.joined(separator: " "), limit: max(1, min(limit, 1000)))
            if global.json { return try context.printJSON(items) }
            if items.isEmpty { context.console.err("no instrument matches \"\(query.joined(separator: " "))\"") }
            for item in items {
                context.console.out(
                    "\(item.tag)  \(item.type)\(item.size.map { " \($0)" } ?? "")  \(item.maker ?? "-")  \(item.serial ?? "-")  "
                        + "\(item.site)  \(item.status)")
            }
        }
    }
}

import ArgumentParser
import FieldKitBundles
import FieldKitCore
import Foundation

/// `fieldkit checklist list|show`.
struct ChecklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checklist", abstract: "Read the training checklists.", subcommands: [List.self, Show.self])

    struct Entry: Codable, Equatable {
        var id: String
        var title: String
        var language: String
        var items: Int
    }

    struct List: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the training checklists.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Language: nl, en or pap.")
        var lang: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let language = try LanguageChoice.resolve(lang, variables: context.environment.variables)
            let entries = try session.library.checklists().map { checklist in
                let shown = Language.pick(language, from: checklist.title.keys) ?? "en"
                return Entry(
                    id: checklist.id, title: checklist.title[shown] ?? checklist.id, language: shown,
                    items: checklist.groups.flatMap(\.items).count)
            }
            if global.json { return try context.printJSON(entries) }
            for entry in entries {
                context.console.out(
                    "\(entry.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(entry.title) (\(entry.items) items)"
                )
            }
        }
    }

    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one checklist with every item.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The checklist id.")
        var id: String

        @Option(help: "Language: nl, en or pap.")
        var lang: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let language = try LanguageChoice.resolve(lang, variables: context.environment.variables)
            let checklist = try session.library.checklist(id.lowercased())
            if global.json { return try context.printJSON(checklist) }
            func text(_ value: Localized) -> String {
                Language.pick(language, from: value.keys).flatMap { value[$0] } ?? ""
            }
            let shown = Language.pick(language, from: checklist.title.keys) ?? "en"
            if let note = LanguageChoice.note(requested: language, shown: shown) { context.console.err(note) }
            context.console.out(text(checklist.title))
            context.console.out(text(checklist.competency))
            for group in checklist.groups {
                context.console.out("")
                context.console.out(text(group.title))
                for item in group.items {
                    context.console.out("  [ ] \(item.id): \(text(item.text))")
                    context.console.out("      ✓ \(text(item.good))")
                }
            }
        }
    }
}

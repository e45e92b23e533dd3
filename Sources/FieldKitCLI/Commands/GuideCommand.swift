import ArgumentParser
import FieldKitBundles
import FieldKitCore
import Foundation

/// `fieldkit guide list|show|search`.
struct GuideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guide", abstract: "Read the maintenance guides offline.",
        subcommands: [List.self, Show.self, Search.self])

    /// A guide in a list (`--json` shape).
    struct Entry: Codable, Equatable {
        var id: String
        var title: String
        var language: String
        var family: String
        var instruments: [String]
        var difficulty: Int
        var minutes: Int
    }

    struct List: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the guides.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only guides for this instrument type or family (violin, brass …).")
        var instrument: String?

        @Option(help: "Language: nl, en or pap (default: $FIELDKIT_LANG, else from the locale).")
        var lang: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let language = try LanguageChoice.resolve(lang, variables: context.environment.variables)
            let guides = try session.library.guides(instrument: instrument?.lowercased())
            let entries = guides.compactMap { guide -> Entry? in
                guard let shown = Language.pick(language, from: guide.texts.keys), let text = guide.texts[shown] else {
                    return nil
                }
                return Entry(
                    id: guide.id, title: text.title, language: shown, family: guide.family,
                    instruments: guide.instruments, difficulty: guide.difficulty, minutes: guide.minutes)
            }
            if global.json { return try context.printJSON(entries) }
            for entry in entries {
                let marker = entry.language == language ? "" : " [\(entry.language)]"
                context.console.out(
                    "\(entry.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(entry.title)\(marker)")
            }
            let fallbacks = entries.filter { $0.language != language }.count
            if fallbacks > 0 {
                context.console.err(
                    "note: \(fallbacks) guide(s) have no \(LanguageChoice.name(language)) text and are shown in another language"
                )
            }
            if entries.isEmpty { context.console.err("no guides match") }
        }
    }

    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one guide, step by step.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The guide id (from 'fieldkit guide list').")
        var id: String

        @Option(help: "Language: nl, en or pap.")
        var lang: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let language = try LanguageChoice.resolve(lang, variables: context.environment.variables)
            let library = session.library
            let guide = try library.guide(id.lowercased())
            guard let shown = Language.pick(language, from: guide.texts.keys), let text = guide.texts[shown] else {
                throw BundleFailure.content("guide \(guide.id) has no text")
            }
            if let note = LanguageChoice.note(requested: language, shown: shown) { context.console.err(note) }
            if global.json {
                struct Shown: Codable {
                    var id: String
                    var language: String
                    var guide: Guide
                    var text: GuideText
                    /// The guide's parts by name, in the language shown.
                    var partNames: [PartName]
                }
                struct PartName: Codable {
                    var id: String
                    var name: String
                }
                let parts = try library.parts()
                let names = guide.parts.map { id in
                    PartName(
                        id: id,
                        name: parts.first { $0.id == id }.flatMap { part in
                            Language.pick(shown, from: part.name.keys).flatMap { part.name[$0] }
                        } ?? id)
                }
                return try context.printJSON(
                    Shown(id: guide.id, language: shown, guide: guide, text: text, partNames: names))
            }
            let parts = try library.parts()
            GuideRenderer(guide: guide, text: text, language: shown, parts: parts).lines().forEach(context.console.out)
        }
    }

    struct Search: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "search", abstract: "Search the guides (ranked, with snippets).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Words to search for; each matches as a prefix (ventiel finds ventielen).")
        var words: [String]

        @Option(help: "Language: nl, en or pap.")
        var lang: String?

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let language = try LanguageChoice.resolve(lang, variables: context.environment.variables)
            let hits = try session.store.searchGuides(
                words.joined(separator: " "), languages: Language.fallback(for: language))
            if global.json { return try context.printJSON(hits) }
            if hits.isEmpty { context.console.err("no guide matches \"\(words.joined(separator: " "))\"") }
            for hit in hits {
                context.console.out("\(hit.id)  \(hit.title)\(hit.language == language ? "" : " [\(hit.language)]")")
                context.console.out("    \(hit.snippet.replacingOccurrences(of: "\n", with: " "))")
            }
        }
    }
}

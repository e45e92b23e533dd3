import ArgumentParser
import FieldKitCore
import Foundation

/// `fieldkit site use|list`.
struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Choose the site you are working at, or list the sites.",
        subcommands: [Use.self, List.self])

    struct Use: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "use", abstract: "Set the current site; new records go to it.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The site code, e.g. AMS-ZO-01 or CUR-02.")
        var site: String

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let code = try session.site(site)
            try session.store.setCurrentSite(code)
            let name = try session.store.sites().first { $0.code == code }?.name ?? code
            if global.json { return try context.printJSON(["site": code, "name": name]) }
            context.console.out("Now working at \(code): \(name).")
        }
    }

    struct List: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the sites of the bundle in force.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only sites in this province or island.")
        var region: String?

        struct Entry: Codable {
            var code: String
            var name: String
            var region: String
            var kind: String
            var current: Bool
        }

        func run(in context: CommandContext) throws {
            let session = try FieldSession(global, context: context)
            let current = try session.store.device().currentSite
            let entries = try session.store.sites()
                .filter { region == nil || $0.region.lowercased() == region?.lowercased() }
                .map {
                    Entry(code: $0.code, name: $0.name, region: $0.region, kind: $0.kind, current: $0.code == current)
                }
            if global.json { return try context.printJSON(entries) }
            for entry in entries {
                context.console.out(
                    "\(entry.current ? "*" : " ") \(entry.code.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                        + "\(entry.region.padding(toLength: 15, withPad: " ", startingAt: 0)) \(entry.name)")
            }
        }
    }
}

import ArgumentParser
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit conflicts`: the conflicts this laptop knows (headquarters decides them).
struct ConflictsCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List instruments whose site, status or condition was changed in two places at once.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) throws {
        let (store, lock, _) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        let conflicts = try store.openConflicts()
        if global.json { return try context.printJSON(conflicts) }
        ConflictsCommand.print(conflicts, out: context.console.out)
        if !conflicts.isEmpty {
            context.console.out(
                "Headquarters decides; the decision arrives with a receipt. Until then the value shown is provisional.")
        }
    }

    /// The human listing shared by `conflicts` and `hub conflicts`.
    static func print(_ conflicts: [OpenConflict], out: (String) -> Void) {
        if conflicts.isEmpty { return out("No open conflicts.") }
        for conflict in conflicts {
            out("\(conflict.id): \(conflict.attribute) is \(conflict.provisional) for now (provisional)")
            for side in conflict.sides {
                out(
                    "  \(side.event.prefix(12))  \(side.value)  — \(side.type) on \(side.date) at \(side.site ?? "no site") "
                        + "by device \(side.device) seq \(side.seq)" + (side.authorName.map { " (\($0))" } ?? ""))
            }
        }
    }
}

extension HubCommand {
    /// `fieldkit hub conflicts [resolve ID --keep EVENT]`.
    struct Conflicts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conflicts",
            abstract: "List open conflicts at headquarters, or resolve one.",
            subcommands: [List.self, Resolve.self], defaultSubcommand: List.self)

        struct List: ParsableCommand, ContextCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List every open conflict with all its sides and the provisional value.")

            @OptionGroup var global: GlobalOptions

            func run(in context: CommandContext) throws {
                let (store, lock, _) = try HubCommand.openHub(global, context)
                defer { withExtendedLifetime(lock) {} }
                let conflicts = try store.openConflicts()
                if global.json { return try context.printJSON(conflicts) }
                ConflictsCommand.print(conflicts, out: context.console.out)
                if !conflicts.isEmpty {
                    context.console.out("Decide one with 'fieldkit hub conflicts resolve ID --keep EVENT'.")
                }
            }
        }

        struct Resolve: ParsableCommand, ContextCommand {
            static let configuration = CommandConfiguration(
                commandName: "resolve",
                abstract: "Keep one side of a conflict; the decision reaches the devices with their next receipts.")

            @OptionGroup var global: GlobalOptions

            @Argument(help: "The conflict, as listed: TAG/ATTRIBUTE.")
            var id: String

            @Option(help: "The event id (or its first characters) of the side to keep.")
            var keep: String

            func run(in context: CommandContext) throws {
                let (store, lock, _) = try HubCommand.openHub(global, context)
                defer { withExtendedLifetime(lock) {} }
                let stored = try store.resolveConflict(
                    id, keep: keep, author: nil, environment: context.environment)
                if global.json {
                    return try context.printJSON(["event": stored.event.id, "conflict": id])
                }
                let value = stored.event.payload["value"]?.stringValue ?? ""
                context.console.out(
                    "Resolved \(id): \(value) (event \(stored.event.id.prefix(12))). It goes to the devices with their next receipts."
                )
            }
        }
    }
}

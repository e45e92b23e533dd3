import ArgumentParser
import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit loan out|return|move`: an instrument changes hands. A swap at the depot is a return plus a loan.
struct LoanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loan", abstract: "Lend instruments out, take them back, move them between sites.",
        subcommands: [Out.self, Return.self, Move.self])

    /// Records a loan event whose basis is every current head of the attributes it sets.
    static func record(
        _ type: String, tag typed: String, to site: String?, global: GlobalOptions, context: CommandContext
    ) throws {
        let session = try FieldSession(global, context: context)
        let tag = try session.tag(typed)
        let destination = try site.map { try session.site($0) }
        guard let state = try session.store.instrumentState(tag: tag) else {
            throw CLIFailure.internalError("no state for \(tag)")
        }
        if state.status == "retired" {
            throw CLIFailure.refused(
                "\(tag) is retired and cannot be lent or moved", hint: "ask headquarters if this is a mistake",
                status: .dataError)
        }
        var payload: [String: JSONValue] = ["tag": .string(tag), "from": .string(state.site)]
        if let destination { payload["to"] = .string(destination) }
        var probe = Event(
            id: "", device: "", seq: 0, hlc: .zero, wall: "", offsetMinutes: 0, date: "", site: nil, author: nil,
            bundle: nil, type: type, payload: .object(payload), prev: nil)
        let attributes = InstrumentFold.assignments(probe).keys
        let basis = Set(attributes.flatMap { state.heads[$0] ?? [] }).sorted()
        probe.basis = basis
        let stored = try session.store.record(
            EventDraft(
                type: type, payload: .object(payload), site: destination ?? (try session.site(nil)), basis: basis,
                bundle: try session.bundleHash()),
            environment: context.environment, tags: [tag])
        let after = try session.store.instrumentState(tag: tag)
        if global.json {
            return try context.printJSON([
                "id": stored.event.id, "tag": tag, "site": after?.site ?? "", "status": after?.status ?? "",
            ])
        }
        context.console.out("\(tag): \(state.site) → \(after?.site ?? "?") (\(after?.status ?? "?")).")
        if let conflicts = after?.conflicts, !conflicts.isEmpty {
            context.console.err("warning: \(tag) has conflicting changes: headquarters will decide")
        }
    }

    struct Out: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(commandName: "out", abstract: "Lend an instrument to a site.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The instrument's tag.") var tag: String
        @Option(help: "The site it goes to.") var to: String

        func run(in context: CommandContext) throws {
            try LoanCommand.record(EventType.loanOut, tag: tag, to: to, global: global, context: context)
        }
    }

    struct Return: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "return", abstract: "Take an instrument back to the depot.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The instrument's tag.") var tag: String

        func run(in context: CommandContext) throws {
            try LoanCommand.record(EventType.loanReturned, tag: tag, to: "DEPOT", global: global, context: context)
        }
    }

    struct Move: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "move", abstract: "Move an instrument from one site to another.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The instrument's tag.") var tag: String
        @Option(help: "The site it goes to.") var to: String

        func run(in context: CommandContext) throws {
            try LoanCommand.record(EventType.loanMoved, tag: tag, to: to, global: global, context: context)
        }
    }
}

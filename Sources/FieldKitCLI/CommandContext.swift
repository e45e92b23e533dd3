import FieldKitCore
import Foundation

/// Everything a command needs from outside: the environment and the console.
public struct CommandContext: Sendable {
    /// Clock, ids, variables.
    public var environment: FieldKitEnvironment
    /// Where output goes.
    public var console: any Console

    /// Makes a context.
    public init(environment: FieldKitEnvironment, console: any Console) {
        self.environment = environment
        self.console = console
    }

    /// The real process.
    public static var live: CommandContext { CommandContext(environment: .live, console: LiveConsole()) }

    /// Writes `value` to stdout as one pretty, sorted JSON document.
    func printJSON(_ value: some Encodable) throws(CLIFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            console.out(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw .internalError("the JSON output could not be encoded")
        }
    }
}

/// A command that runs against an injected context, so tests can run it in-process.
protocol ContextCommand {
    func run(in context: CommandContext) throws
}

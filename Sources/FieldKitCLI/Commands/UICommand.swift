import ArgumentParser
import FieldKitCore
import FieldKitServer
import Foundation
import Logging

/// `fieldkit ui`: the toolkit in the laptop's browser, served on loopback by this process.
struct UICommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the toolkit in the browser: guides, instruments, repairs, trainings, audits and sync, offline.",
        discussion: """
            Serves this laptop's own browser only (127.0.0.1) and prints the address to open, with a key that \
            changes at every start; only a browser that opened that address can use it. Every form runs the \
            same command as the CLI. Stops cleanly on Ctrl-C.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Where to listen (127.0.0.1:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:0"

    @Flag(help: "Open the default browser at the address.")
    var open = false

    func run(in context: CommandContext) throws {
        let folder = UICommand.absolute(try global.dataFolder(context))
        // Opened once here, so a folder that is not set up is refused before anything listens;
        // its lock is let go at once (each page's commands take it in turn).
        _ = try global.openStore(context)
        let address = try ListenAddress(parsing: listen)
        let token = UICommand.key(context.environment)
        // The browser --open starts gets a one-time code in its arguments, never the key.
        let launch = open ? UICommand.key(context.environment) : nil
        let configuration = TechnicianUI.Configuration(
            listen: address, token: token, dataFolder: folder,
            defaultLanguage: try LanguageChoice.resolve(nil, variables: context.environment.variables),
            launchCode: launch)
        let console = context.console
        // Refusals are told on the page; what goes wrong inside is told on stderr.
        let logger = Logger(
            label: "fieldkit.ui",
            factory: { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
            })
        let ui = try TechnicianUI(
            commands: InProcessCommands(folder: folder, environment: context.environment),
            configuration: configuration, logger: logger,
            onListening: { host, port in
                let address = "http://\(ListenAddress(host: host, port: port))/"
                console.out("fieldkit ui: open \(address)?token=\(token)")
                console.err("Only this laptop's browser can reach it; Ctrl-C stops it.")
                if let launch { UICommand.openBrowser(address + "?launch=" + launch, console: console) }
            })
        try waitFor { try await ui.run() }
        console.err("fieldkit ui: stopped")
    }

    /// A fresh 64-hex-digit key from the environment's randomness.
    static func key(_ environment: FieldKitEnvironment) -> String {
        (environment.makeID() + environment.makeID()).filter(\.isHexDigit).lowercased()
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Asks the desktop to open `url`; a laptop without one gets the address to type instead.
    static func openBrowser(_ url: String, console: any Console) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xdg-open", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let warning = "warning: no browser could be opened (xdg-open); open the address above by hand"
        process.terminationHandler = { ended in
            if ended.terminationStatus != 0 { console.err(warning) }
        }
        do {
            try process.run()
        } catch {
            console.err(warning)
        }
    }
}

/// Runs the interface's commands in this process, one at a time on a queue of their own (each
/// takes the data folder's lock, and a blocking command must not hold up the server's threads).
final class InProcessCommands: UICommandRunner {
    let folder: String
    let environment: FieldKitEnvironment
    private let queue = DispatchQueue(label: "fieldkit.ui.commands")

    init(folder: String, environment: FieldKitEnvironment) {
        self.folder = folder
        self.environment = environment
    }

    func run(_ line: UICommandLine) async -> UICommandResult {
        let arguments = line.path + line.options + ["--json", "--data-dir=\(folder)", "--"] + line.positionals
        let environment = environment
        return await withCheckedContinuation { continuation in
            queue.async {
                let console = RecordingConsole()
                let status = FieldKitCommand.run(
                    arguments: arguments, context: CommandContext(environment: environment, console: console))
                continuation.resume(
                    returning: UICommandResult(status: status, output: console.output, errors: console.errors))
            }
        }
    }
}

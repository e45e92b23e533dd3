import FieldKitCore
import FieldKitServer
import Foundation
import Logging
import Synchronization

/// The machinery of `fieldkit tour`: runs real commands in this process inside the scratch
/// folder, prints each one with what it said, and keeps a summary for `--json`.
final class TourRunner {
    /// How much of a command's output the tour shows.
    enum Shown {
        /// Every line.
        case all
        /// The first lines, then how many were left out.
        case first(Int)
        /// The first lines of each block (blocks are separated by empty lines).
        case perBlock(Int)
        /// Nothing, not even the command: a lookup the tour makes for itself.
        case hidden

        var isHidden: Bool {
            if case .hidden = self { return true }
            return false
        }
    }

    /// One step of the tour, for `--json`.
    struct Step: Encodable {
        var number: Int
        var title: String
        var commands: [String] = []
    }

    /// What `--json` prints at the end.
    struct Summary: Encodable {
        var folder: String?
        var hub: String?
        var steps: [Step]
    }

    let context: CommandContext
    let quiet: Bool
    private(set) var steps: [Step] = []

    init(context: CommandContext, quiet: Bool) {
        self.context = context
        self.quiet = quiet
    }

    /// Starts step `title` and explains it in `words`.
    func step(_ title: String, _ words: String) {
        steps.append(Step(number: steps.count + 1, title: title))
        say("")
        say("\(steps.count). \(title)")
        say(String(repeating: "─", count: title.count + 4))
        for line in words.split(separator: "\n", omittingEmptySubsequences: false) { say(String(line)) }
    }

    /// A line of the tour's own words.
    func say(_ text: String) {
        if !quiet { context.console.out(text) }
    }

    /// Runs `fieldkit ARGUMENTS` in this process and returns what it printed on stdout; any exit
    /// status but 0 stops the tour with that command's own message.
    @discardableResult
    func run(_ arguments: [String], shown: Shown = .all) throws -> String {
        let console = RecordingConsole()
        let status = FieldKitCommand.run(
            arguments: arguments, context: CommandContext(environment: context.environment, console: console))
        let line = "fieldkit " + arguments.map(TourRunner.quoted).joined(separator: " ")
        if !shown.isHidden {
            if !steps.isEmpty { steps[steps.count - 1].commands.append(line) }
            say("")
            say("  $ " + line)
            for text in TourRunner.cut(console.output, shown) + TourRunner.cut(console.errors, .all) {
                say("    " + text)
            }
        }
        guard status == 0 else {
            throw CLIFailure.refused(
                "the tour stopped: '\(line)' exited with status \(status): \(console.errors)",
                hint: "this is a bug in the tour or in fieldkit; please report it with the output above",
                status: ExitStatus(rawValue: status) ?? .software)
        }
        return console.output
    }

    /// Runs `fieldkit ARGUMENTS --json` without showing it and decodes what it printed.
    func lookUp<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
        let output = try run(arguments + ["--json"], shown: .hidden)
        do {
            return try JSONDecoder().decode(T.self, from: Data(output.utf8))
        } catch {
            throw CLIFailure.internalError(
                "the tour could not read the JSON of 'fieldkit \(arguments.joined(separator: " "))'")
        }
    }

    /// The summary `--json` prints.
    func summary(folder: String?, hub: String?) -> Summary {
        Summary(folder: folder, hub: hub, steps: steps)
    }

    /// An argument as a shell would need it typed.
    static func quoted(_ argument: String) -> String {
        let plain = argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./:=@,+%".unicodeScalars.contains($0)
        }
        if plain, !argument.isEmpty { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The lines of `text` the tour shows.
    static func cut(_ text: String, _ shown: Shown) -> [String] {
        let lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch shown {
        case .all: return lines
        case .hidden: return []
        case .first(let count):
            guard lines.count > count else { return lines }
            return Array(lines.prefix(count)) + ["… (\(lines.count - count) more lines)"]
        case .perBlock(let count):
            var kept: [String] = []
            var inBlock = 0
            var left = 0
            for line in lines {
                if line.isEmpty {
                    if left > 0 { kept.append("  … (\(left) more)") }
                    kept.append(line)
                    inBlock = 0
                    left = 0
                } else if inBlock < count {
                    kept.append(line)
                    inBlock += 1
                } else {
                    left += 1
                }
            }
            if left > 0 { kept.append("  … (\(left) more)") }
            return kept
        }
    }
}

/// Headquarters' server, started inside the tour on a free loopback port.
struct TourHub {
    let url: String
    private let task: Task<Void, Never>
    private let finished: DispatchSemaphore

    /// Starts `hub serve` on headquarters' data folder `folder` (an absolute path: the tour
    /// changes directory when it ends) and waits until it listens. The server leaves SIGINT and
    /// SIGTERM alone: Ctrl-C stops the whole tour, not just its server.
    init(folder: String, context: CommandContext) throws {
        let (store, hubFolder) = try HubCommand.openForServing(
            try GlobalOptions.parse(["--data-dir", folder]), context)
        let listening = Mutex<String?>(nil)
        let server = try HubServer(
            folder: hubFolder, store: store, environment: context.environment,
            configuration: .init(
                listen: ListenAddress(host: "127.0.0.1", port: 0), version: FieldKitVersion.text,
                handlesSignals: false),
            logger: Logger(label: "fieldkit.tour", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { _, host, port in
                listening.withLock { $0 = "http://\(ListenAddress(host: host, port: port))" }
            })
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        task = Task {
            do { try await server.run() } catch { failure.withLock { $0 = String(describing: error) } }
            finished.signal()
        }
        self.finished = finished
        let deadline = Date().addingTimeInterval(30)
        var url: String?
        while url == nil, Date() < deadline, failure.withLock({ $0 }) == nil {
            Thread.sleep(forTimeInterval: 0.02)
            url = listening.withLock { $0 }
        }
        guard let url else {
            task.cancel()
            _ = finished.wait(timeout: .now() + 10)
            throw CLIFailure.refused(
                "the tour's hub server did not start: \(failure.withLock { $0 } ?? "no answer within 30 seconds")",
                hint: "the tour listens on 127.0.0.1 on a free port; check that loopback networking works",
                status: .unavailable)
        }
        self.url = url
    }

    /// Stops the server the way Ctrl-C would and waits for it; false when it had not stopped
    /// after 10 seconds.
    @discardableResult
    func stop() -> Bool {
        task.cancel()
        return finished.wait(timeout: .now() + 10) == .success
    }
}

import ArgumentParser
import FieldKitCore
import Foundation

/// The `fieldkit` command: the root of every subcommand.
public struct FieldKitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fieldkit",
        abstract: "The Leerorkest field toolkit: guides, repairs and trainings offline, synced by stick or upload.",
        version: FieldKitVersion.text,
        subcommands: [
            InitCommand.self, StatusCommand.self, DoctorCommand.self, KeyCommand.self, SignCommand.self,
            VerifyCommand.self, BackupCommand.self, RestoreCommand.self, TrustCommand.self, BundleCommand.self,
            GuideCommand.self, InstrumentCommand.self, ChecklistCommand.self, SiteCommand.self, RepairCommand.self,
            TrainingCommand.self, LoanCommand.self, AuditCommand.self, DueCommand.self, SyncCommand.self,
            EnrolCommand.self,
            HubCommand.self,
        ]
    )

    public init() {}

    /// Parses `arguments`, runs the command in `context` and returns the exit status; errors
    /// are rendered here and only here.
    public static func run(arguments: [String], context: CommandContext) -> Int32 {
        do {
            let command = try parseAsRoot(arguments)
            guard let runnable = command as? any ContextCommand else {
                var command = command
                try command.run()
                return 0
            }
            try runnable.run(in: context)
            return 0
        } catch let error as any FieldKitError {
            context.console.err("error: \(error.message)")
            if let hint = error.hint { context.console.err("hint: \(hint)") }
            return error.exitStatus.rawValue
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if code == .success {
                context.console.out(text)
            } else if !text.isEmpty {
                context.console.err(text)
            }
            // argument-parser uses 64 for usage errors already; anything else it reports keeps its code.
            return code.rawValue
        }
    }

    /// The process entry point.
    public static func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        Foundation.exit(run(arguments: arguments, context: .live))
    }
}

/// The build's version, shown by `--version`.
public enum FieldKitVersion {
    /// The toolkit's semantic version.
    public static let number = "0.1.0"
    /// What `fieldkit --version` prints.
    public static let text = "fieldkit \(number)"
}

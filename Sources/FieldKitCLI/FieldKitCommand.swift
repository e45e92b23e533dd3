import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitDefaultContent
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
            UpdateCommand.self, ConflictsCommand.self, HubCommand.self, UICommand.self, TourCommand.self,
            CompletionsCommand.self, FaultPointsCommand.self,
        ]
    )

    public init() {}

    /// Parses `arguments`, runs the command in `context` and returns the exit status; errors
    /// are rendered here and only here.
    public static func run(arguments: [String], context: CommandContext) -> Int32 {
        if arguments == ["--version"] {
            context.console.out(FieldKitVersion.describe())
            return 0
        }
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
    /// The first line of `fieldkit --version`.
    public static let text = "fieldkit \(number)"

    /// `fieldkit --version`: the toolkit's version and the versions of the bundle and trust
    /// statement it carries, read from their signatures (a field edition's payload trailer, else
    /// the compiled-in development content) — never by decoding the bundle.
    static func describe() -> String {
        let payload = ExecutablePayload.versions()
        let signature = payload?.signature ?? DefaultContent.signature
        let trustJSON = payload?.trustJSON ?? DefaultContent.trustJSON
        let bundle =
            (try? MinisignSignature(text: String(decoding: signature, as: UTF8.self)))
            .flatMap { try? SignedFile.parseStatement($0.trustedComment) }?["version"]?.intValue
        let trust = try? JSONDecoder().decode(TrustStatement.self, from: trustJSON)
        let edition = payload == nil ? "development content" : "field edition"
        return text + "\n"
            + "bundle \(bundle.map(String.init) ?? "unknown") (\(edition)), "
            + "trust statement \(trust.map { String($0.version) } ?? "unknown")"
            + (trust?.development == true ? " (development root)" : "")
    }
}

import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import Foundation

/// `fieldkit trust issue`: headquarters' root signs a trust statement.
struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust", abstract: "Issue trust statements (headquarters' root key only).",
        subcommands: [Issue.self])

    /// `fieldkit trust issue --root ROOT.key --signing SIGNING.pub … --version N --expires DATE --out DIR`.
    struct Issue: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Write trust.json and trust.json.minisig, signed by the root key, into DIR.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The root secret key (ROOT.key), kept offline.")
        var root: String

        @Option(help: "A signing public key the statement names (repeat for several).")
        var signing: [String]

        @Option(help: "Headquarters' sealing public key.")
        var sealing: String?

        @Option(help: "The statement's version; it only goes up.")
        var version: Int64

        @Option(help: "The last day it is valid (YYYY-MM-DD).")
        var expires: String

        @Option(help: "The folder to write trust.json into.")
        var out: String

        @Flag(help: "Label the statement as development (for the key compiled into builds).")
        var development = false

        func run(in context: CommandContext) throws {
            guard !signing.isEmpty else { throw CLIFailure.usage("name at least one --signing key", hint: nil) }
            guard version >= 1 else { throw CLIFailure.usage("--version must be 1 or more", hint: nil) }
            let expiry = try EventTime.parseDate(expires)
            let rootKey = try DeviceKeys.loadSigningKey(root)
            let keys = try signing.map { try DeviceKeys.loadPublicKey($0) }
            let sealingKey = try sealing.map { path in
                try SealingPublicKey(text: try FileLayer.readText(path, limit: 4096))
            }
            let now = context.environment.now()
            let statement = TrustStatement(
                version: version, issued: EventTime.localDate(now, offsetMinutes: 0), expires: expiry,
                root: rootKey.keyID, signing: keys, sealing: sealingKey, development: development)
            let (json, signature) = try statement.signed(by: rootKey)
            try FileLayer.makeFolder(out)
            try FileLayer.writeAtomically(json, to: out + "/" + TrustStatement.fileName)
            try FileLayer.writeAtomically(signature, to: out + "/" + TrustStatement.fileName + ".minisig")
            if global.json {
                try context.printJSON(statement)
            } else {
                context.console.out(
                    "Wrote \(out)/trust.json (version \(version), expires \(expiry)) signed by root \(rootKey.keyID).")
            }
        }
    }
}

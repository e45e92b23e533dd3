import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import Foundation

/// `fieldkit key show|generate`.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Show this device's public key, or make a stand-alone key pair.",
        subcommands: [Show.self, Generate.self])

    /// `fieldkit key show [--fingerprint]`.
    struct Show: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print this device's public key file.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print only the fingerprint people compare when enrolling.")
        var fingerprint = false

        func run(in context: CommandContext) throws {
            let folder = try global.dataFolder(context)
            let key = try DeviceKeys.publicKey(in: folder)
            if global.json {
                try context.printJSON([
                    "device": key.keyID.hex, "keyID": key.keyID.minisignHex, "fingerprint": key.fingerprint,
                    "publicKey": key.fileText(),
                ])
            } else if fingerprint {
                context.console.out(key.fingerprint)
            } else {
                context.console.out(key.fileText().trimmingCharacters(in: .newlines))
            }
        }
    }

    /// `fieldkit key generate --out NAME`.
    struct Generate: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a new signing key pair NAME.key (mode 600) and NAME.pub.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The path and base name of the pair; NAME.key and NAME.pub are written.")
        var out: String

        func run(in context: CommandContext) throws {
            let secretPath = out + ".key"
            let publicPath = out + ".pub"
            for path in [secretPath, publicPath] where FileLayer.exists(path) {
                throw CLIFailure.refused(
                    "\(path) already exists", hint: "choose another --out; fieldkit never overwrites a key",
                    status: .cantCreate)
            }
            let key = SigningSecretKey.generate()
            try FileLayer.writeAtomically(Data(key.fileText.utf8), to: secretPath, mode: 0o600)
            try FileLayer.writeAtomically(Data(key.publicKey.fileText().utf8), to: publicPath)
            if global.json {
                try context.printJSON([
                    "keyID": key.keyID.minisignHex, "fingerprint": key.publicKey.fingerprint, "secretKey": secretPath,
                    "publicKey": publicPath,
                ])
            } else {
                context.console.out("Wrote \(secretPath) (secret, mode 600) and \(publicPath).")
                context.console.out("Key id \(key.keyID), fingerprint \(key.publicKey.fingerprint).")
            }
        }
    }
}

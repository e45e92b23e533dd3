import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import Foundation

/// `fieldkit sign FILE --key NAME.key [--comment TEXT]`: a minisign-compatible signature.
struct SignCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "Sign a file, writing FILE.minisig (verifiable with minisign -V).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The file to sign.")
    var file: String

    @Option(help: "The secret key file (NAME.key).")
    var key: String

    @Option(help: "The trusted comment (default: the time and the file name).")
    var comment: String?

    func run(in context: CommandContext) throws {
        let secret = try DeviceKeys.loadSigningKey(key)
        let data = try FileLayer.read(file, limit: SignedFile.directLimit)
        let name = (file as NSString).lastPathComponent
        let seconds = Int64(context.environment.now().timeIntervalSince1970)
        let trusted = try Text.normalised(comment ?? "timestamp:\(seconds)\tfile:\(name)", field: "comment")
        guard !trusted.contains("\n") else { throw CLIFailure.usage("the comment must be one line", hint: nil) }
        let signature = try secret.sign(
            data, trustedComment: trusted, untrustedComment: "signature from fieldkit key \(secret.keyID)")
        try FileLayer.writeAtomically(Data(signature.fileText.utf8), to: file + ".minisig")
        if global.json {
            try context.printJSON(["file": file, "signature": file + ".minisig", "keyID": secret.keyID.minisignHex])
        } else {
            context.console.out("Wrote \(file).minisig (key \(secret.keyID)).")
        }
    }
}

/// `fieldkit verify FILE --pub NAME.pub`.
struct VerifyCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check FILE against FILE.minisig and a public key.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The signed file.")
    var file: String

    @Option(help: "The signer's public key file (NAME.pub).")
    var pub: String

    func run(in context: CommandContext) throws {
        let publicKey = try DeviceKeys.loadPublicKey(pub)
        let signature = try SignedFile.readSignature(of: file)
        let data = try FileLayer.read(file, limit: SignedFile.directLimit)
        try publicKey.verify(signature, of: data)
        if global.json {
            try context.printJSON([
                "file": file, "keyID": publicKey.keyID.minisignHex, "trustedComment": signature.trustedComment,
                "valid": "true",
            ])
        } else {
            context.console.out("Signature and trusted comment are valid (key \(publicKey.keyID)).")
            context.console.out("Trusted comment: \(signature.trustedComment)")
        }
    }
}

import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A signed executable (Sync/SPEC.md §14.7): the file, its `.minisig` (and `.chunks` when large)
/// signed by a signing key the trust statement beside it names.
enum ExecutableRelease {
    static let kind = "executable"
    static let format: Int64 = 1
    /// The largest executable read.
    static let sizeLimit = 512 << 20
    /// The machine this build runs on, as `uname -m` says.
    static var machine: String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Whether `version` (dotted numbers) is newer than `current`.
    static func isNewer(_ version: String, than current: String) -> Bool {
        let parse = { (text: String) -> [Int] in text.split(separator: ".").map { Int($0) ?? -1 } }
        let new = parse(version)
        let old = parse(current)
        guard !new.contains(-1) else { return false }
        for index in 0..<max(new.count, old.count) {
            let a = index < new.count ? new[index] : 0
            let b = index < old.count ? old[index] : 0
            if a != b { return a > b }
        }
        return false
    }
}

/// `fieldkit update FILE`: replace this executable with a newer one carried on a stick.
struct UpdateCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract:
            "Replace this fieldkit with a newer one signed by headquarters (the old one is kept as fieldkit.previous).",
        discussion: """
            FILE must have its .minisig (and .chunks) and headquarters' trust.json beside it, as \
            'fieldkit hub release' writes them. It must be signed under the root this device pinned and \
            be a newer version. The swap is one rename: a failure leaves the old executable in place.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The new executable, with its signature and trust.json beside it.")
    var file: String

    @Option(help: .hidden)
    var executable: String?

    struct Report: Codable {
        var executable: String
        var previous: String
        var from: String
        var to: String
    }

    func run(in context: CommandContext) throws {
        let (store, lock, _) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        guard let root = try ContentAccess.pinnedRoot(store) else {
            throw CLIFailure.refused(
                "this device has no headquarters root pinned, so it cannot check an executable",
                hint: "set the device up with 'fieldkit init --hq-root ROOT.pub', or use a field edition",
                status: .dataError)
        }
        guard FileLayer.exists(file) else { throw CoreFailure.missingFile(path: file) }
        let trust = try TrustFiles.read(in: folder(of: file)).verify(pinned: root)
        guard !trust.statement.development else {
            throw TrustFailure.malformed("an executable cannot be vouched for by a development trust statement")
        }
        if let accepted = try store.installedTrustVersion(root: trust.root.keyID.minisignHex),
            accepted > trust.statement.version
        {
            throw TrustFailure.older(offered: trust.statement.version, installed: accepted)
        }
        if trust.statement.isExpired(today: String(EventTime.wallString(context.environment.now()).prefix(10))) {
            context.console.err("warning: the trust statement expired on \(trust.statement.expires); accepted anyway")
        }
        let target = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let staging = folder(of: target) + "/.fieldkit-update-\(getpid())"
        try FileLayer.makeFolder(staging)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        // Verify the copy, not the stick: the bytes checked are the bytes swapped in.
        let staged = staging + "/fieldkit"
        for suffix in ["", ".minisig", ".chunks"] where FileLayer.exists(file + suffix) || suffix == "" {
            try UpdateCommand.copy(file + suffix, to: staged + suffix)
        }
        let signature = try SignedFile.readSignature(of: staged)
        guard let key = try trust.statement.signingKeys().first(where: { $0.keyID == signature.keyID }) else {
            throw TrustFailure.unnamedSigningKey(signature.keyID.minisignHex)
        }
        let statement = try SignedFile.verify(staged, publicKey: key, limit: ExecutableRelease.sizeLimit)
        guard statement["kind"] == .string(ExecutableRelease.kind),
            statement["format"] == .int(ExecutableRelease.format)
        else {
            throw SignedFileFailure.statement(
                "the signature is for a \(statement["kind"]?.stringValue ?? "unknown") file, not an executable")
        }
        guard statement["machine"] == .string(ExecutableRelease.machine) else {
            throw SignedFileFailure.statement(
                "the executable is for \(statement["machine"]?.stringValue ?? "an unknown machine"), not \(ExecutableRelease.machine)"
            )
        }
        guard let version = statement["version"]?.stringValue,
            ExecutableRelease.isNewer(version, than: FieldKitVersion.number)
        else {
            throw CLIFailure.refused(
                "the executable is version \(statement["version"]?.stringValue ?? "unknown"), not newer than this fieldkit \(FieldKitVersion.number)",
                hint: "versions only go up; ask headquarters for the newest release", status: .dataError)
        }
        guard chmod(staged, 0o755) == 0 else {
            throw CoreFailure.cannotWrite(path: staged, code: errno, description: FileLayer.errorText())
        }
        let previous = target + ".previous"
        try UpdateCommand.copy(target, to: staging + "/previous")
        guard chmod(staging + "/previous", 0o755) == 0, rename(staging + "/previous", previous) == 0 else {
            throw CoreFailure.cannotWrite(path: previous, code: errno, description: FileLayer.errorText())
        }
        if context.environment.variables["FIELDKIT_TEST_FAULT"] == "update-swap" {
            throw CoreFailure.cannotWrite(path: target, code: EIO, description: "fault injected before the swap")
        }
        guard rename(staged, target) == 0 else {
            throw CoreFailure.cannotWrite(path: target, code: errno, description: FileLayer.errorText())
        }
        let report = Report(executable: target, previous: previous, from: FieldKitVersion.number, to: version)
        if global.json { return try context.printJSON(report) }
        context.console.out("Updated \(target) from \(FieldKitVersion.number) to \(version).")
        context.console.out("The old one is kept as \(previous); copy it back if the new one misbehaves.")
    }

    func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Copies in pieces (executables are large), fsynced, through FileLayer's atomic writer.
    static func copy(_ source: String, to target: String) throws {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw CoreFailure.cannotRead(path: source, code: errno, description: FileLayer.errorText())
        }
        defer { try? input.close() }
        let writer = try AtomicFileWriter(path: target, mode: 0o600)
        var total = 0
        while let piece = try input.read(upToCount: 4 << 20), !piece.isEmpty {
            total += piece.count
            guard total <= ExecutableRelease.sizeLimit else {
                writer.abort()
                throw CoreFailure.tooLarge(path: source, limit: ExecutableRelease.sizeLimit)
            }
            try writer.write(piece)
        }
        try writer.commit()
    }
}

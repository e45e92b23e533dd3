import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A signed executable (Sync/SPEC.md §14.7): the file, its `.minisig` (and `.chunks` when large)
/// signed by a signing key the trust statement beside it names. `hub release` writes one;
/// `update` swaps one in for the running executable.
public enum ExecutableRelease {
    static let kind = "executable"
    static let format: Int64 = 1
    /// The largest executable read.
    public static let sizeLimit = 512 << 20

    /// The machine this build runs on, as `uname -m` says.
    public static var machine: String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Whether `version` (dotted numbers) is newer than `current`.
    public static func isNewer(_ version: String, than current: String) -> Bool {
        let parse = { (text: String) -> [Int] in text.split(separator: ".").map { Int($0) ?? -1 } }
        let new = parse(version)
        let old = parse(current)
        guard !new.isEmpty, !new.contains(-1) else { return false }
        for index in 0..<max(new.count, old.count) {
            let a = index < new.count ? new[index] : 0
            let b = index < old.count ? old[index] : 0
            if a != b { return a > b }
        }
        return false
    }

    /// Copies `file` to `folder/fieldkit` (0755), signs it with `key` and writes `trust` beside it.
    public static func release(
        _ file: String, version: String, machine: String, key: SigningSecretKey, trust: TrustFiles, created: String,
        into folder: String
    ) throws -> String {
        try FileLayer.makeFolder(folder, mode: 0o755)
        let target = folder + "/fieldkit"
        let source = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
        guard source != URL(fileURLWithPath: target).resolvingSymlinksInPath().path else {
            throw CoreFailure.invalidValue(what: "--to \(folder)", reason: "it holds the executable being released")
        }
        Mailbox.remove(signed: target)
        try copy(file, to: target, mode: 0o755)
        _ = try SignedFile.sign(
            target, key: key,
            statement: [
                "kind": .string(kind), "format": .int(format), "version": .string(version),
                "machine": .string(machine), "created": .string(created),
            ])
        try trust.write(into: folder) { data, path in try Mailbox.place(data, at: path) }
        return target
    }

    /// What `update` did.
    public struct Swap: Sendable, Codable, Equatable {
        public var executable: String
        public var previous: String
        public var from: String
        public var to: String
        /// The trust statement's last day, when it has passed (a warning, never a refusal).
        public var trustExpired: String?
        /// The executable already held these very bytes (an update run again after it was
        /// stopped past the swap): nothing was changed, and the kept previous one is untouched.
        public var alreadyInPlace = false
    }

    /// Replaces `target` (the running executable) with the release `file`, in order: the trust
    /// files beside `file` against `root` (handovers followed; not older than `acceptedTrust`;
    /// not development); the file, signature and chunk manifest copied into a fresh private
    /// folder beside `target`, and **that copy** verified (signer named by the statement, size,
    /// chunk hashes); kind, format, machine, and a version newer than `current`. Then `target` is
    /// copied to `target.previous` and the verified copy renamed over `target`: one rename, so a
    /// failure at any step leaves the old executable in place. A `target` that already holds the
    /// release's bytes (the same update run again after a stop past the swap) is left as it is,
    /// with `target.previous`. `fault` fails on purpose just before the swap (tests).
    public static func swap(
        _ file: String, into target: String, root: MinisignPublicKey, acceptedTrust: Int64?, current: String,
        today: String, fault: Bool = false
    ) throws -> Swap {
        guard FileLayer.exists(file) else { throw CoreFailure.missingFile(path: file) }
        let trust = try TrustFiles.read(in: FileLayer.folderOf(file)).verify(pinned: root)
        guard !trust.statement.development else {
            throw TrustFailure.malformed("an executable cannot be vouched for by a development trust statement")
        }
        if let accepted = acceptedTrust, accepted > trust.statement.version {
            throw TrustFailure.older(offered: trust.statement.version, installed: accepted)
        }
        // What an update stopped dead (a power cut) left: a private copy never swapped in, and
        // the temp file of a copy to `target.previous` never renamed.
        let leftovers = [stagingPrefix, "." + (target as NSString).lastPathComponent + ".previous.tmp-"]
        for name in FileLayer.list(FileLayer.folderOf(target)) where leftovers.contains(where: name.hasPrefix) {
            try? FileManager.default.removeItem(atPath: FileLayer.folderOf(target) + "/" + name)
        }
        var template = Array((FileLayer.folderOf(target) + "/" + stagingPrefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CoreFailure.cannotWrite(
                path: FileLayer.folderOf(target), code: errno, description: FileLayer.errorText())
        }
        let staging = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        // Verify the copy, not the stick: the bytes checked are the bytes swapped in.
        let staged = staging + "/fieldkit"
        try copy(file, to: staged, mode: 0o700)
        for suffix in [".minisig", ".chunks"] where FileLayer.exists(file + suffix) {
            try copy(file + suffix, to: staged + suffix, mode: 0o600)
        }
        let signature = try SignedFile.readSignature(of: staged)
        guard let key = try trust.statement.signingKeys().first(where: { $0.keyID == signature.keyID }) else {
            throw TrustFailure.unnamedSigningKey(signature.keyID.minisignHex)
        }
        let statement = try SignedFile.verify(staged, publicKey: key, limit: sizeLimit)
        guard statement["kind"] == .string(kind), statement["format"] == .int(format) else {
            throw SignedFileFailure.statement(
                "the signature is for a \(statement["kind"]?.stringValue ?? "unknown") file, not an executable")
        }
        guard statement["machine"] == .string(machine) else {
            throw SignedFileFailure.statement(
                "the executable is for \(statement["machine"]?.stringValue ?? "an unknown machine"), not \(machine)")
        }
        let previous = target + ".previous"
        let trustExpired = trust.statement.isExpired(today: today) ? trust.statement.expires : nil
        let offered = statement["version"]?.stringValue ?? "unknown"
        // Checked before the version: an update stopped just after its swap is run again by
        // the new executable, to which its own release is not newer.
        if try sameBytes(staged, target) {
            return Swap(
                executable: target, previous: previous, from: current, to: offered, trustExpired: trustExpired,
                alreadyInPlace: true)
        }
        guard let version = statement["version"]?.stringValue, isNewer(version, than: current) else {
            throw SyncFailure.notNewer(what: "executable", offered: offered, current: current)
        }
        guard chmod(staged, 0o755) == 0 else {
            throw CoreFailure.cannotWrite(path: staged, code: errno, description: FileLayer.errorText())
        }
        try copy(target, to: previous, mode: 0o755)
        if fault {
            throw CoreFailure.cannotWrite(path: target, code: EIO, description: "fault injected before the swap")
        }
        try FileLayer.rename(staged, over: target)
        return Swap(executable: target, previous: previous, from: current, to: version, trustExpired: trustExpired)
    }

    /// The start of the private folders an update stages its copy in, beside the executable.
    static let stagingPrefix = ".fieldkit-update-"

    /// Whether the files at `first` and `second` hold the same bytes, read in pieces.
    static func sameBytes(_ first: String, _ second: String) throws -> Bool {
        guard try FileLayer.size(of: first) == FileLayer.size(of: second) else { return false }
        guard let one = FileHandle(forReadingAtPath: first) else {
            throw CoreFailure.cannotRead(path: first, code: errno, description: FileLayer.errorText())
        }
        defer { try? one.close() }
        guard let other = FileHandle(forReadingAtPath: second) else {
            throw CoreFailure.cannotRead(path: second, code: errno, description: FileLayer.errorText())
        }
        defer { try? other.close() }
        while true {
            let piece = try one.read(upToCount: 4 << 20) ?? Data()
            guard piece == (try other.read(upToCount: 4 << 20) ?? Data()) else { return false }
            if piece.isEmpty { return true }
        }
    }

    /// Copies in pieces (executables are large) through the atomic writer, capped.
    static func copy(_ source: String, to target: String, mode: mode_t) throws {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw CoreFailure.cannotRead(path: source, code: errno, description: FileLayer.errorText())
        }
        defer { try? input.close() }
        let writer = try AtomicFileWriter(path: target, mode: mode)
        var total = 0
        while let piece = try input.read(upToCount: 4 << 20), !piece.isEmpty {
            total += piece.count
            guard total <= sizeLimit else {
                writer.abort()
                throw CoreFailure.tooLarge(path: source, limit: sizeLimit)
            }
            try writer.write(piece)
        }
        try writer.commit()
    }
}

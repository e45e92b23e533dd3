import FieldKitCrypto
import Foundation

/// Headquarters' trust statement (`trust.json`), signed by the offline root key.
///
/// It names the signing keys that may sign bundles, receipts and executables, and the sealing
/// key devices seal to. Every signed file is checked against it, and it against the pinned root,
/// before anything else is read.
public struct TrustStatement: Codable, Equatable, Sendable {
    /// The statement format version.
    public var format: Int
    /// Always `trust`.
    public var kind: String
    /// Only goes up.
    public var version: Int64
    /// The day it was issued, `YYYY-MM-DD`.
    public var issued: String
    /// The last day it is valid, `YYYY-MM-DD`.
    public var expires: String
    /// The root's key id (minisign hex).
    public var root: String
    /// The signing public keys, each as the base64 line of a minisign `.pub` file.
    public var signing: [String]
    /// The sealing public key file text, if any.
    public var sealing: String?
    /// True for the development trust compiled into every build.
    public var development: Bool

    /// The file name beside every bundle and receipt.
    public static let fileName = "trust.json"
    /// The largest statement read.
    public static let sizeLimit = 64 << 10

    /// Makes a statement.
    public init(
        version: Int64, issued: String, expires: String, root: KeyID, signing: [MinisignPublicKey],
        sealing: SealingPublicKey?, development: Bool
    ) {
        self.format = 1
        self.kind = "trust"
        self.version = version
        self.issued = issued
        self.expires = expires
        self.root = root.minisignHex
        self.signing = signing.map { $0.fileText().split(separator: "\n").last.map(String.init) ?? "" }
        self.sealing = sealing?.fileText
        self.development = development
    }

    /// The canonical bytes of `trust.json`.
    public func encoded() throws(TrustFailure) -> Data {
        do { return try SignedFile.canonicalJSON(self) } catch { throw .malformed("it could not be encoded") }
    }

    /// The signing keys it names.
    public func signingKeys() throws(TrustFailure) -> [MinisignPublicKey] {
        do {
            return try signing.map { line throws(CryptoFailure) in try MinisignPublicKey(text: line) }
        } catch {
            throw .malformed("a signing key is not a minisign public key")
        }
    }

    /// Signs `self` with `root`, returning the two files' bytes.
    public func signed(by root: SigningSecretKey) throws(TrustFailure) -> (json: Data, signature: Data) {
        try TrustStatement.sign(
            try encoded(), by: root,
            statement: [
                "kind": .string(kind), "format": .int(Int64(format)), "version": .int(version),
                "expires": .string(expires),
            ], untrustedComment: "fieldkit trust statement")
    }

    /// Signs the canonical JSON of a root-signed file (a statement or a handover) directly,
    /// with `statement` plus its SHA-256 as the trusted comment.
    static func sign(
        _ json: Data, by root: SigningSecretKey, statement: [String: JSONValue], untrustedComment: String
    ) throws(TrustFailure) -> (json: Data, signature: Data) {
        var comment = statement
        comment["sha256"] = .string(Hashing.sha256Hex(json))
        do {
            let text = String(decoding: try SignedFile.canonicalJSON(comment), as: UTF8.self)
            let signature = try root.sign(json, trustedComment: text, untrustedComment: untrustedComment)
            return (json, Data(signature.fileText.utf8))
        } catch {
            throw .malformed("it could not be signed")
        }
    }

    /// Checks `json` + `signature` against `root` and parses the statement.
    public static func verify(json: Data, signature: Data, root: MinisignPublicKey) throws(TrustFailure)
        -> TrustStatement
    {
        guard json.count <= sizeLimit, signature.count <= 8192 else { throw .malformed("it is too large") }
        let parsed: MinisignSignature
        do { parsed = try MinisignSignature(text: String(decoding: signature, as: UTF8.self)) } catch {
            throw .signature(error)
        }
        guard parsed.keyID == root.keyID else {
            throw .otherRoot(found: parsed.keyID.minisignHex, pinned: root.keyID.minisignHex)
        }
        do { try root.verify(parsed, of: json) } catch { throw .signature(error) }
        let comment: [String: JSONValue]
        do { comment = try SignedFile.parseStatement(parsed.trustedComment) } catch {
            throw .malformed("its trusted comment is not a statement")
        }
        guard comment["kind"] == .string("trust"), comment["sha256"] == .string(Hashing.sha256Hex(json)) else {
            throw .malformed("its signature is not for a trust statement")
        }
        guard let statement = try? JSONDecoder().decode(TrustStatement.self, from: json), statement.kind == "trust",
            statement.format == 1, comment["version"] == .int(statement.version)
        else { throw .malformed("trust.json is not a version-1 trust statement") }
        guard statement.root == root.keyID.minisignHex else {
            throw .otherRoot(found: statement.root, pinned: root.keyID.minisignHex)
        }
        return statement
    }

    /// Checks a file's signature against the signing keys named here; returns its statement.
    public func verifySigned(_ data: Data, signature: MinisignSignature) throws(TrustFailure) -> [String: JSONValue] {
        guard let key = try signingKeys().first(where: { $0.keyID == signature.keyID }) else {
            throw .unnamedSigningKey(signature.keyID.minisignHex)
        }
        do { try key.verify(signature, of: data) } catch { throw .signature(error) }
        do { return try SignedFile.parseStatement(signature.trustedComment) } catch {
            throw .malformed("the file's trusted comment is not a statement")
        }
    }

    /// Whether the statement has expired on `today` (`YYYY-MM-DD`).
    public func isExpired(today: String) -> Bool { expires < today }
}

/// Why a trust statement or a file signed under it was refused.
public enum TrustFailure: Error, Equatable, Sendable {
    /// The statement or signature is not in its form.
    case malformed(String)
    /// A signature does not verify.
    case signature(CryptoFailure)
    /// Signed by a root other than the pinned one.
    case otherRoot(found: String, pinned: String)
    /// The file is signed by a key the statement does not name.
    case unnamedSigningKey(String)
    /// `trust.json` or its signature is not beside the file.
    case missing(String)
    /// An older statement after a newer one.
    case older(offered: Int64, installed: Int64)
    /// The statement's root is more than this many handovers from the pinned root.
    case tooManyHandovers(Int)
}

extension TrustFailure: FieldKitError {
    public var message: String {
        switch self {
        case .malformed(let reason): "the trust statement is invalid: \(reason)"
        case .signature(let failure): "the trust check failed: \(failure.message)"
        case .otherRoot(let found, let pinned):
            "the trust statement is signed by root \(found), not by the pinned root \(pinned)"
        case .unnamedSigningKey(let key): "the file is signed by key \(key), which the trust statement does not name"
        case .missing(let path): "\(path) is missing: the trust statement must travel beside the file"
        case .older(let offered, let installed):
            "the trust statement is version \(offered), older than the installed version \(installed)"
        case .tooManyHandovers(let limit):
            "the trust statement's root is more than \(limit) root handovers from the pinned root"
        }
    }

    public var hint: String? {
        switch self {
        case .otherRoot: "this file comes from another headquarters, or the device pinned the wrong root"
        case .missing: "copy trust.json and trust.json.minisig from the same source into the same folder"
        case .older: "use the newest file from headquarters"
        case .tooManyHandovers: "set this device up again with headquarters' current root.pub"
        default: "do not use this file; get a fresh copy from headquarters"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .missing: .noInput
        default: .dataError
        }
    }
}

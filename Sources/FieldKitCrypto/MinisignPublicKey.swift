import Crypto
import Foundation

/// An Ed25519 public key in minisign's file format.
///
/// ```
/// untrusted comment: minisign public key 3A1F2B…
/// RWQ…(base64 of "Ed" || key id (8) || public key (32))
/// ```
public struct MinisignPublicKey: Hashable, Sendable {
    /// The key id carried in the file.
    public let keyID: KeyID
    /// The raw 32-byte Ed25519 public key.
    public let rawKey: Data

    /// Builds a key from its parts.
    public init(keyID: KeyID, rawKey: Data) throws(CryptoFailure) {
        guard rawKey.count == 32 else { throw .malformed(what: "public key", reason: "the key is not 32 bytes") }
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey)) != nil else {
            throw .malformed(what: "public key", reason: "the key bytes are not an Ed25519 key")
        }
        self.keyID = keyID
        self.rawKey = rawKey
    }

    /// Wraps bytes that come from a key we hold, so they are known to be valid.
    init(validKeyID: KeyID, rawKey: Data) {
        self.keyID = validKeyID
        self.rawKey = rawKey
    }

    /// Parses the two-line text of a `.pub` file (a bare base64 line is accepted too).
    public init(text: String) throws(CryptoFailure) {
        let lines = MinisignText.lines(text)
        let payloadLine: Substring
        switch lines.count {
        case 1: payloadLine = lines[0]
        case 2:
            guard lines[0].hasPrefix(MinisignText.untrustedPrefix) else {
                throw .malformed(what: "public key", reason: "the first line is not an untrusted comment")
            }
            payloadLine = lines[1]
        default: throw .malformed(what: "public key", reason: "expected 2 lines, found \(lines.count)")
        }
        guard let payload = Base64Strict.decode(payloadLine), payload.count == 42 else {
            throw .malformed(what: "public key", reason: "the key line is not 42 bytes of strict base64")
        }
        guard payload.prefix(2) == MinisignText.ed25519Tag else {
            throw .unsupportedAlgorithm(String(decoding: payload.prefix(2), as: UTF8.self))
        }
        guard let keyID = KeyID(bytes: payload.subdata(in: 2..<10)) else {
            throw .malformed(what: "public key", reason: "no key id")
        }
        try self.init(keyID: keyID, rawKey: payload.subdata(in: 10..<42))
    }

    /// The file text, ending in a newline.
    public func fileText(comment: String? = nil) -> String {
        let payload = MinisignText.ed25519Tag + keyID.bytes + rawKey
        let comment = comment ?? "minisign public key \(keyID.minisignHex)"
        return "\(MinisignText.untrustedPrefix)\(comment)\n\(payload.base64EncodedString())\n"
    }

    /// A short form people compare aloud when enrolling: the first 12 bytes of the SHA-256 of
    /// the key's payload ("Ed", key id, key), in six groups of four hex digits.
    public var fingerprint: String {
        let digest = SHA256.hash(data: MinisignText.ed25519Tag + keyID.bytes + rawKey)
        let hex = digest.hexString.uppercased()
        let groups = stride(from: 0, to: 24, by: 4).map { index -> String in
            let start = hex.index(hex.startIndex, offsetBy: index)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }
        return groups.joined(separator: "-")
    }

    /// Checks `signature` over `message`: key id, the signature, then the trusted comment.
    public func verify(_ signature: MinisignSignature, of message: Data) throws(CryptoFailure) {
        guard signature.keyID == keyID else {
            throw .keyMismatch(expected: keyID.minisignHex, found: signature.keyID.minisignHex)
        }
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey) else {
            throw .library("the public key could not be loaded")
        }
        guard key.isValidSignature(signature.signature, for: message) else { throw .badSignature }
        let global = signature.signature + Data(signature.trustedComment.utf8)
        guard key.isValidSignature(signature.globalSignature, for: global) else { throw .badTrustedComment }
    }
}

/// Shared constants and line splitting of the minisign text formats.
public enum MinisignText {
    public static let untrustedPrefix = "untrusted comment: "
    static let trustedPrefix = "trusted comment: "
    static let ed25519Tag = Data("Ed".utf8)

    /// Splits on `\n` (tolerating a `\r` before it) and drops one final empty line.
    public static func lines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

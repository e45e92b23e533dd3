import Crypto
import Foundation

/// An X25519 key pair for sealing (archives and receipts that may carry names).
///
/// Files follow the shape of the minisign formats with the tag "X2":
/// `base64("X2" || key id (8) || key (32))` under an untrusted comment.
public struct SealingSecretKey: Sendable {
    /// An id for the pair, to name it in statements.
    public let keyID: KeyID
    private let raw: Data
    var key: Curve25519.KeyAgreement.PrivateKey {
        // The bytes were checked when this value was made.
        (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)) ?? Curve25519.KeyAgreement.PrivateKey()
    }

    /// Makes a new pair with a random id.
    public static func generate() -> SealingSecretKey {
        SealingSecretKey(keyID: .random(), key: Curve25519.KeyAgreement.PrivateKey())
    }

    private init(keyID: KeyID, key: Curve25519.KeyAgreement.PrivateKey) {
        self.keyID = keyID
        self.raw = key.rawRepresentation
    }

    /// Parses a sealing secret key file.
    public init(text: String) throws(CryptoFailure) {
        let (keyID, raw) = try SealingText.parse(text, what: "sealing secret key")
        guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
            throw .malformed(what: "sealing secret key", reason: "the key bytes are not an X25519 key")
        }
        self.init(keyID: keyID, key: key)
    }

    /// The secret file's text.
    public var fileText: String {
        SealingText.render(
            keyID: keyID, raw: raw,
            comment: "fieldkit secret sealing key \(keyID.minisignHex) (keep private)")
    }

    /// The public half.
    public var publicKey: SealingPublicKey {
        SealingPublicKey(keyID: keyID, rawKey: key.publicKey.rawRepresentation)
    }
}

/// The public half of a sealing pair.
public struct SealingPublicKey: Hashable, Sendable {
    /// The pair's id.
    public let keyID: KeyID
    /// The raw 32-byte X25519 public key.
    public let rawKey: Data

    init(keyID: KeyID, rawKey: Data) {
        self.keyID = keyID
        self.rawKey = rawKey
    }

    /// Parses a sealing public key file.
    public init(text: String) throws(CryptoFailure) {
        let (keyID, raw) = try SealingText.parse(text, what: "sealing public key")
        guard (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)) != nil else {
            throw .malformed(what: "sealing public key", reason: "the key bytes are not an X25519 key")
        }
        self.init(keyID: keyID, rawKey: raw)
    }

    /// The public file's text.
    public var fileText: String {
        SealingText.render(keyID: keyID, raw: rawKey, comment: "fieldkit sealing public key \(keyID.minisignHex)")
    }
}

enum SealingText {
    static let tag = Data("X2".utf8)

    static func parse(_ text: String, what: String) throws(CryptoFailure) -> (KeyID, Data) {
        let lines = MinisignText.lines(text)
        guard lines.count == 2, lines[0].hasPrefix(MinisignText.untrustedPrefix) else {
            throw .malformed(what: what, reason: "expected an untrusted comment and a key line")
        }
        guard let payload = Base64Strict.decode(lines[1]), payload.count == 42, payload.prefix(2) == tag,
            let keyID = KeyID(bytes: payload.subdata(in: 2..<10))
        else {
            throw .malformed(what: what, reason: "the key line is not \"X2\", a key id and 32 bytes in strict base64")
        }
        return (keyID, payload.subdata(in: 10..<42))
    }

    static func render(keyID: KeyID, raw: Data, comment: String) -> String {
        "\(MinisignText.untrustedPrefix)\(comment)\n\((tag + keyID.bytes + raw).base64EncodedString())\n"
    }
}

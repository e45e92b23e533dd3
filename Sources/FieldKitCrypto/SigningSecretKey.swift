import Crypto
import Foundation

/// An Ed25519 secret key with its minisign key id, in FieldKit's own unencrypted file format.
///
/// ```
/// untrusted comment: fieldkit secret signing key <KEYID> (keep private)
/// base64("Ed" || key id (8) || seed (32))
/// ```
/// The file is written mode 0600 and never leaves the device (not even in backups).
public struct SigningSecretKey: Sendable {
    /// The key id shared with the public key and every signature.
    public let keyID: KeyID
    // The seed, not swift-crypto's key type, which is not Sendable on Linux.
    private let seed: Data
    private var key: Curve25519.Signing.PrivateKey {
        // The seed was checked when this value was made.
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) ?? Curve25519.Signing.PrivateKey()
    }

    /// Makes a new key with a random key id.
    public static func generate() -> SigningSecretKey {
        SigningSecretKey(keyID: .random(), key: Curve25519.Signing.PrivateKey())
    }

    /// Rebuilds a key from its seed, as test vectors and published test keys do.
    public init(keyID: KeyID, seed: Data) throws(CryptoFailure) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .malformed(what: "secret key", reason: "the seed is not 32 bytes")
        }
        self.init(keyID: keyID, key: key)
    }

    private init(keyID: KeyID, key: Curve25519.Signing.PrivateKey) {
        self.keyID = keyID
        self.seed = key.rawRepresentation
    }

    /// Parses a secret key file.
    public init(text: String) throws(CryptoFailure) {
        let lines = MinisignText.lines(text)
        guard lines.count == 2, lines[0].hasPrefix(MinisignText.untrustedPrefix) else {
            throw .malformed(what: "secret key", reason: "expected an untrusted comment and a key line")
        }
        guard let payload = Base64Strict.decode(lines[1]), payload.count == 42 else {
            throw .malformed(what: "secret key", reason: "the key line is not 42 bytes of strict base64")
        }
        guard payload.prefix(2) == MinisignText.ed25519Tag else {
            throw .unsupportedAlgorithm(String(decoding: payload.prefix(2), as: UTF8.self))
        }
        guard let keyID = KeyID(bytes: payload.subdata(in: 2..<10)) else {
            throw .malformed(what: "secret key", reason: "no key id")
        }
        try self.init(keyID: keyID, seed: payload.subdata(in: 10..<42))
    }

    /// The secret file's text.
    public var fileText: String {
        let payload = MinisignText.ed25519Tag + keyID.bytes + seed
        return "\(MinisignText.untrustedPrefix)fieldkit secret signing key \(keyID.minisignHex) (keep private)\n"
            + "\(payload.base64EncodedString())\n"
    }

    /// The matching public key.
    public var publicKey: MinisignPublicKey {
        MinisignPublicKey(validKeyID: keyID, rawKey: key.publicKey.rawRepresentation)
    }

    /// Signs `message`, putting `trustedComment` (one line) under the global signature.
    public func sign(
        _ message: Data, trustedComment: String, untrustedComment: String = "signature from fieldkit"
    ) throws(CryptoFailure) -> MinisignSignature {
        guard !trustedComment.contains("\n"), !untrustedComment.contains("\n") else {
            throw .malformed(what: "comment", reason: "a comment must be one line")
        }
        do {
            let signature = try key.signature(for: message)
            let global = try key.signature(for: signature + Data(trustedComment.utf8))
            return MinisignSignature(
                keyID: keyID, signature: signature, trustedComment: trustedComment,
                globalSignature: global, untrustedComment: untrustedComment)
        } catch {
            throw .library("signing failed: \(error)")
        }
    }
}

import Foundation

/// A detached signature in minisign's legacy (pure Ed25519, "Ed") format.
///
/// ```
/// untrusted comment: <text>
/// base64("Ed" || key id (8) || Ed25519(message) (64))
/// trusted comment: <text>
/// base64(Ed25519(signature || trusted comment) (64))
/// ```
public struct MinisignSignature: Hashable, Sendable {
    /// The id of the key that made the signature.
    public let keyID: KeyID
    /// The 64-byte signature over the message.
    public let signature: Data
    /// Text that the global signature covers: our signed statements live here.
    public let trustedComment: String
    /// The 64-byte signature over `signature || trustedComment`.
    public let globalSignature: Data
    /// Text nobody vouches for.
    public let untrustedComment: String

    /// Builds a signature from its parts.
    public init(
        keyID: KeyID, signature: Data, trustedComment: String, globalSignature: Data, untrustedComment: String
    ) {
        self.keyID = keyID
        self.signature = signature
        self.trustedComment = trustedComment
        self.globalSignature = globalSignature
        self.untrustedComment = untrustedComment
    }

    /// Parses the four lines of a `.minisig` file, strictly.
    public init(text: String) throws(CryptoFailure) {
        let lines = MinisignText.lines(text)
        guard lines.count == 4 else {
            throw .malformed(what: "signature", reason: "expected 4 lines, found \(lines.count)")
        }
        guard lines[0].hasPrefix(MinisignText.untrustedPrefix) else {
            throw .malformed(what: "signature", reason: "the first line is not an untrusted comment")
        }
        guard let payload = Base64Strict.decode(lines[1]), payload.count == 74 else {
            throw .malformed(what: "signature", reason: "the signature line is not 74 bytes of strict base64")
        }
        guard payload.prefix(2) == MinisignText.ed25519Tag else {
            throw .unsupportedAlgorithm(String(decoding: payload.prefix(2), as: UTF8.self))
        }
        guard lines[2].hasPrefix(MinisignText.trustedPrefix) else {
            throw .malformed(what: "signature", reason: "the third line is not a trusted comment")
        }
        guard let global = Base64Strict.decode(lines[3]), global.count == 64 else {
            throw .malformed(what: "signature", reason: "the global signature is not 64 bytes of strict base64")
        }
        guard let keyID = KeyID(bytes: payload.subdata(in: 2..<10)) else {
            throw .malformed(what: "signature", reason: "no key id")
        }
        self.init(
            keyID: keyID,
            signature: payload.subdata(in: 10..<74),
            trustedComment: String(lines[2].dropFirst(MinisignText.trustedPrefix.count)),
            globalSignature: global,
            untrustedComment: String(lines[0].dropFirst(MinisignText.untrustedPrefix.count))
        )
    }

    /// The file text, ending in a newline.
    public var fileText: String {
        let payload = MinisignText.ed25519Tag + keyID.bytes + signature
        return "\(MinisignText.untrustedPrefix)\(untrustedComment)\n\(payload.base64EncodedString())\n"
            + "\(MinisignText.trustedPrefix)\(trustedComment)\n\(globalSignature.base64EncodedString())\n"
    }
}

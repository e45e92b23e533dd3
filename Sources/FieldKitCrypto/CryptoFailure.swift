/// What went wrong while reading keys, signatures or checking a signature.
///
/// The Core module makes this a `FieldKitError` so the CLI can render it; this module stays
/// free of everything but swift-crypto.
public enum CryptoFailure: Error, Equatable, Sendable {
    /// A key or signature file is not in the minisign text format; `what` names the part.
    case malformed(what: String, reason: String)
    /// The signature names a key id other than the key offered to check it.
    case keyMismatch(expected: String, found: String)
    /// The signature over the file does not verify.
    case badSignature
    /// The signature over the trusted comment does not verify.
    case badTrustedComment
    /// The algorithm tag is one we do not read (for example minisign's prehashed "ED").
    case unsupportedAlgorithm(String)
    /// A sealed file names a sealing key other than the one offered to open it.
    case notSealedTo(expected: String, found: String)
    /// A sealed file does not open: changed, cut short, chunks reordered, or other associated data.
    case sealedDamaged(String)
    /// The underlying library refused a key or operation.
    case library(String)
}

import Foundation

/// The development bundle compiled into every build, with the development trust statement and
/// root that vouch for it — trusted only for this bundle, and labelled as development wherever shown.
///
/// Nothing is decoded until asked for: start-up never pays for the content.
public enum DefaultContent {
    /// The packed bundle file.
    public static var bundle: Data { decode(GeneratedContent.bundle) }
    /// Its `.minisig`.
    public static var signature: Data { decode(GeneratedContent.signature) }
    /// The development `trust.json`.
    public static var trustJSON: Data { decode(GeneratedContent.trustJSON) }
    /// Its `.minisig`, by the development root.
    public static var trustSignature: Data { decode(GeneratedContent.trustSignature) }
    /// The development root public key file.
    public static var root: Data { decode(GeneratedContent.root) }

    private static func decode(_ literal: StaticString) -> Data {
        literal.withUTF8Buffer { Data(base64Encoded: Data($0)) } ?? Data()
    }
}

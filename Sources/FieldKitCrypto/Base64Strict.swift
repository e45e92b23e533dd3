import Foundation

/// Strict base64: the canonical padded encoding and nothing else.
///
/// Foundation's decoder tolerates some non-canonical inputs (unused trailing bits); a signed
/// format must not, or two different texts would carry the same key.
public enum Base64Strict {
    /// Decodes `text` only when it is exactly the canonical encoding of its bytes.
    public static func decode(_ text: some StringProtocol) -> Data? {
        let string = String(text)
        guard !string.isEmpty, string.utf8.count % 4 == 0,
            let data = Data(base64Encoded: string),
            data.base64EncodedString() == string
        else { return nil }
        return data
    }
}

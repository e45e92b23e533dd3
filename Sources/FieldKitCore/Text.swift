import Foundation

/// Rules for text that enters events and the store.
public enum Text {
    /// NFC-normalised text, with control characters other than tab and newline refused.
    public static func normalised(_ text: String, field: String) throws(CoreFailure) -> String {
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }
        ) {
            throw .invalidValue(what: field, reason: "it contains control characters")
        }
        return text.precomposedStringWithCanonicalMapping
    }
}

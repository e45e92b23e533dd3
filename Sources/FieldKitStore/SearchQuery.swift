/// Turns what a person typed into a safe FTS5 expression: every word quoted and prefix-matched.
///
/// Nothing typed reaches MATCH raw, so `c-snaar`, a stray `"` or the word `AND` never cause a
/// syntax error; `ventiel` finds `ventielen`.
public enum SearchQuery {
    /// The FTS5 expression for `text`, or nil when it holds no word.
    public static func expression(_ text: String) -> String? {
        let tokens = text.split { !($0.isLetter || $0.isNumber) }.prefix(16)
        guard !tokens.isEmpty else { return nil }
        return tokens.map { "\"\($0)\"*" }.joined(separator: " ")
    }
}

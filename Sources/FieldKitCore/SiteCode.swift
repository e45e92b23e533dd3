import Foundation

/// Site codes: upper-case letters, digits and dashes (`AMS-ZO-01`, `CUR-02`).
public enum SiteCode {
    /// Upper-cases and checks a code typed by a person.
    public static func parse(_ text: String) throws(CoreFailure) -> String {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard (2...32).contains(code.count),
            code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
            !code.hasPrefix("-"), !code.hasSuffix("-")
        else {
            throw .invalidValue(
                what: "site code \"\(text)\"", reason: "use upper-case letters, digits and dashes, e.g. AMS-ZO-01")
        }
        return code
    }
}

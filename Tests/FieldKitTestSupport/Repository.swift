import Foundation

/// Paths inside the checkout, for tests that read committed files (vectors, bundle sources).
public enum Repository {
    /// The checkout's root folder.
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// A path relative to the root.
    public static func path(_ relative: String) -> String { root + "/" + relative }

    /// Whether tests should re-record golden files instead of comparing (`FIELDKIT_RECORD=1`).
    public static var recording: Bool { ProcessInfo.processInfo.environment["FIELDKIT_RECORD"] == "1" }
}

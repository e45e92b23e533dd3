import Foundation

/// A fresh folder under the system temp folder, removed when the value goes away.
public final class TemporaryFolder: Sendable {
    /// The folder's path.
    public let path: String

    /// Makes a new, empty folder.
    public init(_ label: String = "test") {
        let base = FileManager.default.temporaryDirectory.path
        let path = base + "/fieldkit-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    /// A path inside the folder.
    public func appending(_ name: String) -> String { path + "/" + name }

    deinit {
        if ProcessInfo.processInfo.environment["FIELDKIT_KEEP_TEST_FILES"] == nil {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

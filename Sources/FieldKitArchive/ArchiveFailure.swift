import FieldKitCore

/// Why an archive was refused or could not be written.
public enum ArchiveFailure: Error, Equatable, Sendable {
    /// libarchive reported an error.
    case library(String)
    /// The archive could not be written: a full disk, a stick pulled or write-protected.
    case cannotWrite(path: String, reason: String)
    /// The archive has something other than a regular file (link, device, FIFO, folder).
    case forbiddenEntryType(name: String, kind: String)
    /// A name is absolute, climbs with `..`, or is otherwise unsafe.
    case unsafeName(String)
    /// The same name appears twice.
    case duplicateEntry(String)
    /// An entry is not named in the manifest.
    case notInManifest(String)
    /// A manifest entry is not in the archive.
    case missingEntry(String)
    /// An entry's bytes do not match its manifest size or hash.
    case hashMismatch(String)
    /// Too many entries, an entry too large, or too much unpacked in total.
    case limitExceeded(String)
    /// `manifest.json` is missing, not first, or not valid.
    case badManifest(String)
}

extension ArchiveFailure: FieldKitError {
    public var message: String {
        switch self {
        case .library(let text): "the archive could not be read: \(text)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .forbiddenEntryType(let name, let kind):
            "the archive holds a \(kind) (\(name)); only regular files are allowed"
        case .unsafeName(let name): "the archive holds an unsafe entry name: \(name)"
        case .duplicateEntry(let name): "the archive holds \(name) twice"
        case .notInManifest(let name): "the archive holds \(name), which its manifest does not list"
        case .missingEntry(let name): "the manifest lists \(name), which the archive does not hold"
        case .hashMismatch(let name): "the entry \(name) does not match the size and SHA-256 in the manifest"
        case .limitExceeded(let what): "the archive exceeds a limit: \(what)"
        case .badManifest(let reason): "the archive's manifest is invalid: \(reason)"
        }
    }

    public var hint: String? {
        if case .cannotWrite = self {
            return "check that the stick or folder is writable and has free space, then run the command again"
        }
        return "do not use this file; get a fresh copy from its source"
    }

    public var exitStatus: ExitStatus {
        if case .cannotWrite = self { return .ioError }
        return .dataError
    }
}

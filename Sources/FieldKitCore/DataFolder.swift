import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a device keeps its store and keys.
public enum DataFolder {
    /// `explicit` (from `--data-dir`), else `FIELDKIT_HOME`, else `$XDG_DATA_HOME/fieldkit`,
    /// else `~/.local/share/fieldkit`.
    public static func resolve(explicit: String?, variables: [String: String]) throws(CoreFailure) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let home = variables["FIELDKIT_HOME"], !home.isEmpty { return home }
        if let xdg = variables["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/fieldkit" }
        if let home = variables["HOME"], !home.isEmpty { return home + "/.local/share/fieldkit" }
        throw .invalidValue(what: "data folder", reason: "neither --data-dir, FIELDKIT_HOME nor HOME is set")
    }

    /// The store's file name inside a data folder.
    public static let storeName = "fieldkit.sqlite"
}

extension DataFolder {
    /// The file a restore writes first into the folder it fills and removes last. A folder
    /// holding it is a restore stopped part-way (a power cut, a pulled cable): never taken for a
    /// device's or headquarters' folder, and cleared by the next restore into it.
    public static let restoreMarker = ".restoring"

    /// Whether `folder` holds a restore that was stopped before it finished.
    public static func isUnfinishedRestore(_ folder: String) -> Bool {
        FileLayer.exists(folder + "/" + restoreMarker)
    }

    /// The lock file `FolderLock` leaves in a data folder; a folder holding only it holds nothing.
    public static let lockName = ".lock"

    /// Whether a restore may write into `folder`: it is missing, empty (but for a lock file), or
    /// holds a stopped restore.
    public static func canRestore(into folder: String) -> Bool {
        guard FileLayer.exists(folder) else { return true }
        return FileLayer.isFolder(folder)
            && (FileLayer.list(folder).allSatisfy { $0 == lockName } || isUnfinishedRestore(folder))
    }

    /// Starts a restore into `folder`, which `canRestore(into:)` accepted and which exists: clears
    /// what a stopped restore left there (all but the marker and the names in `keeping`, such as
    /// the lock the caller holds), then writes the marker. A restore stopped during the clearing
    /// is still marked.
    public static func beginRestore(into folder: String, keeping: Set<String> = []) throws(CoreFailure) {
        if isUnfinishedRestore(folder) {
            for name in FileLayer.list(folder) where name != restoreMarker && !keeping.contains(name) {
                do {
                    try FileManager.default.removeItem(atPath: folder + "/" + name)
                } catch {
                    throw .cannotWrite(
                        path: folder + "/" + name, code: EIO,
                        description: "a stopped restore's leftover cannot be removed (\(error.localizedDescription))")
                }
            }
        }
        // Made in one step, not through a temp name: its name is what counts, not its bytes.
        let marker = folder + "/" + restoreMarker
        let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: marker, code: errno, description: FileLayer.errorText()) }
        close(fd)
        FileLayer.syncFolder(folder)
    }

    /// Ends a restore into `folder`: removes the marker, and with it the folder becomes whole.
    public static func finishRestore(in folder: String) throws(CoreFailure) {
        try FileLayer.remove(folder + "/" + restoreMarker)
    }
}

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

import ArgumentParser
import FieldKitCore
import FieldKitStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The data folder (default: $FIELDKIT_HOME, else ~/.local/share/fieldkit).")
    var dataDir: String?

    @Flag(name: .long, help: "Print one JSON document on stdout instead of text.")
    var json = false

    /// The resolved data folder.
    func dataFolder(_ context: CommandContext) throws(CoreFailure) -> String {
        try DataFolder.resolve(explicit: dataDir, variables: context.environment.variables)
    }

    /// Opens the device's store, holding the folder lock for as long as the result lives.
    func openStore(_ context: CommandContext) throws -> (store: Store, lock: FolderLock, folder: String) {
        let folder = try dataFolder(context)
        guard !DataFolder.isUnfinishedRestore(folder) else { throw StoreFailure.unfinishedRestore(folder: folder) }
        guard FileLayer.exists(folder + "/" + DataFolder.storeName) else {
            throw StoreFailure.notInitialised(folder: folder)
        }
        let lock = try FolderLock(folder: folder)
        return (try Store.open(folder: folder), lock, folder)
    }
}

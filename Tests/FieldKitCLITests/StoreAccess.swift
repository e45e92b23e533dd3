import FieldKitCore
import FieldKitStore

/// Read-only looks into a data folder's store, for assertions.
enum FieldKitStoreAccess {
    static func events(in folder: String) throws -> [Event] {
        try Store.open(folder: folder).events().map(\.event)
    }
}

import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// Read-only looks into a data folder's store, for assertions.
enum FieldKitStoreAccess {
    static func events(in folder: String) throws -> [Event] {
        try Store.open(folder: folder).events().map(\.event)
    }

    static func lines(in folder: String) throws -> [String] {
        try Store.open(folder: folder).events().map { String(decoding: $0.bytes, as: UTF8.self) }
    }
}

/// What a command may not change when it refuses: the events and the bundle in force.
struct StoreState: Equatable {
    var events: [Data]
    var bundle: InstalledBundle?
    var people: Int
}

func storeState(_ folder: String) throws -> StoreState {
    let store = try Store.open(folder: folder)
    return StoreState(
        events: try store.events().map(\.bytes), bundle: try store.installedBundle(), people: try store.counts().people)
}

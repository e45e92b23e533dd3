import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

/// Headquarters' store and folder behind the hub server. Every write (an upload's merge, a
/// fresh receipt) runs here one at a time and under the data folder's lock, so `hub import` or
/// `hub enrol` run by hand meanwhile wait for it or it for them; reads need no lock.
actor HubService {
    let hub: HubFolder
    let store: Store
    let environment: FieldKitEnvironment
    /// How long a write waits for the folder lock before answering 503.
    let lockWait: Duration

    init(folder: String, store: Store, environment: FieldKitEnvironment, lockWait: Duration = .seconds(3)) {
        hub = HubFolder(folder: folder)
        self.store = store
        self.environment = environment
        self.lockWait = lockWait
    }

    /// Where uploads are written while they arrive, one folder each.
    nonisolated var uploads: String { hub.folder + "/uploads" }

    var wall: String { EventTime.wallString(environment.now()) }

    func importer() throws -> HubImport {
        HubImport(
            store: store, hub: hub, keys: try DeviceKeys.load(from: hub.folder), wall: wall, keepsUnverified: false,
            progress: { _ in })
    }

    /// Runs `body` holding the data folder's lock, waiting for it without holding up a thread.
    func locked<T>(_ body: () throws -> T) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: lockWait)
        var lock = HubService.tryLock(hub.folder)
        while case .failure(.folderBusy) = lock, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            lock = HubService.tryLock(hub.folder)
        }
        let held = try lock.get()
        return try withExtendedLifetime(held) { try body() }
    }

    static func tryLock(_ folder: String) -> Result<FolderLock, CoreFailure> {
        Result { () throws(CoreFailure) in try FolderLock(folder: folder, wait: .zero) }
    }

    /// Verifies and merges an upload written to `path` (with its `.minisig` beside it) exactly as
    /// `hub import` would, and says what became of it.
    func merge(_ path: String) async throws -> HubImport.Report {
        try await locked { try importer().run([path]) }
    }

    /// The path of `device`'s newest receipt, written afresh when events arrived since the last
    /// one or when headquarters published a bundle or a trust statement after it; nil for a
    /// device that is not enrolled or is revoked (nobody learns which).
    func receipt(for device: String) async throws -> String? {
        guard let roster = try store.enrolledDevice(device), roster.revokedAfter == nil else { return nil }
        let newest = hub.mailbox.receipts(for: device).last?.path
        if try newest == nil || store.receiptIsBehind(device: device) || isOlderThanPublished(newest) {
            try await locked { _ = try importer().answer([(hub.mailbox, device)]) }
        }
        return hub.mailbox.receipts(for: device).last?.path
    }

    /// Whether the file at `path` was written before the trust statement or the published bundle.
    func isOlderThanPublished(_ path: String?) -> Bool {
        guard let path, let written = FileLayer.modified(path) else { return true }
        let published = [hub.trust + "/" + TrustStatement.fileName, hub.publishedBundle()?.path].compactMap { $0 }
        return published.contains { (FileLayer.modified($0) ?? .distantPast) > written }
    }
}

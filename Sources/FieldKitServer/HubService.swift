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

    /// An importer with headquarters' keys as they are now. Called with the lock held, so no
    /// `hub rotate` comes between; refused when the trust statement does not name the signing
    /// key (a rotation was interrupted), since laptops would refuse every receipt it signed.
    nonisolated static func importer(hub: HubFolder, store: Store, wall: String) throws -> HubImport {
        let keys = try DeviceKeys.load(from: hub.folder)
        _ = try hub.currentTrust(store: store, keys: keys)
        return HubImport(store: store, hub: hub, keys: keys, wall: wall, keepsUnverified: false, progress: { _ in })
    }

    /// Runs `body` on a thread of its own (SQLite, fsync and sealing would hold up Swift's
    /// cooperative pool), holding the data folder's lock, waited for without holding a thread.
    /// The lock is a file lock, so it also keeps two calls of this actor (which may interleave
    /// while one waits) apart.
    func locked<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: lockWait)
        var lock = HubService.tryLock(hub.folder)
        while case .failure(.folderBusy) = lock, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            lock = HubService.tryLock(hub.folder)
        }
        let held = try lock.get()
        return try await offPool { try withExtendedLifetime(held) { try body() } }
    }

    static func tryLock(_ folder: String) -> Result<FolderLock, CoreFailure> {
        Result { () throws(CoreFailure) in try FolderLock(folder: folder, wait: .zero) }
    }

    /// Verifies and merges an upload written to `path` (with its `.minisig` beside it) exactly as
    /// `hub import` would, and says what became of it.
    func merge(_ path: String) async throws -> HubImport.Report {
        let (store, hub, wall) = (store, hub, wall)
        return try await locked { try HubService.importer(hub: hub, store: store, wall: wall).run([path]) }
    }

    /// A receipt as it goes out: its name, bytes and signature, read while the lock is held.
    struct SignedBytes: Sendable {
        var name: String
        var data: Data
        var signature: Data
    }

    /// `device`'s newest receipt, written afresh when events arrived since the last one or when
    /// headquarters published a bundle or a trust statement after it. Nil for a device that is
    /// not enrolled, is revoked, or was never answered: a stranger who guesses an id learns
    /// nothing about the roster until that device has synced.
    func receipt(for device: String) async throws -> SignedBytes? {
        let (store, hub, wall) = (store, hub, wall)
        return try await locked { () throws -> SignedBytes? in
            guard let roster = try store.enrolledDevice(device), roster.revokedAfter == nil else { return nil }
            let newest = hub.mailbox.receipts(for: device).last?.path
            guard try newest != nil || store.receiptWritten(device: device) else { return nil }
            if try newest == nil || store.receiptIsBehind(device: device)
                || HubService.isOlderThanPublished(newest, in: hub)
            {
                _ = try HubService.importer(hub: hub, store: store, wall: wall).answer([(hub.mailbox, device)])
            }
            guard let path = hub.mailbox.receipts(for: device).last?.path else { return nil }
            return SignedBytes(
                name: (path as NSString).lastPathComponent, data: try FileLayer.read(path, limit: 64 << 20),
                signature: try FileLayer.read(path + ".minisig", limit: HubWire.signatureCap))
        }
    }

    /// Whether the file at `path` was written before the trust statement or the published bundle.
    static func isOlderThanPublished(_ path: String?, in hub: HubFolder) -> Bool {
        guard let path, let written = FileLayer.modified(path) else { return true }
        let published = [hub.trust + "/" + TrustStatement.fileName, hub.publishedBundle()?.path].compactMap { $0 }
        return published.contains { (FileLayer.modified($0) ?? .distantPast) > written }
    }
}

/// Runs blocking `work` on a thread of its own and waits for it without holding a thread of
/// Swift's cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

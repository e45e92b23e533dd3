import FieldKitCore
import FieldKitTestSupport
import Testing

@Suite("folder lock")
struct FolderLockTests {
    @Test("a second holder waits, then refuses with 'folder busy'")
    func secondHolderRefused() throws {
        let folder = TemporaryFolder("lock")
        let first = try FolderLock(folder: folder.path)
        #expect(throws: CoreFailure.folderBusy(path: folder.path)) {
            try FolderLock(folder: folder.path, wait: .milliseconds(200))
        }
        withExtendedLifetime(first) {}
    }

    @Test("the lock is free again once its holder is gone")
    func released() throws {
        let folder = TemporaryFolder("lock-release")
        do { _ = try FolderLock(folder: folder.path) }
        _ = try FolderLock(folder: folder.path, wait: .milliseconds(200))
    }
}

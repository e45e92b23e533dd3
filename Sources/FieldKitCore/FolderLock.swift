import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a data folder, held while a command runs.
///
/// A second `fieldkit` on the same folder waits up to `wait` and then refuses with
/// `CoreFailure.folderBusy`; SQLite's own locking stays the guard against corruption.
public final class FolderLock: Sendable {
    private let fd: Int32

    /// Takes the lock on `folder`, polling until `wait` has passed.
    public init(folder: String, wait: Duration = .seconds(3)) throws(CoreFailure) {
        let path = folder + "/" + DataFolder.lockName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .cannotWrite(path: path, code: errno, description: FileLayer.errorText())
        }
        let deadline = ContinuousClock.now.advanced(by: wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                close(fd)
                throw .folderBusy(path: folder)
            }
            usleep(50_000)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file written in pieces under a temp name and moved into place only by `commit()`.
///
/// libarchive's write callbacks land here, so a stick pulled out mid-write leaves a temp file
/// at most, never a short file under the final name.
public final class AtomicFileWriter {
    /// The final path.
    public let path: String
    private let temp: String
    private let mode: mode_t
    private var fd: Int32
    /// Why a write failed, once one has.
    public private(set) var failure: CoreFailure?

    /// Opens a temp file beside `path`.
    public init(path: String, mode: mode_t = 0o644) throws(CoreFailure) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        self.path = path
        self.mode = mode
        self.temp = (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .cannotWrite(path: path, code: errno, description: FileLayer.errorText()) }
    }

    /// Appends bytes; returns false (and remembers why) when the write failed.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil, fd >= 0 else { return false }
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = IOFault.write.strikes() ? -1 : Glibc.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = .cannotWrite(path: path, code: errno, description: FileLayer.errorText())
                return false
            }
            offset += written
        }
        return true
    }

    /// Appends `data`.
    public func write(_ data: Data) throws(CoreFailure) {
        let ok = data.withUnsafeBytes { write($0) }
        if !ok, let failure { throw failure }
    }

    /// fsyncs, renames into place and fsyncs the folder.
    public func commit() throws(CoreFailure) {
        if let failure {
            abort()
            throw failure
        }
        guard FileLayer.applyMode(fd: fd, mode: mode), !IOFault.fsync.strikes(), fsync(fd) == 0 else {
            let failure = CoreFailure.cannotWrite(path: path, code: errno, description: FileLayer.errorText())
            abort()
            throw failure
        }
        close(fd)
        fd = -1
        FaultPoint.fileSynced.reach()
        guard !IOFault.rename.strikes(), rename(temp, path) == 0 else {
            let failure = CoreFailure.cannotWrite(path: path, code: errno, description: FileLayer.errorText())
            unlink(temp)
            throw failure
        }
        FaultPoint.fileRenamed.reach()
        FileLayer.syncFolder(
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }

    /// Removes the temp file; the final path is untouched.
    public func abort() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temp)
    }

    deinit {
        if fd >= 0 { abort() }
    }
}

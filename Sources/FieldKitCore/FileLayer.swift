import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one place that writes files: temp name, fsync, rename, fsync of the folder.
///
/// Nothing written through it is ever seen half-written under its final name.
public enum FileLayer {
    /// Writes `data` to `path` atomically, with `mode` permission bits.
    public static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws(CoreFailure) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temp = (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .cannotWrite(path: path, code: errno, description: errorText()) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            try writeAll(fd: fd, data: data, path: path)
            guard applyMode(fd: fd, mode: mode), !IOFault.fsync.strikes(), fsync(fd) == 0 else {
                let code = errno
                close(fd)
                throw CoreFailure.cannotWrite(path: path, code: code, description: errorText(code))
            }
        } catch let failure as CoreFailure {
            throw failure
        } catch {
            throw .cannotWrite(path: path, code: 0, description: "\(error)")
        }
        guard close(fd) == 0 else { throw .cannotWrite(path: path, code: errno, description: errorText()) }
        FaultPoint.fileSynced.reach()
        guard !IOFault.rename.strikes(), Glibc.rename(temp, path) == 0 else {
            throw .cannotWrite(path: path, code: errno, description: errorText())
        }
        ok = true
        FaultPoint.fileRenamed.reach()
        syncFolder(folder.isEmpty ? "." : folder)
    }

    /// A file's size from `stat`, read before any of its bytes.
    public static func size(of path: String) throws(CoreFailure) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .cannotRead(path: path, code: errno, description: errorText())
        }
        return Int64(info.st_size)
    }

    /// Reads a whole file, refusing one larger than `limit` bytes before reading it.
    public static func read(_ path: String, limit: Int) throws(CoreFailure) -> Data {
        guard try size(of: path) <= Int64(limit) else { throw .tooLarge(path: path, limit: limit) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotRead(path: path, code: errno, description: errorText())
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            guard data.count <= limit else { throw CoreFailure.tooLarge(path: path, limit: limit) }
            return data
        } catch let failure as CoreFailure {
            throw failure
        } catch {
            throw .cannotRead(path: path, code: 0, description: "\(error)")
        }
    }

    /// Reads a small text file.
    public static func readText(_ path: String, limit: Int = 1 << 20) throws(CoreFailure) -> String {
        let data = try read(path, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalidValue(what: "text file \(path)", reason: "it is not UTF-8")
        }
        return text
    }

    /// Whether something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// When `path` was last modified (to the nanosecond the file system keeps), nil if missing.
    public static func modified(_ path: String) -> Date? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Date(
            timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Whether `path` is a folder.
    public static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The permission bits of `path`.
    public static func permissions(of path: String) throws(CoreFailure) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .missingFile(path: path) }
            throw .cannotRead(path: path, code: errno, description: errorText())
        }
        return info.st_mode & 0o7777
    }

    /// Creates a folder and its parents (mode 0700 for new ones).
    public static func makeFolder(_ path: String, mode: mode_t = 0o700) throws(CoreFailure) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: NSNumber(value: mode)])
        } catch {
            throw .cannotWrite(path: path, code: 0, description: (error as NSError).localizedDescription)
        }
    }

    /// Probes that `folder` takes a new file by writing and removing one: permission bits lie
    /// on FAT sticks and read-only mounts.
    public static func probeWritable(_ folder: String) throws(CoreFailure) {
        let probe = folder + "/.fieldkit-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: folder, code: errno, description: errorText()) }
        close(fd)
        unlink(probe)
    }

    /// The names in a folder, sorted; empty when it does not exist.
    public static func list(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Sets `mode` on an open file. A FAT stick cannot hold permission bits and refuses the
    /// change; that is accepted for public files, never for secret ones (no group or other bits).
    static func applyMode(fd: Int32, mode: mode_t) -> Bool {
        fchmod(fd, mode) == 0 || mode & 0o077 != 0
    }

    /// Renames `source` over `target` (one step: `target` is the old file or the new one, never
    /// a mix) and flushes the folder, as the last step of a write made elsewhere.
    public static func rename(_ source: String, over target: String) throws(CoreFailure) {
        guard !IOFault.rename.strikes(), Glibc.rename(source, target) == 0 else {
            throw .cannotWrite(path: target, code: errno, description: errorText())
        }
        FaultPoint.fileRenamed.reach()
        syncFolder(folderOf(target))
    }

    /// Removes the file at `path` and flushes its folder; a file already gone is no failure.
    public static func remove(_ path: String) throws(CoreFailure) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .cannotWrite(path: path, code: errno, description: errorText())
        }
        FaultPoint.fileRemoved.reach()
        syncFolder(folderOf(path))
    }

    /// The folder a file is in: `.` for a bare name.
    public static func folderOf(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// Flushes a folder's entries so a rename in it survives a power cut.
    public static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func writeAll(fd: Int32, data: Data, path: String) throws(CoreFailure) {
        var failure: CoreFailure?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = IOFault.write.strikes() ? -1 : write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .cannotWrite(path: path, code: errno, description: errorText())
                    return
                }
                offset += written
            }
        }
        if let failure {
            close(fd)
            throw failure
        }
    }

    /// The text of `code` (default: the current errno).
    public static func errorText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

import CArchive
import FieldKitCore
import FieldKitCrypto
import Foundation

/// Writes archives no honest packer would: any entry type, any name, any manifest.
enum HostileArchive {
    enum Kind {
        case file(Data)
        case symlink(String)
        case hardlink(String)
        case device
        case fifo
        case folder
        /// A regular file of `size` zero bytes, written without holding it in memory.
        case zeros(Int)
    }

    struct Entry {
        var name: String
        var kind: Kind
        /// Raw name bytes, for names that are not valid UTF-8.
        var rawName: [CChar]? = nil
    }

    static func write(_ entries: [Entry], to path: String) throws {
        guard let archive = archive_write_new() else { throw CoreFailure.invalidValue(what: "archive", reason: "oom") }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_zstd(archive)
        guard archive_write_open_filename(archive, path) == ARCHIVE_OK else {
            throw CoreFailure.cannotWrite(path: path, code: 0, description: "libarchive")
        }
        for item in entries {
            guard let entry = archive_entry_new() else { continue }
            defer { archive_entry_free(entry) }
            if let raw = item.rawName {
                archive_entry_set_pathname(entry, raw)
            } else {
                archive_entry_set_pathname_utf8(entry, item.name)
            }
            archive_entry_set_perm(entry, 0o644)
            var data = Data()
            var zeros = 0
            switch item.kind {
            case .file(let bytes):
                archive_entry_set_filetype(entry, FK_AE_IFREG)
                data = bytes
            case .zeros(let size):
                archive_entry_set_filetype(entry, FK_AE_IFREG)
                zeros = size
            case .symlink(let target):
                archive_entry_set_filetype(entry, FK_AE_IFLNK)
                archive_entry_set_symlink(entry, target)
            case .hardlink(let target):
                archive_entry_set_filetype(entry, FK_AE_IFREG)
                archive_entry_set_hardlink(entry, target)
            case .device:
                archive_entry_set_filetype(entry, FK_AE_IFCHR)
                archive_entry_set_rdev(entry, dev_t(makedevValue(1, 3)))
            case .fifo:
                archive_entry_set_filetype(entry, FK_AE_IFIFO)
            case .folder:
                archive_entry_set_filetype(entry, FK_AE_IFDIR)
            }
            archive_entry_set_size(entry, la_int64_t(data.count + zeros))
            archive_write_header(archive, entry)
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
            if zeros > 0 {
                let chunk = [UInt8](repeating: 0, count: 1 << 20)
                var left = zeros
                while left > 0 {
                    let count = min(left, chunk.count)
                    _ = chunk.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, count) }
                    left -= count
                }
            }
        }
        archive_write_close(archive)
    }

    static func makedevValue(_ major: UInt32, _ minor: UInt32) -> UInt64 {
        (UInt64(major) << 8) | UInt64(minor)
    }

    /// A manifest listing `files` (name, bytes) as a bundle manifest would.
    static func manifest(_ files: [(String, Data)], extra: [(String, Int, String)] = []) -> Data {
        let entries =
            files.map { "{\"name\":\"\($0.0)\",\"sha256\":\"\(Hashing.sha256Hex($0.1))\",\"size\":\($0.1.count)}" }
            + extra.map { "{\"name\":\"\($0.0)\",\"sha256\":\"\($0.2)\",\"size\":\($0.1)}" }
        return Data("{\"entries\":[\(entries.joined(separator: ","))],\"format\":1,\"kind\":\"bundle\"}".utf8)
    }
}

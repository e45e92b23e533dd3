import CArchive
import FieldKitCore
import FieldKitCrypto
import Foundation

/// Reads a tar + zstd container whose signature has already been checked, refusing anything
/// but regular files named in its manifest, and checking every size and hash.
///
/// Nothing is written to disk: entries come back in memory, bounded by `limits`.
public enum ArchiveReader {
    /// Reads and checks `data` (the whole container, already verified).
    public static func read(_ data: Data, limits: ArchiveLimits) throws(ArchiveFailure) -> ArchiveContents {
        guard let archive = archive_read_new() else { throw .library("out of memory") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_zstd(archive)
        archive_read_support_format_tar(archive)
        let result: Result<ArchiveContents, ArchiveFailure> = data.withUnsafeBytes { buffer in
            guard archive_read_open_memory(archive, buffer.baseAddress, buffer.count) == ARCHIVE_OK else {
                return .failure(.library(ArchiveWriter.errorText(archive)))
            }
            do throws(ArchiveFailure) { return .success(try readEntries(archive, limits: limits)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func readEntries(_ archive: OpaquePointer, limits: ArchiveLimits) throws(ArchiveFailure)
        -> ArchiveContents
    {
        var manifest: ArchiveManifest?
        var listed: [String: ArchiveManifest.Entry] = [:]
        var files: [String: Data] = [:]
        var count = 0
        var total = 0
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw .library(ArchiveWriter.errorText(archive))
            }
            count += 1
            guard count <= limits.maximumEntries else {
                throw .limitExceeded("more than \(limits.maximumEntries) entries")
            }
            let type = archive_entry_filetype(entry)
            guard UInt32(type) == FK_AE_IFREG, archive_entry_hardlink(entry) == nil, archive_entry_symlink(entry) == nil
            else {
                throw .forbiddenEntryType(name: displayName(entry), kind: kindName(UInt32(type), entry: entry))
            }
            let name = try entryName(entry)
            guard files[name] == nil, !(name == ArchiveManifest.entryName && manifest != nil) else {
                throw .duplicateEntry(name)
            }
            if manifest == nil {
                guard name == ArchiveManifest.entryName else {
                    throw .badManifest("manifest.json is not the first entry")
                }
                let bytes = try readData(archive, name: name, limit: min(limits.maximumEntrySize, 16 << 20))
                total += bytes.count
                manifest = try decodeManifest(bytes, limits: limits)
                for item in manifest?.entries ?? [] { listed[item.name] = item }
                continue
            }
            guard let expected = listed[name] else { throw .notInManifest(name) }
            guard expected.size <= limits.maximumEntrySize else {
                throw .limitExceeded("\(name) is larger than \(limits.maximumEntrySize) bytes")
            }
            guard total + expected.size <= limits.maximumTotalSize else {
                throw .limitExceeded("more than \(limits.maximumTotalSize) bytes unpacked")
            }
            let bytes = try readData(archive, name: name, limit: expected.size)
            guard bytes.count == expected.size, Hashing.sha256Hex(bytes) == expected.sha256 else {
                throw .hashMismatch(name)
            }
            total += bytes.count
            files[name] = bytes
        }
        guard let manifest else { throw .badManifest("the archive holds no manifest.json") }
        for item in manifest.entries where files[item.name] == nil { throw .missingEntry(item.name) }
        return ArchiveContents(manifest: manifest, files: files)
    }

    private static func decodeManifest(_ bytes: Data, limits: ArchiveLimits) throws(ArchiveFailure) -> ArchiveManifest {
        guard let manifest = try? JSONDecoder().decode(ArchiveManifest.self, from: bytes) else {
            throw .badManifest("manifest.json is not a valid manifest")
        }
        guard manifest.entries.count < limits.maximumEntries else {
            throw .limitExceeded("the manifest lists more than \(limits.maximumEntries) entries")
        }
        var seen = Set<String>()
        for item in manifest.entries {
            try checkName(item.name)
            guard item.name != ArchiveManifest.entryName, seen.insert(item.name).inserted else {
                throw .badManifest("the manifest lists \(item.name) twice")
            }
            guard item.size >= 0, item.sha256.count == 64 else {
                throw .badManifest("bad size or hash for \(item.name)")
            }
        }
        return manifest
    }

    private static func entryName(_ entry: OpaquePointer) throws(ArchiveFailure) -> String {
        guard let raw = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry) else {
            throw .unsafeName("(an entry without a valid UTF-8 name)")
        }
        guard let name = String(validatingCString: raw) else { throw .unsafeName("(invalid UTF-8)") }
        try checkName(name)
        return name
    }

    /// The entry's name for a message, trailing slash of folders removed, without judging it.
    private static func displayName(_ entry: OpaquePointer) -> String {
        guard let raw = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry) else { return "(unnamed)" }
        let name = String(decoding: Data(bytes: raw, count: strlen(raw)), as: UTF8.self)
        return String((name.hasSuffix("/") ? String(name.dropLast()) : name).prefix(80))
    }

    /// Refuses absolute paths, `..`, empty parts, backslashes and control characters.
    static func checkName(_ name: String) throws(ArchiveFailure) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("/"),
            !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            !name.contains("\\"),
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .unsafeName(String(name.prefix(80))) }
    }

    private static func readData(_ archive: OpaquePointer, name: String, limit: Int) throws(ArchiveFailure) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let read = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if read == 0 { break }
            guard read > 0 else { throw .library(ArchiveWriter.errorText(archive)) }
            guard data.count + read <= limit else { throw .hashMismatch(name) }
            data.append(contentsOf: chunk[0..<read])
        }
        return data
    }

    private static func kindName(_ type: UInt32, entry: OpaquePointer) -> String {
        if archive_entry_hardlink(entry) != nil { return "hard link" }
        switch type {
        case FK_AE_IFLNK: return "symbolic link"
        case FK_AE_IFDIR: return "folder"
        case FK_AE_IFCHR, FK_AE_IFBLK: return "device node"
        case FK_AE_IFIFO: return "FIFO"
        case FK_AE_IFSOCK: return "socket"
        default: return "special file"
        }
    }
}

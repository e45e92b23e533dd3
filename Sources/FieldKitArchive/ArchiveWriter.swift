import CArchive
import FieldKitCore
import FieldKitCrypto
import Foundation

/// Writes tar (pax) + zstd containers with `manifest.json` first, through the atomic file layer.
public enum ArchiveWriter {
    /// Writes `entries` under a manifest of `kind` to `path` atomically (the file gets `mode`
    /// from its first byte); returns the manifest.
    ///
    /// Entries get fixed metadata (mtime `modified`, uid/gid 0, mode 0644), so the same input
    /// makes the same tar stream. With `sealing`, the tar + zstd stream is sealed as it is
    /// written (Sync/SPEC.md §16.1): no readable byte reaches the file, not even for a moment.
    @discardableResult
    public static func write(
        entries: [ArchiveEntry], kind: String, to path: String, modified: Int64 = 0, level: Int = 3,
        mode: mode_t = 0o644, sealing: SealingTarget? = nil
    ) throws(ArchiveFailure) -> ArchiveManifest {
        let manifest = ArchiveManifest(
            kind: kind,
            entries: entries.map { .init(name: $0.name, size: $0.data.count, sha256: Hashing.sha256Hex($0.data)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let manifestData = try? encoder.encode(manifest) else { throw .badManifest("it could not be encoded") }
        let sink: Sink
        do { sink = try Sink(file: try AtomicFileWriter(path: path, mode: mode), sealing: sealing) } catch {
            throw ArchiveWriter.failure(error, path: path)
        }
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        guard let archive = archive_write_new() else { throw .library("out of memory") }
        defer { archive_write_free(archive) }
        archive_write_set_format_pax_restricted(archive)
        archive_write_add_filter_zstd(archive)
        archive_write_set_filter_option(archive, "zstd", "compression-level", "\(level)")
        archive_write_set_bytes_in_last_block(archive, 1)
        let opened = archive_write_open2(
            archive, box.toOpaque(), nil,
            { _, client, buffer, length in
                guard let client, let buffer else { return -1 }
                let writer = Unmanaged<Sink>.fromOpaque(client).takeUnretainedValue()
                return writer.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : -1
            }, nil, nil)
        // A failure once bytes flow is the disk's when the file says so, else libarchive's.
        func failed() -> ArchiveFailure {
            let failure =
                sink.file.failure.map { ArchiveWriter.failure($0, path: path) } ?? .library(errorText(archive))
            sink.abort()
            return failure
        }
        guard opened == ARCHIVE_OK else { throw failed() }
        let all = [ArchiveEntry(name: ArchiveManifest.entryName, data: manifestData)] + entries
        for item in all {
            guard let entry = archive_entry_new() else {
                sink.abort()
                throw .library("out of memory")
            }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, item.name)
            archive_entry_set_size(entry, la_int64_t(item.data.count))
            archive_entry_set_filetype(entry, FK_AE_IFREG)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_mtime(entry, time_t(modified), 0)
            archive_entry_set_uid(entry, 0)
            archive_entry_set_gid(entry, 0)
            guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failed() }
            let written = item.data.withUnsafeBytes { buffer in
                archive_write_data(archive, buffer.baseAddress, buffer.count)
            }
            guard written == item.data.count else { throw failed() }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failed() }
        do { try sink.commit() } catch { throw ArchiveWriter.failure(error, path: path) }
        return manifest
    }

    /// A failure of the file under the archive as the archive's: a write the disk refused is
    /// an I/O error to retry, not a damaged archive.
    static func failure(_ error: any Error, path: String) -> ArchiveFailure {
        if case .cannotWrite(_, _, let description) = error as? CoreFailure {
            return .cannotWrite(path: path, reason: description)
        }
        return .library((error as? any FieldKitError)?.message ?? "\(error)")
    }

    /// Where libarchive's bytes go: straight to the file, or through a sealer first.
    final class Sink {
        let file: AtomicFileWriter
        var sealer: Sealing.Sealer?

        init(file: AtomicFileWriter, sealing: SealingTarget?) throws {
            self.file = file
            if let sealing {
                let sealer = try Sealing.Sealer(
                    to: sealing.recipient, associatedData: sealing.associatedData, seed: sealing.seed)
                guard sealer.header.withUnsafeBytes({ file.write($0) }) else {
                    file.abort()
                    throw CoreFailure.cannotWrite(path: file.path, code: 0, description: "the header was not written")
                }
                self.sealer = sealer
            }
        }

        func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
            guard sealer != nil else { return file.write(bytes) }
            guard let sealed = try? sealer?.update(bytes) else { return false }
            return sealed.isEmpty || write(sealed)
        }

        func write(_ data: Data) -> Bool { data.withUnsafeBytes { file.write($0) } }

        func commit() throws {
            if sealer != nil {
                guard let last = try sealer?.finish(), write(last) else {
                    file.abort()
                    throw CoreFailure.cannotWrite(
                        path: file.path, code: 0, description: "the last chunk was not sealed")
                }
            }
            try file.commit()
        }

        func abort() { file.abort() }
    }

    static func errorText(_ archive: OpaquePointer?) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

import FieldKitArchive
import FuzzSupport

/// The archive reader on any bytes: tar + zstd with the manifest first, every entry checked
/// against it, never past its limits.
func fuzzArchive(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let contents = try? ArchiveReader.read(Fuzz.data(start, count), limits: Fuzz.archiveLimits) {
        Fuzz.require(contents.files.count == contents.manifest.entries.count, "every listed entry is read")
        Fuzz.require(contents.files.count <= Fuzz.archiveLimits.maximumEntries, "the entry cap holds")
    }
    return 0
}

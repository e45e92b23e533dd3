import FieldKitArchive
import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("tar + zstd containers")
struct ArchiveRoundTripTests {
    static let limits = ArchiveLimits(maximumEntries: 10, maximumEntrySize: 1 << 20, maximumTotalSize: 2 << 20)

    @Test("what the writer writes, the reader reads back with the manifest first, and stock tar and zstd agree")
    func roundTrip() throws {
        let folder = TemporaryFolder("archive")
        let path = folder.appending("a.tar.zst")
        let entries = [
            ArchiveEntry(name: "events.jsonl", data: Data("{\"seq\":1}\n".utf8)),
            ArchiveEntry(name: "blobs/0a1b", data: Data(repeating: 0xAB, count: 70_000)),
            ArchiveEntry(name: "empty", data: Data()),
        ]
        let manifest = try ArchiveWriter.write(entries: entries, kind: "test", to: path)
        let contents = try ArchiveReader.read(try FileLayer.read(path, limit: 1 << 22), limits: Self.limits)
        #expect(contents.manifest == manifest)
        #expect(contents.files.count == 3)
        for entry in entries { #expect(contents.files[entry.name] == entry.data) }

        let listing = try Tools.run("tar", ["--zstd", "-tvf", path])
        #expect(listing.status == 0)
        let names = listing.stdout.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(names == ["manifest.json", "events.jsonl", "blobs/0a1b", "empty"])
        let extracted = try Tools.run("sh", ["-c", "zstd -dc '\(path)' | tar -xOf - events.jsonl"])
        #expect(extracted.stdout == "{\"seq\":1}\n")
        let bsdtar = try Tools.run("bsdtar", ["-tf", path])
        #expect(bsdtar.stdout.split(separator: "\n").count == 4)
    }

    @Test("the same entries make the same bytes")
    func deterministic() throws {
        let folder = TemporaryFolder("archive-det")
        let entries = [ArchiveEntry(name: "x", data: Data("same".utf8))]
        try ArchiveWriter.write(entries: entries, kind: "test", to: folder.appending("1"))
        try ArchiveWriter.write(entries: entries, kind: "test", to: folder.appending("2"))
        #expect(
            try FileLayer.read(folder.appending("1"), limit: 1 << 20)
                == (try FileLayer.read(folder.appending("2"), limit: 1 << 20)))
    }

    @Test("a truncated archive is refused, never read as a shorter one")
    func truncated() throws {
        let folder = TemporaryFolder("archive-cut")
        let path = folder.appending("a.tar.zst")
        try ArchiveWriter.write(
            entries: [
                ArchiveEntry(name: "big", data: Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
            ],
            kind: "test", to: path)
        let data = try FileLayer.read(path, limit: 1 << 22)
        for cut in [data.count / 4, data.count / 2, data.count - 8] {
            #expect(throws: ArchiveFailure.self) { try ArchiveReader.read(data.prefix(cut), limits: Self.limits) }
        }
    }

    @Test(
        "cut at every tar block (recompressed by the stock zstd) or at every byte of the zstd stream: refused, or read whole, never shorter"
    )
    func cutAtBoundaries() throws {
        let folder = TemporaryFolder("archive-boundaries")
        let path = folder.appending("a.tar.zst")
        try ArchiveWriter.write(
            entries: [
                ArchiveEntry(name: "events.jsonl", data: Data(repeating: 0x61, count: 1_500) + Data("\n".utf8)),
                ArchiveEntry(name: "blobs/0a1b", data: Data((0..<3_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })),
                ArchiveEntry(name: "empty", data: Data()),
            ], kind: "test", to: path)
        let compressed = try FileLayer.read(path, limit: 1 << 22)
        let whole = try ArchiveReader.read(compressed, limits: Self.limits)
        /// What the reader makes of `bytes`: nil when it refuses them, and never a part of `whole`.
        func outcome(_ bytes: Data, _ what: String) -> ArchiveContents? {
            do {
                let read = try ArchiveReader.read(bytes, limits: Self.limits)
                #expect(read == whole, "\(what) was read as another archive")
                return read
            } catch {
                return nil  // an ArchiveFailure: the reader throws nothing else
            }
        }

        // The tar stream inside, cut at each 512-byte block: headers, pax records, entry data and
        // the end-of-archive blocks.
        let unpacked = try Tools.run("zstd", ["-dqf", path, "-o", folder.appending("a.tar")])
        try #require(unpacked.status == 0, "\(unpacked.stderr)")
        let tar = try FileLayer.read(folder.appending("a.tar"), limit: 1 << 22)
        try #require(tar.count % 512 == 0 && tar.count > 4 * 512)
        var refusedBlocks = 0
        for cut in stride(from: 0, to: tar.count, by: 512) {
            try FileLayer.writeAtomically(tar.prefix(cut), to: folder.appending("cut.tar"))
            let packed = try Tools.run(
                "zstd", ["-qf", folder.appending("cut.tar"), "-o", folder.appending("cut.tar.zst")])
            try #require(packed.status == 0, "\(packed.stderr)")
            let bytes = try FileLayer.read(folder.appending("cut.tar.zst"), limit: 1 << 22)
            if outcome(bytes, "the tar stream cut at \(cut)") == nil { refusedBlocks += 1 }
        }
        // Every cut before the last entry's header is refused (the entries the manifest lists are
        // missing); only the trailing end-of-archive blocks may go unnoticed.
        #expect(refusedBlocks >= tar.count / 512 - 3, "only \(refusedBlocks) of \(tar.count / 512) cuts refused")

        // The zstd stream, cut at every byte: its frames and blocks end anywhere.
        var refusedBytes = 0
        for cut in 0..<compressed.count where outcome(compressed.prefix(cut), "the zstd stream cut at \(cut)") == nil {
            refusedBytes += 1
        }
        #expect(refusedBytes == compressed.count, "a zstd stream cut short was read")
    }

    @Test("a write into a folder that does not exist fails and leaves no file")
    func unwritable() throws {
        let folder = TemporaryFolder("archive-missing")
        #expect(throws: ArchiveFailure.self) {
            try ArchiveWriter.write(entries: [], kind: "test", to: folder.appending("no/such/a.tar.zst"))
        }
        #expect(FileLayer.list(folder.path).isEmpty)
    }
}

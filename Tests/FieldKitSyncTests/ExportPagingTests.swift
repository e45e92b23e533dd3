import FieldKitCore
import FieldKitStore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitSync

@Suite("sync: export reads the log a page at a time and writes only what no archive covers")
struct ExportPagingTests {
    /// A sync of `device` that reads `pageSize` events at a time.
    func sync(_ device: TestDevice, _ stick: Mailbox, pageSize: Int) throws -> DeviceSync.Report {
        device.clock.advance(60)
        var sync = DeviceSync(
            store: device.store, dataFolder: device.folder, keys: device.keys, mailbox: stick,
            wall: EventTime.wallString(device.clock.now))
        sync.pageSize = pageSize
        return try sync.run(dryRun: false)
    }

    @Test("pages of two events give the same archives as one page, and a lost archive is written again alone")
    func pagesAndHoles() throws {
        let world = try SyncWorld("export-paging")
        let laptop = try world.device("laptop-a", site: "AMS-01")
        for number in 1...4 { try laptop.repair(String(format: "LO-VN-%06d", number)) }
        let stick = try world.stick()
        let first = try sync(laptop, stick, pageSize: 2)
        #expect(first.written == [SeqRange(1, 4)], "a page boundary does not split an archive")
        #expect(first.undelivered == 4)

        for number in 5...7 { try laptop.repair(String(format: "LO-VN-%06d", number)) }
        let second = try sync(laptop, stick, pageSize: 2)
        #expect(second.kept == [SeqRange(1, 4)])
        #expect(second.written == [SeqRange(5, 7)])
        #expect(second.undelivered == 7)

        // The first archive is lost from the stick: only its events are written again.
        Mailbox.remove(signed: try #require(stick.archives(of: laptop.id).first { $0.range == SeqRange(1, 4) }).path)
        let third = try sync(laptop, stick, pageSize: 3)
        #expect(third.kept == [SeqRange(5, 7)])
        #expect(third.written == [SeqRange(1, 4)])

        // Headquarters takes both and every event arrives once.
        let imported = try world.importAt([stick.folder])
        #expect(imported.acceptedEvents == 7)
        #expect(try world.hubStore.counts().events == 7)
    }

    @Test("the batcher closes an archive at a gap in the seqs and at the content target")
    func batcher() throws {
        let world = try SyncWorld("export-batcher")
        let laptop = try world.device("laptop-a", site: "AMS-01")
        for number in 1...5 { try laptop.repair(String(format: "LO-VN-%06d", number)) }
        let events = try laptop.store.undeliveredEvents()
        var batcher = ChangeArchive.Batcher { _ in nil }
        var batches: [[Int64]] = []
        // Seqs 1, 2, 4, 5: the missing 3 closes the first archive.
        for stored in events where stored.event.seq != 3 {
            if let batch = try batcher.add(stored) { batches.append(batch.map(\.event.seq)) }
        }
        if let batch = batcher.finish() { batches.append(batch.map(\.event.seq)) }
        #expect(batches == [[1, 2], [4, 5]])
        #expect(batcher.finish() == nil, "finish empties the batcher")

        // A photo as large as the content target: the next event starts a new archive.
        let photo = String(repeating: "a", count: 64)
        let big = try laptop.repair("LO-VN-000006", photos: [photo])
        var sized = ChangeArchive.Batcher { $0 == photo ? ChangeArchive.contentTarget - 100 : nil }
        var split: [[Int64]] = []
        for stored in try laptop.store.undeliveredEvents() where stored.event.seq >= 5 {
            if let batch = try sized.add(stored) { split.append(batch.map(\.event.seq)) }
        }
        if let batch = sized.finish() { split.append(batch.map(\.event.seq)) }
        #expect(split == [[5], [big.event.seq]])
    }
}

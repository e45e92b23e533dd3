import FieldKitCore
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

@Suite("sync: headquarters' state does not depend on the order or batching of imports")
struct OrderFreeTests {
    @Test("the same archives in 100 seeded orders and batchings, with duplicates, overlaps and gaps, give one digest")
    func anyOrderAnyBatching() throws {
        let world = try SyncWorld("order-free")
        let stick = try world.stick()
        let devices = [
            try world.device("laptop-a", site: "AMS-01"), try world.device("laptop-b", site: "CUR-01"),
            try world.device("laptop-c", site: "CUR-02"),
        ]
        var random = SeededRandom(seed: 2026)
        let tags = SyncWorld.snapshot.keys.sorted()
        let sites = ["AMS-01", "CUR-01", "CUR-02", "DEPOT"]
        // Concurrent moves and repairs of shared instruments, each device exporting every few events.
        for round in 0..<24 {
            let device = devices[Int(random.next() % 3)]
            let tag = tags[Int(random.next() % UInt64(tags.count))]
            if random.next() % 2 == 0 {
                try device.move(tag, to: sites[Int(random.next() % UInt64(sites.count))])
            } else {
                try device.repair(tag)
            }
            if round % 4 == 3 { try device.sync(stick) }
        }
        for device in devices { try device.sync(stick) }
        var archives = devices.flatMap { stick.archives(of: $0.id).map(\.path) }
        // An overlapping re-export of the first device's whole log, in new bytes.
        let overlap = world.folder.appending("overlap")
        try FileLayer.makeFolder(overlap)
        archives.append(
            try ChangeArchive.write(
                try devices[0].store.events(of: devices[0].id), people: [], blobs: [:], key: devices[0].keys.signing,
                created: "2030-01-01T00:00:00.000Z", receipt: 0, sealTo: world.hubKeys.sealing.publicKey, into: overlap)
        )
        #expect(archives.count >= 8)

        var digests: [String: Int] = [:]
        for run in 0..<100 {
            let (hub, store) = try world.freshHub("run-\(run)", enrolling: devices)
            var order = archives.shuffled(using: &random)
            for _ in 0..<Int(random.next() % 4) {
                order.insert(
                    archives[Int(random.next() % UInt64(archives.count))], at: Int(random.next() % UInt64(order.count)))
            }
            while !order.isEmpty {
                let size = 1 + Int(random.next() % 4)
                let batch = Array(order.prefix(size))
                order.removeFirst(min(size, order.count))
                let report = try world.importAt(batch, store: store, hub: hub)
                #expect(report.problems == 0)
            }
            #expect(try store.hubSummaries().allSatisfy { $0.gaps.isEmpty && $0.through == $0.highest })
            let digest = try store.stateDigest()
            digests[digest, default: 0] += 1
            // The states made by folding each archive on the kept folds equal whole-history folds.
            try store.refoldAllInstruments()
            #expect(try store.stateDigest() == digest, "run \(run): kept folds and whole histories differ")
        }
        #expect(digests.count == 1, "\(digests)")
        #expect(digests.values.first == 100)
    }
}

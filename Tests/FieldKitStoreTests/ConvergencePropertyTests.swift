import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitStore

/// The order-free property of `ConvergenceTests`, over many histories rather than one: each
/// case merges one seeded history into a fresh store in its own order and batching.
@Suite("order-free state over many histories")
struct ConvergencePropertyTests {
    static let histories = 50
    static let casesPerHistory = 20

    /// A fresh store for each case, copied from one made and filled with content once per
    /// history (making a store runs every migration; copying its file does not).
    struct Template {
        let folder = TemporaryFolder("convergence-template")

        init() throws {
            // The store is closed at the end of this scope, its log checkpointed into the file.
            _ = try ConvergenceTests.store(in: folder, id: "00000000000000ff")
        }

        func fresh(_ label: String) throws -> (TemporaryFolder, Store) {
            let copy = TemporaryFolder(label)
            for name in FileLayer.list(folder.path) where name.hasPrefix(DataFolder.storeName) {
                try FileManager.default.copyItem(atPath: folder.appending(name), toPath: copy.appending(name))
            }
            return (copy, try Store.open(folder: copy.path))
        }
    }

    @Test(
        "1,000 cases: 50 seeded histories, each merged in 20 seeded orders and batchings with duplicates, withheld events and forged forks, give one state per history"
    )
    func manyHistories() throws {
        var cases = 0
        var forksRefused = 0
        for history in 0..<Self.histories {
            let seed = 20_261_128 &+ UInt64(history) &* 7_919
            let events = try ConvergenceTests.history(seed: seed)
            let template = try Template()
            let (referenceFolder, reference) = try template.fresh("convergence-reference")
            try reference.merge(events)
            let expected = try reference.stateDigest()
            withExtendedLifetime(referenceFolder) {}
            var random = SeededRandom(seed: seed)
            for run in 0..<Self.casesPerHistory {
                let (folder, store) = try template.fresh("convergence-case")
                defer { withExtendedLifetime(folder) {} }
                var stream = events.shuffled(using: &random)
                // Duplicates: some events arrive twice, anywhere.
                for _ in 0..<random.below(5) {
                    stream.insert(events[random.below(events.count)], at: random.below(stream.count))
                }
                // Gaps: some events are withheld until the very end (a stick that comes back late).
                var withheld: [StoredEvent] = []
                for _ in 0..<random.below(4) {
                    withheld.append(stream.remove(at: random.below(stream.count)))
                }
                var merged: [StoredEvent] = []
                while !stream.isEmpty {
                    let size = 1 + random.below(min(stream.count, 12))
                    let batch = Array(stream.prefix(size))
                    stream.removeFirst(size)
                    try store.merge(batch)
                    merged += batch
                    // Now and then a forged event at a seq already held: refused, nothing changed.
                    if random.below(3) == 0, let genuine = merged.randomElement(using: &random) {
                        var forged = genuine.event
                        forged.payload = .object(["tag": .string(ConvergenceTests.tags[0]), "to": .string("forged")])
                        let before = try store.stateDigest()
                        #expect(throws: StoreFailure.self, "seed \(seed), run \(run)") {
                            try store.merge([try StoredEvent(encoding: forged)])
                        }
                        #expect(
                            try store.stateDigest() == before, "seed \(seed), run \(run): a refused fork changed state")
                        forksRefused += 1
                    }
                }
                try store.merge(withheld)
                let digest = try store.stateDigest()
                #expect(digest == expected, "seed \(seed), run \(run): the state depends on the order")
                cases += 1
                if digest != expected { return }
            }
        }
        #expect(cases == 1_000)
        #expect(forksRefused > 500, "only \(forksRefused) forged forks were offered")
    }
}

import FieldKitCore
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

@Suite("sync: received clocks")
struct ClockTests {
    @Test("an event from a laptop stuck in 2038 arrives in a receipt but does not drag this device's clock")
    func futureEventsDoNotDragTheClock() throws {
        let world = try SyncWorld("clock-2038")
        let device = try world.device("laptop-a", site: "AMS-01")
        let near = try device.repair("LO-VN-000001")
        func foreign(_ millis: Int64, seq: Int64, prev: String?) throws -> StoredEvent {
            try StoredEvent(
                encoding: Event(
                    id: String(format: "%032x", 9000 + seq), device: "fedcba9876543210", seq: seq,
                    hlc: HLCTimestamp(millis: millis, counter: 0), wall: "x", offsetMinutes: 0, date: "2026-03-14",
                    site: "AMS-01", author: nil, bundle: nil, type: EventType.repairLogged,
                    payload: .object(["tag": .string("LO-VN-000002")]), prev: prev))
        }
        let hour = near.event.hlc.millis + 3_600_000
        let first = try foreign(hour, seq: 1, prev: nil)
        let stuck = try foreign(2_150_000_000_000, seq: 2, prev: first.hash)
        _ = try device.store.apply(
            ReceiptApplication(version: 1, through: 1, events: [first, stuck], people: []), wall: "w")
        let next = try device.repair("LO-VN-000003")
        #expect(next.event.hlc.millis == hour, "an hour ahead is received")
        #expect(next.event.hlc.counter == 1)
        #expect(next.event.hlc.millis < 2_000_000_000_000, "2038 is ignored")
    }
}

@Suite("sync: wrong clocks at headquarters")
struct WrongClockTests {
    @Test("a laptop stuck in 2038 wins no conflict by its clock; headquarters flags its clock, and 1970 and jumps back")
    func wrongClocksAreFlaggedAndWinNothing() throws {
        let world = try SyncWorld("clock-hq")
        let stick = try world.stick()
        let honest = try world.device("honest", site: "CUR-01")
        let stuck = try world.device("stuck", site: "CUR-02")
        let reset = try world.device("reset", site: "AMS-01")
        try honest.move("LO-VN-000001", to: "CUR-01")
        let now = world.clock.now
        world.clock.set(Date(timeIntervalSince1970: 2_150_000_000))  // 2038
        let future = try stuck.move("LO-VN-000001", to: "CUR-02")
        world.clock.set(Date(timeIntervalSince1970: 86_400))  // 1970
        try reset.repair("LO-VN-000003")
        world.clock.set(now)
        try reset.repair("LO-VN-000002")
        world.clock.set(Date(timeIntervalSince1970: 0))
        try reset.repair("LO-VN-000001")  // backwards from the one before
        world.clock.set(now)
        for device in [honest, stuck, reset] { try device.sync(stick) }
        try world.importAt([stick.folder])

        let conflict = try #require(try world.hubStore.openConflict("LO-VN-000001/site"))
        #expect(conflict.sides.count == 2)
        #expect(conflict.provisional == "CUR-01", "the lower event id wins, not the 2038 clock (\(future.event.id))")
        #expect(try world.hubStore.instrumentState(tag: "LO-VN-000001")?.site == "CUR-01")

        let clocks = try world.hubStore.clockAnomalies(now: now)
        #expect(clocks[honest.id] == nil)
        #expect(clocks[stuck.id]?.aheadOfNow == 1)
        #expect(clocks[reset.id]?.beforeTwentyTwenty == 2)
        #expect(clocks[reset.id]?.backwards == 1)

        // The honest laptop learns of the 2038 move with its receipt; its doctor flags that clock.
        try honest.sync(stick)
        #expect(try honest.store.clockAnomalies(now: now)[stuck.id]?.aheadOfNow == 1)
        #expect(try honest.store.openConflicts().map(\.id) == ["LO-VN-000001/site"])
    }
}

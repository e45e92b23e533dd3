import FieldKitCore
import Testing

@Suite("hybrid logical clock")
struct HybridLogicalClockTests {
    @Test(
        "readings only go up, whatever the wall clock does",
        arguments: [
            [1_700_000_000_000, 1_700_000_000_500, 0, 1_700_000_000_400, 2_145_916_800_000, 1_700_000_001_000],
            [0, 0, 0, 5, 3, 1],
            [2_145_916_800_000, 86_400_000, 1_700_000_000_000, 1_700_000_000_000],
        ])
    func monotone(wallClock: [Int64]) {
        var clock = HybridLogicalClock()
        var previous = HLCTimestamp.zero
        for wall in wallClock {
            let reading = clock.tick(wallMillis: wall)
            #expect(reading > previous)
            previous = reading
        }
    }

    @Test("a clock reset to 1970 keeps counting after the newest reading")
    func resetTo1970() {
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: 1_764_000_000_000, counter: 3))
        #expect(clock.tick(wallMillis: 0) == HLCTimestamp(millis: 1_764_000_000_000, counter: 4))
        #expect(clock.tick(wallMillis: 1_764_000_000_001) == HLCTimestamp(millis: 1_764_000_000_001, counter: 0))
    }

    @Test("a reading from a laptop a day or more ahead does not move the clock")
    func boundedReceive() {
        let now: Int64 = 1_764_000_000_000
        var clock = HybridLogicalClock(last: HLCTimestamp(millis: now, counter: 0))
        clock.receive(HLCTimestamp(millis: 2_145_916_800_000, counter: 0), wallMillis: now)
        #expect(clock.last == HLCTimestamp(millis: now, counter: 0))
        clock.receive(HLCTimestamp(millis: now + 60_000, counter: 2), wallMillis: now)
        #expect(clock.last == HLCTimestamp(millis: now + 60_000, counter: 2))
        #expect(clock.tick(wallMillis: now) == HLCTimestamp(millis: now + 60_000, counter: 3))
    }
}

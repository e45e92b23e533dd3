import FieldKitCore
import FieldKitTestSupport
import Testing

@Suite("instrument fold")
struct InstrumentFoldTests {
    static let base = InstrumentBase(
        tag: "LO-VN-000001", type: "violin", size: "3/4", maker: "Stentor", model: nil, serial: nil, site: "DEPOT",
        status: "at-depot", condition: "good", lastService: "2026-01-01")

    static func event(
        _ id: String, _ type: String, _ payload: [String: JSONValue], basis: [String] = [], date: String = "2026-03-01"
    ) -> Event {
        var members = payload
        members["tag"] = .string("LO-VN-000001")
        return Event(
            id: id, device: "d", seq: 1, hlc: .zero, wall: "", offsetMinutes: 0, date: date, site: nil, author: nil,
            bundle: nil, type: type, payload: .object(members), basis: basis, prev: nil)
    }

    @Test("a loan sets site and status; a later move with the loan as basis overrides the site only")
    func overrides() throws {
        let out = Self.event("a1", EventType.loanOut, ["to": .string("CUR-02")])
        let move = Self.event("b2", EventType.loanMoved, ["to": .string("CUR-03")], basis: ["a1"])
        let state = try #require(InstrumentFold.fold(tag: "LO-VN-000001", base: Self.base, events: [move, out]))
        #expect(state.site == "CUR-03")
        #expect(state.status == "in-use")
        #expect(state.conflicts.isEmpty)
        #expect(state.heads["site"] == ["b2"])
    }

    @Test("two moves that did not see each other are a conflict with a provisional winner that ignores clocks")
    func conflict() throws {
        var late = Self.event("ff", EventType.loanMoved, ["to": .string("AMS-ZO-01")])
        late.hlc = HLCTimestamp(millis: 2_145_916_800_000, counter: 0)  // a laptop in 2038
        let early = Self.event("0a", EventType.loanMoved, ["to": .string("CUR-02")])
        let state = try #require(InstrumentFold.fold(tag: "LO-VN-000001", base: Self.base, events: [late, early]))
        #expect(state.conflicts["site"] == ["AMS-ZO-01", "CUR-02"])
        #expect(state.site == "CUR-02")
        let resolution = Self.event("77", EventType.loanMoved, ["to": .string("AMS-ZO-01")], basis: ["0a", "ff"])
        let resolved = try #require(
            InstrumentFold.fold(tag: "LO-VN-000001", base: Self.base, events: [late, early, resolution]))
        #expect(resolved.conflicts.isEmpty)
        #expect(resolved.site == "AMS-ZO-01")
    }

    @Test("an instrument neither in the snapshot nor registered has no state; a registration makes a provisional one")
    func registration() throws {
        #expect(InstrumentFold.fold(tag: "P-1", base: nil, events: []) == nil)
        let registered = Event(
            id: "r", device: "d", seq: 1, hlc: .zero, wall: "", offsetMinutes: 0, date: "2026-03-01", site: "CUR-02",
            author: nil, bundle: nil, type: EventType.instrumentRegistered,
            payload: .object(["tag": .string("P-1"), "type": .string("violin"), "site": .string("CUR-02")]), prev: nil)
        let state = try #require(InstrumentFold.fold(tag: "P-1", base: nil, events: [registered]))
        #expect(state.provisional)
        #expect(state.site == "CUR-02" && state.type == "violin" && state.status == "in-use")
    }

    @Test("the fold is the same for 200 seeded orders, duplicates included")
    func orderFree() throws {
        var generator = SeededRandom(seed: 0xF1E1D)
        let events = randomHistory(&generator, count: 40)
        let expected = InstrumentFold.fold(tag: "LO-VN-000001", base: Self.base, events: events)
        for round in 0..<200 {
            var shuffled = events.shuffled(using: &generator)
            shuffled += shuffled.prefix(Int(generator.next() % 5))
            let state = InstrumentFold.fold(tag: "LO-VN-000001", base: Self.base, events: shuffled)
            #expect(state == expected, "seed 0xF1E1D, round \(round)")
        }
    }

    @Test("folding new events on the kept fold gives the whole history's fold: 1,000 seeded cases")
    func extendKeptFold() throws {
        let seed: UInt64 = 0xF01D_0008
        var generator = SeededRandom(seed: seed)
        var extended = 0
        for round in 0..<1_000 {
            var events = randomHistory(&generator, count: 1 + Int(generator.next() % 30))
            // Some bases name events never seen here (beyond a watermark, or lost).
            for index in events.indices where generator.next() % 10 == 0 {
                events[index].basis.append(String(format: "dead%04llx", generator.next() % 0xffff))
            }
            // Held in three batches that do not follow the order of recording.
            events.shuffle(using: &generator)
            let cuts = [Int(generator.next() % UInt64(events.count)), Int(generator.next() % UInt64(events.count))]
                .sorted()
            let batches = [
                Array(events[..<cuts[0]]), Array(events[cuts[0]..<cuts[1]]), Array(events[cuts[1]...]),
            ]
            let first = try #require(InstrumentFold.fold(tag: Self.base.tag, base: Self.base, events: batches[0]))
            var kept = InstrumentFold.entry(of: first, base: Self.base, events: batches[0], placeholder: false)
            var held = batches[0]
            for batch in batches.dropFirst() where !batch.isEmpty {
                held += batch
                let whole = try #require(InstrumentFold.fold(tag: Self.base.tag, base: Self.base, events: held))
                let wholeEntry = InstrumentFold.entry(of: whole, base: Self.base, events: held, placeholder: false)
                let ids = Set(held.map(\.id))
                if let (state, entry) = InstrumentFold.extend(kept, with: batch, isHeld: ids.contains) {
                    #expect(state == whole, "seed \(seed), round \(round)")
                    #expect(entry == wholeEntry, "seed \(seed), round \(round)")
                    extended += 1
                }
                kept = wholeEntry
            }
        }
        // Up to 2,000 batches: most extend; the rest are declined (a basis naming an event
        // not held yet) or empty. 879 extend with this seed.
        #expect(extended > 500, "seed \(seed): only \(extended) batches extended")
    }

    func randomHistory(_ generator: inout SeededRandom, count: Int) -> [Event] {
        var events: [Event] = []
        let sites = ["CUR-02", "AMS-ZO-01", "BON-01", "DEPOT"]
        for index in 0..<count {
            let basis =
                events.isEmpty || generator.next() % 3 == 0
                ? [] : [events[Int(generator.next() % UInt64(events.count))].id]
            let type = [EventType.loanMoved, EventType.loanOut, EventType.loanReturned, EventType.repairLogged][
                Int(generator.next() % 4)]
            let payload: [String: JSONValue] =
                type == EventType.repairLogged
                ? ["conditionAfter": .string(["good", "fair", "poor"][Int(generator.next() % 3)])]
                : ["to": .string(sites[Int(generator.next() % 4)])]
            events.append(
                Self.event(String(format: "%04x%04llx", index, generator.next() % 0xffff), type, payload, basis: basis))
        }
        return events
    }
}

import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitStore

@Suite("event log")
struct EventLogTests {
    static func makeStore(_ folder: TemporaryFolder, environment: FieldKitEnvironment) throws -> Store {
        try Store.create(
            folder: folder.path,
            device: DeviceRecord(
                id: "0123456789abcdef", name: "bus-1", currentSite: "AMS-ZO-01", technician: "p-1",
                predecessor: nil, createdWall: "2026-03-14T09:30:00.000Z", hqRoot: nil),
            technician: Person(id: "p-1", name: "Anne"))
    }

    @Test("appended events get seq 1, 2, 3, a hash chain and the device's site and author")
    func appendChains() throws {
        let folder = TemporaryFolder("log")
        let clock = TestClock()
        let store = try Self.makeStore(folder, environment: .test(clock: clock))
        let environment = FieldKitEnvironment.test(clock: clock)
        var previous: StoredEvent?
        for index in 1...3 {
            let stored = try store.append(
                EventDraft(type: "test.event", payload: .object(["n": .int(Int64(index))])), environment: environment)
            #expect(stored.event.seq == Int64(index))
            #expect(stored.event.prev == previous?.hash)
            #expect(stored.event.site == "AMS-ZO-01")
            #expect(stored.event.author == "p-1")
            previous = stored
            clock.advance(-3600)  // the wall clock runs backwards: the log does not care
        }
        let events = try store.events()
        #expect(events.map(\.event.seq) == [1, 2, 3])
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.event.hlc < $1.event.hlc })
        #expect(try store.logFindings().isEmpty)
        #expect(try store.counts() == StoreCounts(events: 3, undelivered: 3, people: 1))
    }

    @Test("a laptop flown between CET, CEST and AST keeps its order; each event keeps its own offset and local day")
    func timeZoneChanges() throws {
        let amsterdam = try #require(TimeZone(identifier: "Europe/Amsterdam"), "tzdata is installed (make test)")
        let curacao = try #require(TimeZone(identifier: "America/Curacao"), "tzdata is installed (make test)")
        let folder = TemporaryFolder("zones")
        let clock = TestClock()
        let ids = CountingIDs()
        let store = try Self.makeStore(folder, environment: .test(clock: clock, ids: ids))
        // (UTC instant, zone of the laptop, offset and local day expected)
        let steps: [(String, TimeZone, Int, String)] = [
            ("2026-03-28T23:30:00Z", amsterdam, 60, "2026-03-29"),  // 00:30 CET
            ("2026-03-29T01:30:00Z", amsterdam, 120, "2026-03-29"),  // 03:30 CEST, summer time began at 01:00 UTC
            ("2026-03-29T03:00:00Z", curacao, -240, "2026-03-28"),  // landed: 23:00 the day before, locally
            ("2026-10-25T00:30:00Z", amsterdam, 120, "2026-10-25"),  // 02:30 CEST
            ("2026-10-25T01:30:00Z", amsterdam, 60, "2026-10-25"),  // 02:30 CET again: the hour repeats
        ]
        for (instant, zone, _, _) in steps {
            clock.set(try #require(ISO8601DateFormatter().date(from: instant)))
            try store.append(
                EventDraft(type: "test.event", payload: .object([:])),
                environment: .test(clock: clock, ids: ids, timeZone: zone))
        }
        let events = try store.events().map(\.event)
        #expect(events.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(events.map(\.offsetMinutes) == steps.map(\.2))
        #expect(events.map(\.date) == steps.map(\.3))
        #expect(events.map(\.wall) == steps.map { $0.0.replacingOccurrences(of: ":00Z", with: ":00.000Z") })
        // The clock follows UTC, so local times going back (landing, the repeated hour) change no order.
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.hlc < $1.hlc })
        #expect(try store.newestEvent()?.event.seq == 5)
        #expect(try store.logFindings().isEmpty)
    }

    @Test("SQLite refuses to update or delete an event")
    func appendOnly() throws {
        let folder = TemporaryFolder("append-only")
        let store = try Self.makeStore(folder, environment: .test())
        try store.append(EventDraft(type: "test.event", payload: .null), environment: .test())
        for sql in ["UPDATE events SET type = 'x'", "DELETE FROM events", "UPDATE events SET line = x'00'"] {
            #expect(throws: (any Error).self) { try store.pool.write { db in try db.execute(sql: sql) } }
        }
        #expect(try store.events().count == 1)
        #expect(try store.logFindings().isEmpty)
    }

    @Test("the store is in WAL mode with synchronous=FULL (the writer too), foreign keys on and STRICT tables")
    func pragmas() throws {
        let folder = TemporaryFolder("pragmas")
        let store = try Self.makeStore(folder, environment: .test())
        // GRDB turns WAL on after the configuration's own set-up and sets `synchronous =
        // NORMAL` on the writer as it does, which syncs the log only at checkpoints: a power
        // cut could take back commits a command had reported as done. This test read only a
        // reader's setting until the store-sync fault sweep found the writer's.
        for opened in [store, try Store.open(path: store.path)] {
            let mode = try opened.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(mode == 2, "the writer's PRAGMA synchronous is \(String(describing: mode)), not 2 (FULL)")
        }
        try store.pool.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2)
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            let strict = try Int.fetchOne(
                db,
                sql:
                    "SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' AND name NOT LIKE '%_search%' AND strict = 0"
            )
            #expect(strict == 0)
        }
    }

    @Test("a changed line, a gap and a broken chain are each found by the log check")
    func findings() throws {
        let folder = TemporaryFolder("findings")
        let environment = FieldKitEnvironment.test()
        let store = try Self.makeStore(folder, environment: environment)
        for _ in 1...3 { try store.append(EventDraft(type: "t", payload: .null), environment: environment) }
        // Tamper below the triggers, as someone editing the file with another tool would.
        try store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER events_are_append_only_update")
            try db.execute(sql: "DROP TRIGGER events_are_append_only_delete")
            try db.execute(
                sql:
                    "UPDATE events SET line = CAST(replace(CAST(line AS TEXT), '\"t\"', '\"u\"') AS BLOB) WHERE seq = 2"
            )
            try db.execute(sql: "DELETE FROM events WHERE seq = 1")
        }
        let problems = try store.logFindings().map(\.problem)
        #expect(problems.contains("the stored hash does not match the line"))
        #expect(problems.contains("seq 1…1 is missing"))
        #expect(problems.contains("prev does not match the hash of seq 2"))
    }

    @Test(
        "another device's log held in part is sound (a receipt brings only some of its events); a changed line in it is not"
    )
    func foreignLogInPart() throws {
        let folder = TemporaryFolder("foreign-part")
        let environment = FieldKitEnvironment.test()
        let store = try Self.makeStore(folder, environment: environment)
        try store.append(EventDraft(type: "t", payload: .null), environment: environment)
        let otherFolder = folder.appending("other")
        try FileManager.default.createDirectory(atPath: otherFolder, withIntermediateDirectories: true)
        let other = try Store.create(
            folder: otherFolder,
            device: DeviceRecord(
                id: "fedcba9876543210", name: "bus-2", currentSite: "CUR-01", technician: "p-2", predecessor: nil,
                createdWall: "2026-03-14T09:30:00.000Z", hqRoot: nil),
            technician: Person(id: "p-2", name: "Shurendy"))
        for _ in 1...4 { try other.append(EventDraft(type: "t", payload: .null), environment: environment) }
        let theirs = try other.events()
        try store.merge([theirs[1], theirs[3]])
        #expect(try store.logFindings().isEmpty, "seq 2 and 4 of another device, without 1 and 3")
        // Headquarters told that device it holds everything through seq 5: now the gaps count.
        try store.pool.write { db in
            try db.execute(
                sql: "INSERT INTO hub_receipts (device, version, position, through, issued_wall) "
                    + "VALUES ('fedcba9876543210', 1, 0, 5, '2026-03-15T09:30:00.000Z')")
        }
        #expect(
            try store.logFindings().map(\.problem) == [
                "seq 1…1 is missing", "seq 3…3 is missing",
                "seq 5…5 is missing, though a receipt said headquarters holds them",
            ])
        try store.pool.write { db in try db.execute(sql: "DELETE FROM hub_receipts") }

        try store.pool.write { db in
            try db.execute(sql: "DROP TRIGGER events_are_append_only_update")
            try db.execute(
                sql: """
                    UPDATE events SET line = CAST(replace(CAST(line AS TEXT), '"t"', '"u"') AS BLOB)
                    WHERE device = 'fedcba9876543210' AND seq = 4
                    """)
        }
        let tampered = try store.logFindings().map(\.problem)
        #expect(tampered.contains("the stored hash does not match the line"), "\(tampered)")
        #expect(!tampered.contains { $0.contains("missing") }, "\(tampered)")
    }

    @Test("a person's name is stored apart from the events")
    func peopleApart() throws {
        let folder = TemporaryFolder("people")
        let store = try Self.makeStore(folder, environment: .test())
        try store.append(
            EventDraft(type: "training.recorded", payload: .object(["trainee": .string("p-2")])),
            environment: .test(), people: [Person(id: "p-2", name: "Jaïr Martina")])
        #expect(try store.person("p-2")?.name == "Jaïr Martina")
        let line = try #require(try store.events().last?.bytes)
        #expect(!String(decoding: line, as: UTF8.self).contains("Jaïr"))
    }

    @Test("creating a store where one exists is refused and changes nothing")
    func createTwice() throws {
        let folder = TemporaryFolder("twice")
        _ = try Self.makeStore(folder, environment: .test())
        let before = try Data(contentsOf: URL(fileURLWithPath: folder.appending("fieldkit.sqlite")))
        #expect(throws: StoreFailure.alreadyExists(path: folder.appending("fieldkit.sqlite"))) {
            try Self.makeStore(folder, environment: .test())
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.appending("fieldkit.sqlite"))) == before)
    }

    @Test("a file that is not SQLite is reported as damaged")
    func corrupted() throws {
        let folder = TemporaryFolder("corrupt")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: folder.appending("fieldkit.sqlite")))
        #expect {
            try Store.open(folder: folder.path)
        } throws: { error in
            guard case .corrupted = error as? StoreFailure else { return false }
            return true
        }
    }
}

import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@testable import FieldKitStore

@Suite("schema migrations")
struct MigrationTests {
    static var fixture: String { Repository.path("Tests/FieldKitStoreTests/Fixtures/store-v1.sqlite") }

    @Test("a store made by the first schema migrates forward with its events intact")
    func forwardFromFirstSchema() throws {
        if Repository.recording {
            let folder = TemporaryFolder("fixture")
            let store = try Store.open(path: folder.appending("fieldkit.sqlite"), upTo: "v1-device-people-events")
            try store.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO people (id, name) VALUES ('p-1', 'Anne');
                        INSERT INTO device VALUES (1, '0123456789abcdef', 'bus-1', 'AMS-ZO-01', 'p-1', NULL,
                            '2026-03-14T09:30:00.000Z', NULL);
                        """)
            }
            try store.append(
                EventDraft(type: EventType.deviceInitialised, payload: .object(["name": .string("bus-1")])),
                environment: .test())
            try store.backup(toFile: Repository.path("Tests/FieldKitStoreTests/Fixtures/store-v1.sqlite"))
        }
        let folder = TemporaryFolder("migrate")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: folder.appending("fieldkit.sqlite"))
        let store = try Store.open(folder: folder.path)
        #expect(
            try store.appliedMigrations() == [
                "v1-device-people-events", "v2-bundle-content", "v3-field-records", "v4-sync", "v5-lifecycle",
                "v6-master-data", "v7-merge-indexes", "v8-kept-folds",
            ])
        #expect(try store.events().count == 1)
        #expect(try store.logFindings().isEmpty)
        #expect(try store.device().name == "bus-1")
        #expect(try store.installedBundle() == nil)
    }
}

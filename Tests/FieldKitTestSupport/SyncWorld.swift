import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import Foundation

/// Headquarters and devices in one temporary folder, with one clock and one id counter.
public final class SyncWorld: Sendable {
    public let folder: TemporaryFolder
    public let hub: HubFolder
    public let hubStore: Store
    public let hubKeys: DeviceKeys
    public let root: MinisignPublicKey
    public let clock = TestClock()
    public let ids = CountingIDs()

    public init(_ label: String) throws {
        folder = TemporaryFolder(label)
        let (hub, store, made) = try HubFolder.initialise(
            folder: folder.appending("hq"), rootOut: folder.appending("root"), issued: "2026-03-14",
            expires: "2028-03-14", wall: "2026-03-14T09:30:00.000Z")
        self.hub = hub
        self.hubStore = store
        self.hubKeys = made.keys
        self.root = made.root
        try SyncWorld.installContent(in: store)
    }

    /// The snapshot every store starts from: where each test instrument is.
    public static let snapshot = [
        "LO-VN-000001": "AMS-01", "LO-VN-000002": "AMS-01", "LO-VN-000003": "AMS-01", "LO-VC-000002": "CUR-01",
    ]

    public static func installContent(in store: Store) throws {
        let regions = ["AMS-01": "Noord-Holland", "CUR-01": "Curaçao", "CUR-02": "Curaçao", "DEPOT": "Utrecht"]
        let rows = ContentRows(
            guides: [], checklists: [], parts: [],
            instrumentTypes: [("violin", Data(#"{"id":"violin","family":"strings"}"#.utf8))],
            sites: regions.keys.sorted().map { ($0, $0, regions[$0] ?? "test", "school") },
            instruments: try snapshot.keys.sorted().map { tag in
                let base = InstrumentBase(
                    tag: tag, type: "violin", size: nil, maker: nil, model: nil, serial: nil,
                    site: snapshot[tag] ?? "DEPOT", status: "in-use", condition: "good", lastService: nil)
                return ContentRows.InstrumentRow(
                    tag: tag, type: "violin", names: "violin", maker: "", model: "", serial: "",
                    document: try JSONEncoder().encode(base))
            })
        try store.install(
            rows,
            bundle: InstalledBundle(
                root: "ROOT", version: 1, sha256: String(repeating: "a", count: 64), created: "2026-03-01",
                expires: "2030-01-01", trustVersion: 1, development: false, installedWall: "x"))
    }

    public var environment: FieldKitEnvironment { .test(clock: clock, ids: ids) }

    /// A new device at `site`, enrolled unless told otherwise, on the world's clock or its own.
    public func device(_ name: String, site: String, enrol: Bool = true, clock: TestClock? = nil) throws -> TestDevice {
        let data = folder.appending(name)
        try FileLayer.makeFolder(data)
        let keys = DeviceKeys.generate()
        try keys.write(to: data)
        let store = try Store.create(
            folder: data,
            device: DeviceRecord(
                id: keys.deviceID, name: name, currentSite: site, technician: nil, predecessor: nil,
                createdWall: "2026-03-14T09:30:00.000Z", hqRoot: root.fileText()),
            technician: nil)
        try SyncWorld.installContent(in: store)
        let device = TestDevice(folder: data, store: store, keys: keys, world: self, ownClock: clock)
        if enrol { try self.enrol(device) }
        return device
    }

    public func enrol(_ device: TestDevice, at store: Store? = nil) throws {
        let record = try device.store.device()
        let through = try record.predecessor.map { try device.store.highestSeq(of: $0) }
        let request = EnrolmentRequest(
            device: record, keys: device.keys, created: "x", predecessorThrough: through,
            predecessorHead: try record.predecessor.flatMap {
                try device.store.eventHash(device: $0, seq: through ?? 0)
            })
        try (store ?? hubStore).enrol(
            try request.enrolled(wall: "2026-03-14T10:00:00.000Z", acceptedBy: "test"),
            predecessorThrough: request.predecessorThrough ?? 0, predecessorHead: request.predecessorHead)
    }

    /// Imports `inputs` at headquarters (or at another hub's store and folder), signing receipts
    /// with `keys` (default: the keys `hub init` made).
    @discardableResult
    public func importAt(_ inputs: [String], store: Store? = nil, hub: HubFolder? = nil, keys: DeviceKeys? = nil) throws
        -> HubImport.Report
    {
        clock.advance(60)
        return try HubImport(
            store: store ?? hubStore, hub: hub ?? self.hub, keys: keys ?? hubKeys,
            wall: EventTime.wallString(clock.now),
            progress: { _ in }
        ).run(inputs)
    }

    /// Another headquarters in `name` with the test content and `devices` enrolled: for
    /// importing the same archives again in another order (they open with `importAt`'s
    /// default keys, the world's).
    public func freshHub(_ name: String, enrolling devices: [TestDevice]) throws -> (hub: HubFolder, store: Store) {
        let folder = folder.appending(name)
        let (hub, store, _) = try HubFolder.initialise(
            folder: folder + "/hq", rootOut: folder + "/root", issued: "2026-03-14", expires: "2028-03-14",
            wall: "2026-03-14T09:30:00.000Z")
        try SyncWorld.installContent(in: store)
        for device in devices { try enrol(device, at: store) }
        return (hub, store)
    }

    /// A mailbox folder in the world, prepared by headquarters (its trust statement on it,
    /// as `hub enrol` leaves it) unless told otherwise.
    public func stick(_ name: String = "stick", prepared: Bool = true) throws -> Mailbox {
        let path = folder.appending(name)
        try FileLayer.makeFolder(path)
        let mailbox = Mailbox(folder: path)
        if prepared { try hub.placeTrust(in: mailbox, trust: try hub.trustFiles()) }
        return mailbox
    }
}

/// A device's data folder, store and keys.
public struct TestDevice: Sendable {
    public let folder: String
    public let store: Store
    public let keys: DeviceKeys
    public let world: SyncWorld
    /// A clock of its own (a laptop stuck in 1970 or 2038); the world's otherwise.
    public var ownClock: TestClock? = nil

    /// A device from its parts (a clone, a restored laptop).
    public init(folder: String, store: Store, keys: DeviceKeys, world: SyncWorld, ownClock: TestClock? = nil) {
        self.folder = folder
        self.store = store
        self.keys = keys
        self.world = world
        self.ownClock = ownClock
    }

    public var id: String { keys.deviceID }
    public var clock: TestClock { ownClock ?? world.clock }
    public var environment: FieldKitEnvironment { .test(clock: clock, ids: world.ids) }

    /// Moves `tag` to `site`, over the heads this device knows.
    @discardableResult
    public func move(_ tag: String, to site: String) throws -> StoredEvent {
        let from = try store.instrumentState(tag: tag)?.site ?? "DEPOT"
        return try change(
            EventType.loanMoved, tag: tag, payload: ["from": .string(from), "to": .string(site)], site: site,
            over: ["site"])
    }

    /// Records an event of `type` about `tag` whose basis is every head this device knows of
    /// `attributes` (the attributes the event sets), as `loan` and `repair` do.
    @discardableResult
    public func change(
        _ type: String, tag: String, payload: [String: JSONValue], site: String? = nil, over attributes: [String]
    ) throws -> StoredEvent {
        clock.advance(30)
        let state = try store.instrumentState(tag: tag)
        let heads = Set(attributes.flatMap { state?.heads[$0] ?? [] }).sorted()
        var payload = payload
        payload["tag"] = .string(tag)
        return try store.record(
            EventDraft(type: type, payload: .object(payload), site: site, basis: heads), environment: environment,
            tags: [tag])
    }

    /// Logs a repair of `tag`, with photos (SHA-256s of blobs already in `blobs/`).
    @discardableResult
    public func repair(_ tag: String, photos: [String] = [], by person: Person? = nil) throws -> StoredEvent {
        clock.advance(30)
        var payload: [String: JSONValue] = ["tag": .string(tag), "problem": .string("loose bridge")]
        if !photos.isEmpty { payload["photos"] = .array(photos.map { .string($0) }) }
        if let person { payload["trainer"] = .string(person.id) }
        return try store.record(
            EventDraft(type: EventType.repairLogged, payload: .object(payload), author: person?.id),
            environment: environment, people: person.map { [$0] } ?? [], tags: [tag])
    }

    /// Stores a photo the way `repair log --photo` does; returns its SHA-256.
    public func photo(_ data: Data) throws -> String {
        let hash = Hashing.sha256Hex(data)
        try FileLayer.makeFolder(folder + "/blobs")
        try FileLayer.writeAtomically(data, to: folder + "/blobs/" + hash)
        return hash
    }

    @discardableResult
    public func sync(_ mailbox: Mailbox, dryRun: Bool = false) throws -> DeviceSync.Report {
        clock.advance(60)
        return try DeviceSync(
            store: store, dataFolder: folder, keys: keys, mailbox: mailbox, wall: EventTime.wallString(clock.now)
        ).run(dryRun: dryRun)
    }
}

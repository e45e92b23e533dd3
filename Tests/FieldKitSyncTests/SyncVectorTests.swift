import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

/// Golden files in `Sync/vectors/sync-v1/`, made with published test keys (their secrets are
/// committed there, named as test keys). Re-record with `FIELDKIT_RECORD=1`. The zstd bytes
/// may change with the library; the tests compare statements and decompressed entries.
@Suite("sync golden vectors: change archive, receipt and enrolment request, format 1")
struct SyncVectorTests {
    static let folder = Repository.path("Sync/vectors/sync-v1")
    static let device = "0123456789abcdef"

    /// The published test keys: made once, then read from the committed files.
    static func keys() throws -> (device: DeviceKeys, root: SigningSecretKey, hub: SigningSecretKey) {
        func signing(_ name: String, _ id: UInt64) throws -> SigningSecretKey {
            let path = folder + "/" + name + ".key"
            if Repository.recording, !FileLayer.exists(path) {
                let key = try SigningSecretKey(
                    keyID: KeyID(value: id), seed: Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
                try FileLayer.writeAtomically(Data(key.fileText.utf8), to: path)
                try FileLayer.writeAtomically(Data(key.publicKey.fileText().utf8), to: folder + "/" + name + ".pub")
            }
            return try SigningSecretKey(text: try FileLayer.readText(path))
        }
        let sealingPath = folder + "/test-device-sealing.key"
        if Repository.recording, !FileLayer.exists(sealingPath) {
            let key = SealingSecretKey.generate()
            try FileLayer.writeAtomically(Data(key.fileText.utf8), to: sealingPath)
        }
        let device = DeviceKeys(
            signing: try signing("test-device", 0x0123_4567_89ab_cdef),
            sealing: try SealingSecretKey(text: try FileLayer.readText(sealingPath)))
        return (
            device, try signing("test-root", 0x7e57_0000_0000_0001),
            try signing("test-hub-signing", 0x7e57_0000_0000_0002)
        )
    }

    static func events() throws -> [StoredEvent] {
        try FileLayer.readText(Repository.path("Sync/vectors/events-v1.jsonl")).split(separator: "\n").map {
            try StoredEvent(bytes: Data($0.utf8))
        }
    }

    static let people = [Person(id: "p-00000000000000aa", name: "Jaïr Martina")]

    static func entries(_ path: String) throws -> [String: Data] {
        try ArchiveReader.read(try FileLayer.read(path, limit: 1 << 20), limits: ChangeArchive.limits).files
    }

    /// The committed file and a fresh one hold the same entries and statement, apart from the
    /// compressed bytes' hash and size.
    static func expectSameContent(_ committed: String, _ written: String) throws {
        var expected = try statement(written)
        var actual = try statement(committed)
        for key in ["sha256", "size"] {
            expected[key] = nil
            actual[key] = nil
        }
        #expect(actual == expected)
        #expect(try entries(committed) == (try entries(written)))
    }

    static func statement(_ path: String) throws -> [String: JSONValue] {
        try SignedFile.parseStatement(try SignedFile.readSignature(of: path).trustedComment)
    }

    @Test("the committed change archive verifies, opens to the event vectors, and matches what this build writes")
    func changeArchive() throws {
        let (keys, _, _) = try Self.keys()
        let name = Mailbox.archiveName(device: Self.device, range: SeqRange(1, 3), sealed: false)
        let committed = Self.folder + "/" + name
        let fresh = TemporaryFolder("vector-changes")
        let written = try ChangeArchive.write(
            try Self.events(), people: Self.people, blobs: [:], key: keys.signing, created: "2026-03-14T09:40:00.000Z",
            receipt: 0, sealTo: nil, into: Repository.recording ? Self.folder : fresh.path)
        let (statement, bytes) = try ChangeArchive.verify(committed, key: keys.signing.publicKey)
        let contents = try ChangeArchive.open(bytes, statement: statement, key: nil, path: committed)
        #expect(contents.events == (try Self.events()))
        #expect(contents.people == Self.people)
        #expect(statement.head == (try Self.events()).last?.hash)
        try Self.expectSameContent(committed, written)
        let stock = try Tools.run("minisign", ["-V", "-p", Self.folder + "/test-device.pub", "-m", committed])
        #expect(stock.status == 0, "\(stock.stderr)")
    }

    @Test("the committed receipt verifies under its trust statement and holds what this build writes")
    func receipt() throws {
        let (_, root, hub) = try Self.keys()
        let other = try StoredEvent(
            encoding: Event(
                id: String(repeating: "e", count: 32), device: "fedcba9876543210", seq: 7,
                hlc: HLCTimestamp(millis: 1_773_480_700_000, counter: 0), wall: "2026-03-14T09:31:40.000Z",
                offsetMinutes: -240, date: "2026-03-14", site: "CUR-02", author: "p-00000000000000aa", bundle: nil,
                type: EventType.loanMoved,
                payload: .object([
                    "tag": .string("LO-VN-004123"), "from": .string("AMS-ZO-01"), "to": .string("CUR-02"),
                ]),
                basis: [], prev: String(repeating: "0", count: 64)))
        let plan = ReceiptPlan(
            device: Self.device, version: 1, position: 9, through: 3, accepted: [SeqRange(1, 3)], known: [], gaps: [],
            refused: [], events: [other], people: Self.people, format: 1)
        let trust = try TrustStatement(
            version: 1, issued: "2026-03-14", expires: "2099-12-31", root: root.keyID, signing: [hub.publicKey],
            sealing: nil, development: false
        ).signed(by: root)
        let fresh = TemporaryFolder("vector-receipt")
        let mailbox = Mailbox(folder: Repository.recording ? Self.folder + "/receipt" : fresh.path)
        let written = try Receipt.write(
            plan, key: hub, trust: TrustFiles(json: trust.json, signature: trust.signature),
            issued: "2026-03-14T10:00:00.000Z", sealTo: nil, into: mailbox)
        let committed =
            Mailbox(folder: Self.folder + "/receipt").inbound(Self.device) + "/"
            + Mailbox.receiptName(device: Self.device, version: 1, sealed: false)
        let verified = try Receipt.read(
            committed, root: root.publicKey, device: Self.device, sealing: try Self.keys().device.sealing)
        #expect(verified.body.through == 3)
        #expect(verified.body.accepted == [SeqRange(1, 3)])
        #expect(verified.events == [other])
        #expect(verified.people == Self.people)
        try Self.expectSameContent(committed, written)
        let stock = try Tools.run("minisign", ["-V", "-p", Self.folder + "/test-hub-signing.pub", "-m", committed])
        #expect(stock.status == 0, "\(stock.stderr)")
    }

    @Test("the committed enrolment request reads back and equals what this build writes")
    func enrolment() throws {
        let (keys, _, _) = try Self.keys()
        let record = DeviceRecord(
            id: Self.device, name: "atelier-bus-1", currentSite: "AMS-ZO-01", technician: nil, predecessor: nil,
            createdWall: "2026-03-14T09:30:00.000Z", hqRoot: nil)
        let request = EnrolmentRequest(device: record, keys: keys, created: "2026-03-14T09:45:00.000Z")
        let fresh = TemporaryFolder("vector-enrol")
        let written = try request.write(
            into: Mailbox(folder: Repository.recording ? Self.folder + "/enrol" : fresh.path), key: keys.signing)
        let committed = Mailbox(folder: Self.folder + "/enrol").enrol + "/" + Mailbox.enrolmentName(device: Self.device)
        #expect(try EnrolmentRequest.read(committed) == request)
        #expect(try FileLayer.read(committed, limit: 1 << 16) == (try FileLayer.read(written, limit: 1 << 16)))
        #expect(try Self.statement(committed) == (try Self.statement(written)))
        #expect(try EnrolmentRequest.read(committed).fingerprint() == keys.signing.publicKey.fingerprint)
    }
}

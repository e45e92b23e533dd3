import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import FieldKitServer

@Suite("the hub server on 127.0.0.1: uploads, receipts, trust, bundles and refusals")
struct HubServerTests {
    /// Runs a real server on an ephemeral port for the length of `body`.
    func withServer<T: Sendable>(
        _ world: SyncWorld, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try HubServer(
            folder: world.hub.folder, store: world.hubStore, environment: world.environment,
            configuration: .init(listen: ListenAddress(host: "127.0.0.1", port: 0), version: "test"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { _, _, port in continuation.yield(port) })
        let running = Task { try await server.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)")
    }

    /// A device with `repairs` repairs, its archive written onto a prepared stick.
    func deviceWithArchive(_ world: SyncWorld, _ name: String, repairs: Int = 2, enrol: Bool = true) throws -> (
        TestDevice, String
    ) {
        let device = try world.device(name, site: "AMS-01", enrol: enrol)
        for _ in 0..<repairs { try device.repair("LO-VN-000001") }
        let stick = try world.stick(name + "-stick")
        try device.sync(stick)
        let archive = try #require(stick.archives(of: device.id).first?.path)
        return (device, archive)
    }

    func status(of work: () async throws -> Void) async -> Int? {
        do {
            try await work()
            return 200
        } catch let failure as SyncFailure {
            if case .hubRefused(_, let status, _) = failure { return status }
            return nil
        } catch {
            return nil
        }
    }

    @Test("an upload is merged like a stick; the same upload again adds nothing; the receipt completes the sync")
    func uploadAndDuplicate() async throws {
        let world = try SyncWorld("server-upload")
        let (device, archive) = try deviceWithArchive(world, "laptop")
        try await withServer(world) { url in
            let client = try HubClient(url: url)
            let health = try await client.health()
            #expect(health["status"]?.stringValue == "ok")
            let first = try await client.upload(archive: archive)
            #expect(first.outcome == "accepted")
            #expect(first.device == device.id)
            #expect(first.accepted == 2, "two repairs")
            #expect(first.receipt == 1)
            let events = try world.hubStore.hubSummaries().first { $0.device == device.id }?.events
            let again = try await client.upload(archive: archive)
            #expect(again.outcome == "already imported")
            #expect(again.accepted == 0)
            #expect(try world.hubStore.hubSummaries().first { $0.device == device.id }?.events == events)
            #expect(FileLayer.list(world.hub.folder + "/uploads").isEmpty, "no upload is left behind")

            let sync = RemoteSync(
                client: client, store: device.store, dataFolder: device.folder, keys: device.keys,
                wall: "2026-03-15T10:00:00.000Z")
            let report = try await sync.run()
            #expect(report.uploads.isEmpty, "the archive went already; the receipt acknowledges it")
            #expect(report.before.receipts.map(\.outcome) == ["applied"])
            #expect(report.after.undelivered == 0)
            #expect(try device.store.deliveredThrough()[device.id] == 2)
        }
    }

    @Test("refused uploads: no signature, a bad signature, an unknown device, an oversized body; nothing stored")
    func refusals() async throws {
        let world = try SyncWorld("server-refusals")
        let (_, archive) = try deviceWithArchive(world, "laptop")
        let (_, stranger) = try deviceWithArchive(world, "stranger", enrol: false)
        let damaged = world.folder.appending("damaged/" + (archive as NSString).lastPathComponent)
        try FileLayer.makeFolder(world.folder.appending("damaged"))
        var bytes = try FileLayer.read(archive, limit: 1 << 24)
        bytes[bytes.count / 2] ^= 0x01
        try FileLayer.writeAtomically(bytes, to: damaged)
        try FileLayer.writeAtomically(try FileLayer.read(archive + ".minisig", limit: 8192), to: damaged + ".minisig")
        let before = try world.hubStore.hubSummaries()

        try await withServer(world) { url in
            let client = try HubClient(url: url, attempts: 1)
            #expect(await status { _ = try await client.upload(archive: damaged) } == 422)
            #expect(
                await status { _ = try await client.upload(archive: stranger) } == 422,
                "an unknown device is answered as a bad signature: the roster is not revealed")
            let port = try #require(Int(url.split(separator: ":").last ?? ""))
            let unsigned = try await RawHTTP.exchange(
                port: port, head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n",
                body: Data("abcd".utf8))
            #expect(unsigned.hasPrefix("HTTP/1.1 400"), "\(unsigned)")
            #expect(unsigned.contains("\"message\":\"the upload carries no usable FieldKit-Signature header\""))
            let signature = try FileLayer.read(archive + ".minisig", limit: 8192).base64EncodedString()
            let oversized = try await RawHTTP.exchange(
                port: port,
                head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nFieldKit-Signature: \(signature)\r\n"
                    + "Content-Length: \(HubWire.uploadCap + 1)\r\n\r\n", body: Data())
            #expect(oversized.hasPrefix("HTTP/1.1 413"), "\(oversized)")
            let nowhere = try await RawHTTP.exchange(
                port: port, head: "GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n", body: Data())
            #expect(nowhere.hasPrefix("HTTP/1.1 404") && nowhere.contains("\"status\":404"), "\(nowhere)")
            let badID = try await RawHTTP.exchange(
                port: port, head: "GET /v1/receipts/..%2F HTTP/1.1\r\nHost: x\r\n\r\n", body: Data())
            #expect(badID.hasPrefix("HTTP/1.1 400"), "\(badID)")
            let outside = try await RawHTTP.exchange(
                port: port,
                head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nFieldKit-Signature: \(signature)\r\n"
                    + "FieldKit-Name: ../../evil.tar.zst\r\nContent-Length: 4\r\n\r\n", body: Data("abcd".utf8))
            #expect(outside.hasPrefix("HTTP/1.1 400"), "\(outside)")
            #expect(outside.contains("\"message\":\"FieldKit-Name is not a mailbox file name\""), "\(outside)")
            // The archive's first half, sent as if it were all: it does not verify, and like a
            // changed archive it is answered 422 and kept nowhere.
            let whole = try FileLayer.read(archive, limit: 1 << 24)
            let cut = try await RawHTTP.exchange(
                port: port,
                head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nFieldKit-Signature: \(signature)\r\n"
                    + "FieldKit-Name: \((archive as NSString).lastPathComponent)\r\n"
                    + "Content-Length: \(whole.count / 2)\r\n\r\n", body: whole.prefix(whole.count / 2))
            #expect(cut.hasPrefix("HTTP/1.1 422"), "\(cut)")
            #expect(cut.contains("\"message\":\"the archive does not verify against an enrolled laptop's key\""))
        }
        #expect(try world.hubStore.hubSummaries() == before, "nothing unverified touched the store")
        #expect(FileLayer.list(world.hub.quarantine).isEmpty, "strangers cannot fill the quarantine")
        #expect(FileLayer.list(world.hub.folder + "/uploads").isEmpty)
    }

    @Test("with its keys and trust statement apart (an interrupted rotation), the server merges nothing and says why")
    func keysApartFromTrust() async throws {
        let world = try SyncWorld("server-keys-apart")
        let (device, archive) = try deviceWithArchive(world, "laptop")
        let stray = SigningSecretKey.generate()
        try FileLayer.writeAtomically(
            Data(stray.fileText.utf8), to: DeviceKeys.folder(in: world.hub.folder) + "/device.key", mode: 0o600)
        try await withServer(world) { url in
            let port = try #require(Int(url.split(separator: ":").last ?? ""))
            let bytes = try FileLayer.read(archive, limit: 1 << 24)
            let signature = try FileLayer.read(archive + ".minisig", limit: 8192).base64EncodedString()
            let answer = try await RawHTTP.exchange(
                port: port,
                head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nFieldKit-Signature: \(signature)\r\n"
                    + "FieldKit-Name: \((archive as NSString).lastPathComponent)\r\n"
                    + "Content-Length: \(bytes.count)\r\n\r\n", body: bytes)
            #expect(answer.hasPrefix("HTTP/1.1 500"), "\(answer)")
            #expect(answer.contains("\"message\":\"headquarters' folder is inconsistent: the trust statement in"))
            #expect(answer.contains("does not name the signing key"), "\(answer)")
            #expect(!answer.contains(world.hub.folder), "the answer does not say where headquarters keeps its files")
            #expect(try world.hubStore.hubSummaries().first { $0.device == device.id }?.events == 0)
        }
    }

    @Test("an upload whose connection closes mid-body leaves nothing; the whole upload then merges once")
    func interruptedUpload() async throws {
        let world = try SyncWorld("server-interrupted")
        let (device, archive) = try deviceWithArchive(world, "laptop", repairs: 5)
        try await withServer(world) { url in
            let port = try #require(Int(url.split(separator: ":").last ?? ""))
            let bytes = try FileLayer.read(archive, limit: 1 << 24)
            let signature = try FileLayer.read(archive + ".minisig", limit: 8192).base64EncodedString()
            try RawHTTP.sendAndClose(
                port: port,
                head: "POST /v1/archives HTTP/1.1\r\nHost: x\r\nFieldKit-Signature: \(signature)\r\n"
                    + "Content-Length: \(bytes.count)\r\n\r\n", body: bytes.prefix(bytes.count / 2))
            // `uploads/` appears with the first upload the server takes in; the half upload's
            // folder in it goes once the server notices the closed connection.
            let uploads = world.hub.folder + "/uploads"
            var settled = false
            for _ in 0..<200 where !settled {
                try await Task.sleep(for: .milliseconds(25))
                settled = FileLayer.isFolder(uploads) && FileLayer.list(uploads).isEmpty
            }
            #expect(settled, "the server took the half upload in and removed it")
            #expect(try world.hubStore.hubSummaries().first { $0.device == device.id }?.events == 0)
            let whole = try await HubClient(url: url).upload(archive: archive)
            #expect(whole.outcome == "accepted")
            #expect(whole.accepted == 5)
        }
    }

    @Test("a busy headquarters answers 503 and the client tries again with backoff")
    func busyThenRetried() async throws {
        let world = try SyncWorld("server-busy")
        let (_, archive) = try deviceWithArchive(world, "laptop")
        let held = Held(try FolderLock(folder: world.hub.folder))
        try await withServer(world) { url in
            let client = try HubClient(
                url: url, attempts: 3, backoff: .milliseconds(20), progress: { _ in held.release() })
            let answer = try await client.upload(archive: archive)
            #expect(answer.outcome == "accepted")
            #expect(held.released, "the first try met the lock")
        }
    }

    @Test("a receipt fetched by someone else is sealed to its device: useless to them")
    func receiptForSomeoneElse() async throws {
        let world = try SyncWorld("server-receipt")
        let (device, archive) = try deviceWithArchive(world, "laptop")
        let other = try world.device("other", site: "CUR-01")
        try await withServer(world) { url in
            let client = try HubClient(url: url)
            _ = try await client.upload(archive: archive)
            let receipt = try #require(try await client.receipt(for: device.id))
            #expect(Mailbox.parseReceiptName(receipt.name)?.device == device.id)
            #expect(receipt.data.range(of: Data("LO-VN-000001".utf8)) == nil, "no tag readable in it")
            let folder = world.folder.appending("fetched")
            try FileLayer.makeFolder(folder)
            try FileLayer.writeAtomically(receipt.data, to: folder + "/" + receipt.name)
            try FileLayer.writeAtomically(receipt.signature, to: folder + "/" + receipt.name + ".minisig")
            try (try world.hub.trustFiles()).write(into: folder) { data, path in
                try FileLayer.writeAtomically(data, to: path)
            }
            #expect(throws: CryptoFailure.self) {
                _ = try Receipt.read(
                    folder + "/" + receipt.name, root: world.root, device: device.id, sealing: other.keys.sealing)
            }
            let opened = try Receipt.read(
                folder + "/" + receipt.name, root: world.root, device: device.id, sealing: device.keys.sealing)
            #expect(opened.body.device == device.id)
            #expect(try await client.receipt(for: "0123456789abcdef") == nil, "an unknown device has none")
            #expect(
                try await client.receipt(for: other.id) == nil,
                "an enrolled laptop headquarters never answered gets the same 404: the roster is not revealed")
        }
    }
}

/// Holds a folder lock until the first retry releases it.
final class Held: Sendable {
    let lock: Mutex<FolderLock?>

    init(_ lock: FolderLock) { self.lock = Mutex(lock) }

    func release() { lock.withLock { $0 = nil } }

    var released: Bool { lock.withLock { $0 == nil } }
}

import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Logging
import Testing

@testable import FieldKitServer

extension HubServerTests {
    @Test("the published bundle comes with its signature and trust statement; asked with its SHA-256, 304")
    func bundleAndNotModified() async throws {
        let world = try SyncWorld("server-bundle")
        let staged = world.folder.appending("bundle.tar.zst")
        try FileLayer.writeAtomically(Data("not really a bundle, but signed".utf8), to: staged)
        let signature = try SignedFile.sign(
            staged, key: world.hubKeys.signing, statement: ["kind": .string("bundle"), "version": .int(2)])
        try world.hub.publish(
            bundle: try FileLayer.read(staged, limit: 1 << 20), signature: Data(signature.fileText.utf8), version: 2)
        let offer = try #require(world.hub.publishedBundle()?.offer)
        try await withServer(world) { url in
            let client = try HubClient(url: url)
            let (bundle, trust) = try #require(try await client.latestBundle())
            #expect(bundle.name == offer.file)
            #expect(bundle.data == Data("not really a bundle, but signed".utf8))
            #expect(
                try MinisignSignature(text: String(decoding: bundle.signature, as: UTF8.self)).keyID
                    == world.hubKeys.signing.keyID)
            #expect(trust.json == (try world.hub.trustFiles()).json)
            #expect(try await client.latestBundle(unlessSHA256: offer.sha256) == nil, "304: nothing new")
        }
    }

    @Test("the dashboard: beyond loopback only with a token; 401 without it; the report page and a 400 for a bad date")
    func dashboardToken() async throws {
        let world = try SyncWorld("server-dashboard")
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        #expect(throws: ServerFailure.dashboardNeedsToken("0.0.0.0:0")) {
            _ = try HubServer(
                folder: world.hub.folder, store: world.hubStore, environment: world.environment,
                configuration: .init(
                    listen: ListenAddress(host: "127.0.0.1", port: 0),
                    dashboard: ListenAddress(host: "0.0.0.0", port: 0),
                    version: "test"), logger: logger)
        }
        let token = "a-token-of-twenty-chars"
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try HubServer(
            folder: world.hub.folder, store: world.hubStore, environment: world.environment,
            configuration: .init(
                listen: ListenAddress(host: "127.0.0.1", port: 0), dashboard: ListenAddress(host: "127.0.0.1", port: 0),
                dashboardToken: token, version: "test"), logger: logger,
            onListening: { listener, _, port in if listener == .dashboard { continuation.yield(port) } })
        let running = Task { try await server.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let refused = try await RawHTTP.exchange(port: port, head: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", body: Data())
        #expect(refused.hasPrefix("HTTP/1.1 401"), "\(refused)")
        #expect(refused.contains("\"message\":\"the dashboard needs its token\""))
        let page = try await RawHTTP.exchange(
            port: port, head: "GET / HTTP/1.1\r\nHost: x\r\nFieldKit-Token: \(token)\r\n\r\n", body: Data())
        #expect(page.hasPrefix("HTTP/1.1 200"), "\(page.prefix(200))")
        #expect(page.contains("<h1>Leerorkest fieldkit report</h1>"))
        let badDate = try await RawHTTP.exchange(
            port: port,
            head: "GET /report.json?from=2026-13-01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n",
            body: Data())
        #expect(badDate.hasPrefix("HTTP/1.1 400"), "\(badDate)")
    }
}

import FieldKitCore
import FieldKitSync
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A "hub" on 127.0.0.1 that answers every request with the same bytes: what a hostile or
/// broken server (or someone between the laptop and headquarters) could send.
final class CannedServer: Sendable {
    let port: Int
    private let listener: Int32
    private let served = Atomic<Int>(0)

    /// How many requests it has taken in (each is answered).
    var requests: Int { served.load(ordering: .acquiring) }

    init(answer: String, body: Data = Data()) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTP.Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 8) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            throw RawHTTP.Failure(description: "bind: \(errno)")
        }
        listener = socket
        port = Int(UInt16(bigEndian: address.sin_port))
        let reply = Data(answer.utf8) + body
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else {
                    // Only this thread closes the socket, so its number is not reused under it.
                    close(listener)
                    return
                }
                var request = Data()
                var buffer = [UInt8](repeating: 0, count: 65536)
                while request.range(of: Data("\r\n\r\n".utf8)) == nil {
                    let count = recv(client, &buffer, buffer.count, 0)
                    guard count > 0 else { break }
                    request.append(contentsOf: buffer[0..<count])
                }
                // Counted before the answer goes out, so a client that has its answer sees the count.
                served.add(1, ordering: .releasing)
                try? RawHTTP.send(client, reply)
                shutdown(client, Int32(SHUT_WR))
                close(client)
            }
        }
    }

    /// The server's base URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Stops taking connections: the accepting thread wakes, closes the socket and ends.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }
}

@Suite("a hostile hub: what the laptop's client refuses to take")
struct HostileHubTests {
    static let device = "0123456789abcdef"

    /// What `work` threw, run against a server answering `answer` + `body`; and how many requests it answered.
    func failure(
        _ answer: String, body: Data = Data(), _ work: @Sendable (HubClient) async throws -> Void
    ) async throws -> (SyncFailure?, Int) {
        let server = try CannedServer(answer: answer, body: body)
        defer { server.stop() }
        let client = try HubClient(url: server.url, attempts: 2, backoff: .milliseconds(10))
        do {
            try await work(client)
            return (nil, server.requests)
        } catch let failure as SyncFailure {
            return (failure, server.requests)
        }
    }

    static func signed(name: String, length: Int = 4) -> String {
        "HTTP/1.1 200 OK\r\nContent-Length: \(length)\r\nFieldKit-Name: \(name)\r\n"
            + "FieldKit-Signature: \(Data("not a signature".utf8).base64EncodedString())\r\nConnection: close\r\n\r\n"
    }

    @Test("a file named outside the mailbox alphabet, or a receipt named for another device, is refused")
    func hostileNames() async throws {
        let device = Self.device
        for name in ["../../.ssh/authorized_keys", "receipt-\(device)-0001.sealed/../x", ".hidden"] {
            let (failure, _) = try await failure(Self.signed(name: name), body: Data("abcd".utf8)) { client in
                _ = try await client.receipt(for: device)
            }
            #expect(
                failure.map(Self.reason) == "the file came without a usable name",
                "\(name): \(String(describing: failure))")
        }
        let other = Mailbox.receiptName(device: "fedcba9876543210", version: 1)
        let (failure, _) = try await failure(Self.signed(name: other), body: Data("abcd".utf8)) { client in
            _ = try await client.receipt(for: device)
        }
        #expect(failure.map(Self.reason) == "\(other) is not a receipt name for device \(device)")
    }

    @Test("a redirect is not followed: it is a final refusal, asked once")
    func redirect() async throws {
        let (failure, requests) = try await failure(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/v1/health\r\nContent-Length: 0\r\n\r\n"
        ) { client in _ = try await client.health() }
        guard case .hubRefused(_, 302, _) = failure else {
            Issue.record("expected a refusal with status 302, got \(String(describing: failure))")
            return
        }
        #expect(requests == 1)
    }

    @Test("an answer over its cap is not read whole: the call fails, saying so")
    func overCap() async throws {
        let size = (64 << 10) + 1
        let (failure, _) = try await failure(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(size)\r\n\r\n",
            body: Data(repeating: 0x20, count: size)
        ) { client in _ = try await client.health() }
        guard case .hubUnreachable(_, let reason) = failure else {
            Issue.record("expected the call to fail, got \(String(describing: failure))")
            return
        }
        #expect(reason == "the answer is larger than fieldkit accepts")
    }

    @Test("a hub that answers 503 every time is tried again with backoff, then given up on with exit 75")
    func alwaysBusy() async throws {
        let (failure, requests) = try await failure(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
        ) { client in _ = try await client.health() }
        guard case .hubRefused(_, 503, _) = failure else {
            Issue.record("expected a refusal with status 503, got \(String(describing: failure))")
            return
        }
        #expect(requests == 2, "both attempts reached the server")
        #expect(failure?.exitStatus == .tempFail)
        #expect(failure?.exitStatus.rawValue == 75)
    }

    static func reason(_ failure: SyncFailure) -> String {
        if case .hubAnswer(_, let reason) = failure { return reason }
        return "\(failure)"
    }
}

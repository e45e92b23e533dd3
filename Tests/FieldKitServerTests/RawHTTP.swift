import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP/1.1 spoken by hand over a socket, for what a well-behaved client never sends: a body
/// cut off halfway, a length over the cap, a path no client would build.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect: \(errno)")
        }
        return socket
    }

    static func send(_ socket: Int32, _ data: Data) throws {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { raw in
                Glibc.send(socket, raw.baseAddress.map { $0 + offset }, data.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send: \(errno)") }
            offset += sent
        }
    }

    /// `blockingExchange` on a thread of its own, so the server's tasks keep the cooperative pool.
    static func exchange(port: Int, head: String, body: Data) async throws -> String {
        try await Thread.run { try blockingExchange(port: port, head: head, body: body) }
    }

    /// Sends `head` and `body`, then reads the answer: its head and as much body as it says.
    static func blockingExchange(port: Int, head: String, body: Data) throws -> String {
        let socket = try connect(port: port)
        defer { close(socket) }
        try send(socket, Data(head.utf8) + body)
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = answer.range(of: Data("\r\n\r\n".utf8)) {
                let text = String(decoding: answer[..<end.lowerBound], as: UTF8.self).lowercased()
                let length =
                    text.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if answer.count - end.upperBound >= length { break }
            }
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Sends `head` and `body` and closes the connection without waiting for an answer.
    static func sendAndClose(port: Int, head: String, body: Data) throws {
        let socket = try connect(port: port)
        defer { close(socket) }
        try send(socket, Data(head.utf8) + body)
    }
}

extension Thread {
    /// Runs blocking `work` on a thread of its own, so the server's tasks keep the pool.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}

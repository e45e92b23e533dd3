import AsyncHTTPClient
import FieldKitCore
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to `fieldkit hub serve` (Sync/SPEC.md §18). Every call is retried with backoff when
/// the connection fails or the server is busy (5xx, 429); a 4xx answer is final. Nothing it
/// receives is trusted: the caller puts files into a mailbox, where `DeviceSync` verifies them.
public struct HubClient: Sendable {
    /// A signed file as it travelled: its mailbox name, bytes and `.minisig`.
    public struct SignedDownload: Sendable, Equatable {
        public var name: String
        public var data: Data
        public var signature: Data
    }

    /// The hub's base URL, without a trailing slash.
    public let base: String
    /// How many times a failed call is tried in all, and the first pause between tries
    /// (doubled each time).
    let attempts: Int
    let backoff: Duration
    let timeout: TimeAmount
    let progress: @Sendable (String) -> Void

    /// A client for the hub at `url` (`http://HOST:PORT` or `https://HOST`).
    public init(
        url: String, attempts: Int = 4, backoff: Duration = .milliseconds(250), timeout: Duration = .seconds(120),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(SyncFailure) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty, parsed.query == nil
        else { throw .badHubURL(url) }
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = .seconds(max(1, timeout.components.seconds))
        self.progress = progress
    }

    /// Whether `text` names a hub rather than a folder.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// `GET /v1/health`.
    public func health() async throws(SyncFailure) -> JSONValue {
        let (_, body) = try await call("GET", "/health", limit: 64 << 10)
        do { return try JSONDecoder().decode(JSONValue.self, from: body) } catch {
            throw .hubAnswer(url: base, reason: "the health answer is not JSON")
        }
    }

    /// `POST /v1/archives`: uploads one archive and its signature.
    public func upload(archive path: String) async throws(SyncFailure) -> HubWire.UploadAnswer {
        let data: Data
        let signature: Data
        do {
            data = try FileLayer.read(path, limit: HubWire.uploadCap)
            signature = try FileLayer.read(path + ".minisig", limit: HubWire.signatureCap)
        } catch {
            throw .malformed(path: path, reason: error.message)
        }
        // The deadline covers sending the body: an island link may manage 16 KiB a second.
        let (_, body) = try await call(
            "POST", "/archives", extraSeconds: Int64(data.count / (16 << 10)),
            headers: [
                (HubWire.nameHeader, (path as NSString).lastPathComponent),
                (HubWire.signatureHeader, signature.base64EncodedString()),
                ("Content-Type", "application/octet-stream"),
            ], body: data, limit: 64 << 10)
        do { return try JSONDecoder().decode(HubWire.UploadAnswer.self, from: body) } catch {
            throw .hubAnswer(url: base, reason: "the upload answer is not the expected JSON")
        }
    }

    /// `GET /v1/receipts/<device>`: the newest receipt, or nil when there is none yet.
    public func receipt(for device: String) async throws(SyncFailure) -> SignedDownload? {
        guard Mailbox.isDeviceID(device) else { throw .hubAnswer(url: base, reason: "\(device) is not a device id") }
        guard let (head, body) = try await call("GET", "/receipts/" + device, limit: 64 << 20, missingIsNil: true)
        else { return nil }
        let download = try signedFile(head, body)
        guard Mailbox.parseReceiptName(download.name)?.device == device else {
            throw .hubAnswer(url: base, reason: "\(download.name) is not a receipt name for device \(device)")
        }
        return download
    }

    /// `GET /v1/trust`: headquarters' trust files (checked by the device, not here).
    public func trust() async throws(SyncFailure) -> TrustFiles {
        let (_, body) = try await call("GET", "/trust", limit: 1 << 20)
        do { return try JSONDecoder().decode(HubWire.TrustDocument.self, from: body).files } catch {
            throw .hubAnswer(url: base, reason: "the trust answer is not the expected JSON")
        }
    }

    /// `GET /v1/bundles/latest`: the newest published bundle, or nil when none is published or
    /// it is the one whose SHA-256 is `unlessSHA256` (answered 304).
    public func latestBundle(unlessSHA256 known: String? = nil) async throws(SyncFailure) -> (
        bundle: SignedDownload, trust: TrustFiles
    )? {
        guard
            let (head, body) = try await call(
                "GET", "/bundles/latest", headers: known.map { [("If-None-Match", "\"\($0)\"")] } ?? [],
                limit: 80 << 20, missingIsNil: true)
        else { return nil }
        let download = try signedFile(head, body)
        guard download.name.hasPrefix("bundle-"), download.name.hasSuffix(".tar.zst") else {
            throw .hubAnswer(url: base, reason: "\(download.name) is not a bundle name")
        }
        guard let trust = head.first(name: HubWire.trustHeader).flatMap({ Data(base64Encoded: $0) }),
            let trustSignature = head.first(name: HubWire.trustSignatureHeader).flatMap({ Data(base64Encoded: $0) })
        else { throw .hubAnswer(url: base, reason: "the bundle came without its trust statement") }
        return (download, TrustFiles(json: trust, signature: trustSignature))
    }

    // MARK: - Transport

    /// One HTTP client for the process. A failed connection fails the call at once (the pool's
    /// own retries would wait out the whole deadline): `call` retries with its backoff instead.
    /// Redirects are not followed: a hub answers where it was asked.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(15), read: .seconds(120)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func signedFile(_ head: HTTPHeaders, _ body: Data) throws(SyncFailure) -> SignedDownload {
        guard let name = head.first(name: HubWire.nameHeader), HubWire.isSafeName(name) else {
            throw .hubAnswer(url: base, reason: "the file came without a usable name")
        }
        guard let text = head.first(name: HubWire.signatureHeader), let signature = Data(base64Encoded: text),
            signature.count <= HubWire.signatureCap
        else { throw .hubAnswer(url: base, reason: "\(name) came without its signature") }
        return SignedDownload(name: name, data: body, signature: signature)
    }

    /// One call with retries; nil for a 404 or 304 when `missingIsNil`.
    func call(
        _ method: String, _ path: String, extraSeconds: Int64 = 0, headers: [(String, String)] = [],
        body: Data? = nil, limit: Int, missingIsNil: Bool = false
    ) async throws(SyncFailure) -> (HTTPHeaders, Data)? {
        var pause = backoff
        var lastFailure = SyncFailure.hubUnreachable(url: base, reason: "no attempt made")
        for attempt in 1...attempts {
            if attempt > 1 {
                progress("retrying \(method) \(path) in \(pause) (attempt \(attempt) of \(attempts))")
                try? await Task.sleep(for: pause)
                pause *= 2
            }
            var request = HTTPClientRequest(url: base + HubWire.prefix + path)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let status: Int
            let head: HTTPHeaders
            let answer: Data
            do {
                let response = try await HubClient.http.execute(request, timeout: timeout + .seconds(extraSeconds))
                status = Int(response.status.code)
                head = response.headers
                let buffer = try await response.body.collect(upTo: limit)
                answer = Data(buffer.readableBytesView)
            } catch {
                lastFailure = .hubUnreachable(url: base, reason: HubClient.describe(error))
                continue
            }
            switch status {
            case 200..<300: return (head, answer)
            case 304,
                404 where missingIsNil:
                return nil
            case 429, 500...:
                lastFailure = .hubRefused(url: base, status: status, message: HubClient.message(in: answer))
                continue
            default:
                throw .hubRefused(url: base, status: status, message: HubClient.message(in: answer))
            }
        }
        throw lastFailure
    }

    /// The same as `call`, for calls that never answer nil.
    func call(
        _ method: String, _ path: String, extraSeconds: Int64 = 0, headers: [(String, String)] = [],
        body: Data? = nil, limit: Int
    ) async throws(SyncFailure) -> (HTTPHeaders, Data) {
        guard
            let answer = try await call(
                method, path, extraSeconds: extraSeconds, headers: headers, body: body, limit: limit,
                missingIsNil: false)
        else { throw .hubAnswer(url: base, reason: "nothing at \(path)") }
        return answer
    }

    static func message(in body: Data) -> String {
        if let document = try? JSONDecoder().decode(HubWire.ErrorDocument.self, from: body) {
            return document.error.message + (document.error.hint.map { " (\($0))" } ?? "")
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }

    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "the connection timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout, .deadlineExceeded: return "the server did not answer in time"
            default: return "\(client)"
            }
        }
        if error is NIOTooManyBytesError { return "the answer is larger than fieldkit accepts" }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return "the connection was refused"
        }
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

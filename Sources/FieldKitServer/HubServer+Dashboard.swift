import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation
import HTTPTypes
import Hummingbird

extension HubServer {
    /// The dashboard listener's routes: the state of every enrolled device, as a page and as
    /// JSON. Behind a token when one is configured (required beyond loopback).
    func dashboardRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorDocumentMiddleware(logger: logger))
        if let token = configuration.dashboardToken, !token.isEmpty {
            router.middlewares.add(TokenMiddleware(token: token))
        }
        let store = service.store
        router.get("/v1/health") { _, _ in try HubServer.json(["status": "ok", "service": "fieldkit dashboard"]) }
        router.get("/status.json") { _, _ in try HubServer.json(try store.hubSummaries()) }
        router.get("/") { _, _ in
            let page = HubServer.statusPage(try store.hubSummaries())
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                ], body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
        return router
    }

    /// A self-contained page (no scripts, fonts or styles from elsewhere).
    static func statusPage(_ devices: [HubDeviceSummary]) -> String {
        let rows = devices.map { device in
            "<tr><td>\(escape(device.name))</td><td><code>\(device.device)</code></td><td>\(escape(device.site ?? ""))</td>"
                + "<td>\(escape(device.state))</td><td>\(device.events)</td><td>\(device.through)</td>"
                + "<td>\(device.gaps.count)</td><td>\(device.refusals)</td><td>\(device.lastReceipt)</td></tr>"
        }.joined(separator: "\n")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>fieldkit hub</title>
            <style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
            td,th{border:1px solid #999;padding:.3em .6em;text-align:left}</style></head>
            <body><h1>fieldkit hub: devices</h1>
            <table><tr><th>Name</th><th>Device</th><th>Site</th><th>State</th><th>Events</th><th>Through</th>
            <th>Gaps</th><th>Refusals</th><th>Last receipt</th></tr>
            \(rows)
            </table></body></html>
            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Refuses every dashboard request without the token (in `FieldKit-Token`, `Authorization:
/// Bearer` or `?token=`), compared in constant time.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let bearer = request.headers[.authorization].flatMap { value in
            value.hasPrefix("Bearer ") ? String(value.dropFirst("Bearer ".count)) : nil
        }
        let offered = request.headers[HubServer.tokenField] ?? bearer ?? request.uri.queryParameters.get("token")
        guard let offered, TokenMiddleware.equal(Array(offered.utf8), Array(token.utf8)) else {
            throw APIError(
                .unauthorized, "the dashboard needs its token", hint: "ask headquarters for the dashboard token")
        }
        return try await next(request, context)
    }

    static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

import FieldKitCore
import FieldKitReports
import FieldKitStore
import FieldKitSync
import Foundation
import HTTPTypes
import Hummingbird

extension HubServer {
    /// The dashboard listener's routes: the report (docs/reports.md) as a page, as CSV and as
    /// JSON, and `hub status` as JSON. Behind a token when one is configured (required beyond
    /// loopback).
    func dashboardRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorDocumentMiddleware(logger: logger, folder: service.hub.folder))
        if let token = configuration.dashboardToken, !token.isEmpty {
            router.middlewares.add(TokenMiddleware(token: token))
        }
        let store = service.store
        let environment = service.environment
        @Sendable func report(_ request: Request) async throws -> HubReport {
            let now = environment.now()
            let today = EventTime.localDate(now, offsetMinutes: environment.timeZone.secondsFromGMT(for: now) / 60)
            let query = request.uri.queryParameters
            let from = query.get("from")
            let to = query.get("to")
            for date in [from, to].compactMap({ $0 }) where (try? EventTime.parseDate(date)) == nil {
                throw APIError(.badRequest, "\(date.prefix(20)) is not a date", hint: "write it as YYYY-MM-DD")
            }
            if let from, let to, from > to { throw APIError(.badRequest, "from \(from) is after to \(to)") }
            return try await offPool { try store.hubReport(from: from, to: to, asOf: today, now: now) }
        }
        router.get("/v1/health") { _, _ in try HubServer.json(["status": "ok", "service": "fieldkit dashboard"]) }
        router.get("/status.json") { _, _ in try HubServer.json(try store.hubSummaries()) }
        router.get("/report.json") { request, _ in try HubServer.json(try await report(request)) }
        router.get("/report.csv") { request, _ in
            Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ReportTable(try await report(request)).csv)))
        }
        router.get("/") { request, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                ], body: ResponseBody(byteBuffer: ByteBuffer(string: ReportPage.html(try await report(request)))))
        }
        return router
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
        guard let offered, Secret.equal(offered, token) else {
            throw APIError(
                .unauthorized, "the dashboard needs its token", hint: "ask headquarters for the dashboard token")
        }
        return try await next(request, context)
    }

}

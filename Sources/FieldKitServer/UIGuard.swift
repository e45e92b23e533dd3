import FieldKitCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Lets through only requests from a browser that opened the address `fieldkit ui` printed:
/// the Host must be this loopback listener (no DNS rebinding), the key comes once in the query
/// and then in a cookie only this origin gets (HttpOnly, SameSite=Strict), and a post must come
/// from our own pages (Origin, when sent, is ours; the form's key is checked by the handler).
struct UIGuard<Context: RequestContext>: RouterMiddleware {
    let token: String
    let launch: LaunchCode
    /// The host the interface listens on (a loopback address).
    let host: String
    let port: PortBox
    let logger: Logger

    var cookieName: String { "fieldkit-ui-\(port.get())" }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await guarded(request, context: context, next: next)
        } catch let refusal as UIGuardRefusal {
            logger.info("\(request.method) \(request.uri.path) → \(refusal.status.code)")
            return refusal.response()
        }
    }

    func guarded(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let port = port.get()
        var origins = [ListenAddress(host: self.host, port: port).description]
        if ["127.0.0.1", "::1", "localhost"].contains(self.host) {
            origins += ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
        }
        guard let host = request.head.authority?.lowercased(), origins.contains(host) else {
            throw UIGuard.refusal(.forbidden, "this interface answers only at its own loopback address")
        }
        // The stylesheet and script are constants of the executable: the refusal page uses them too.
        if request.method == .get, UIGuard.assets.contains(request.uri.path) {
            return try await next(request, context)
        }
        let offered = request.uri.queryParameters.get("token")
        let launched = request.uri.queryParameters.get("launch")
        if offered != nil || launched != nil {
            let accepted =
                offered.map { Secret.equal($0, token) } ?? launched.map { launch.use($0) } ?? false
            guard accepted else {
                throw UIGuard.refusal(.forbidden, "the key in the address is not this start's key")
            }
            // Only to a page of ours, and without the key, so it stays out of the history.
            let path = request.uri.path
            var response = TechnicianUI.seeOther(UIHTML.sectionPaths.contains(path) ? path : "/")
            response.setCookie(
                Cookie(name: cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        guard let cookie = request.cookies[cookieName]?.value, Secret.equal(cookie, token) else {
            throw UIGuard.refusal(.forbidden, "this request does not carry this start's key")
        }
        if request.method == .post, let origin = request.headers[.origin], origin != "http://\(host)" {
            throw UIGuard.refusal(.forbidden, "a post from another page is refused")
        }
        return try await next(request, context)
    }

    static var assets: Set<String> { ["/ui.css", "/ui.js"] }

    /// A refusal page in both languages: nothing of the toolkit's state is in it.
    static func refusal(_ status: HTTPResponse.Status, _ reason: String) -> UIGuardRefusal {
        UIGuardRefusal(status: status, reason: reason)
    }

}

/// The code `--open` gives the browser it starts: good for one use, within a minute of the
/// start, so the key itself never appears in another process's arguments.
final class LaunchCode: Sendable {
    private let code: Mutex<(value: String, until: ContinuousClock.Instant)?>

    init(_ value: String?) {
        code = Mutex(value.map { ($0, ContinuousClock.now + .seconds(60)) })
    }

    /// Whether `offered` is the code, still unused and in time; accepted once, then never again.
    func use(_ offered: String) -> Bool {
        code.withLock { current in
            guard let (value, until) = current else { return false }
            let accepted = ContinuousClock.now < until && Secret.equal(offered, value)
            if accepted { current = nil }
            return accepted
        }
    }
}

/// Keys and tokens compared without telling, by the time taken, how much of them matched.
enum Secret {
    /// Whether `offered` is `expected`, in time that depends only on their lengths.
    static func equal(_ offered: String, _ expected: String) -> Bool {
        let left = Array(offered.utf8)
        let right = Array(expected.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A request the guard or a form check refused.
struct UIGuardRefusal: Error, Sendable {
    var status: HTTPResponse.Status
    var reason: String

    func response() -> Response {
        let english = UIText("en")["refused-token"]
        let dutch = UIText("nl")["refused-token"]
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>FieldKit: refused</title>
            <link rel="stylesheet" href="/ui.css"></head>
            <body><main id="main"><h1>FieldKit</h1>
            <p class="problem">\(UIHTML.escape(reason)).</p>
            <p>\(UIHTML.escape(english))</p><p lang="nl">\(UIHTML.escape(dutch))</p>
            </main></body></html>
            """
        return TechnicianUI.html(page, status: status)
    }
}

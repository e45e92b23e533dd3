import FieldKitCore
import FieldKitSync
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An answer other than success, as the JSON document of Sync/SPEC.md §18.
struct APIError: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var hint: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        let document = HubWire.ErrorDocument(status: status.code, message: message, hint: hint)
        let body = (try? JSONEncoder().encode(document)) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The answer for a refusal of fieldkit's own: its message and hint, the status by its kind.
    init(_ failure: any FieldKitError, status: HTTPResponse.Status) {
        self.init(status, failure.message, hint: failure.hint)
    }
}

/// Turns every error into a JSON error document, so a client never has to parse HTML or an
/// empty body, and logs what went wrong inside (never field data: only the status and path).
struct ErrorDocumentMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// Headquarters' data folder, never named to a client.
    let folder: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            logger.info("\(request.method) \(request.uri.path) → \(error.status.code)")
            return error.response()
        } catch let error as HTTPError {
            let message =
                error.status == .notFound
                ? "there is nothing at \(request.uri.path)" : error.body ?? error.status.reasonPhrase
            logger.info("\(request.method) \(request.uri.path) → \(error.status.code)")
            return APIError(error.status, message, hint: error.status == .notFound ? "see Sync/SPEC.md §18" : nil)
                .response()
        } catch let error as any FieldKitError {
            logger.warning("\(request.method) \(request.uri.path) → \(error.exitStatus.rawValue)")
            let status: HTTPResponse.Status =
                switch error.exitStatus {
                case .tempFail: .serviceUnavailable
                case .usage: .badRequest
                default: .internalServerError
                }
            var answer = APIError(error, status: status)
            answer.message = answer.message.replacingOccurrences(of: folder, with: "headquarters' data folder")
            return answer.response()
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed inside the server")
            return APIError(.internalServerError, "the hub failed inside; nothing was stored", hint: "try again later")
                .response()
        }
    }
}

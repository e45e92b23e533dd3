import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import Foundation
import HTTPTypes
import Hummingbird

extension HubServer {
    static let signatureField = field(HubWire.signatureHeader)
    static let nameField = field(HubWire.nameHeader)
    static let trustField = field(HubWire.trustHeader)
    static let trustSignatureField = field(HubWire.trustSignatureHeader)
    static let tokenField = field(HubWire.tokenHeader)

    /// A header name of our own (constants, checked by the tests that use them).
    static func field(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is not a header name") }
        return field
    }

    /// The upload listener's routes (Sync/SPEC.md §18).
    func uploadRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(ErrorDocumentMiddleware(logger: logger, folder: service.hub.folder))
        let service = service
        let version = configuration.version
        router.get("/v1/health") { _, _ in
            try HubServer.json(["status": "ok", "service": "fieldkit hub", "version": version])
        }
        router.post("/v1/archives") { request, _ in try await HubServer.upload(request, to: service) }
        router.get("/v1/receipts/:device") { _, context in
            let device = context.parameters.get("device") ?? ""
            guard Mailbox.isDeviceID(device) else {
                throw APIError(.badRequest, "\(device.prefix(40)) is not a device id", hint: "16 lower-case hex digits")
            }
            guard let receipt = try await service.receipt(for: device) else {
                throw APIError(
                    .notFound, "there is no receipt for device \(device)",
                    hint: "headquarters writes one once it has the device's first archive: sync to send it")
            }
            var headers: HTTPFields = [.contentType: "application/octet-stream", .cacheControl: "no-store"]
            headers[HubServer.nameField] = receipt.name
            headers[HubServer.signatureField] = receipt.signature.base64EncodedString()
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: receipt.data)))
        }
        router.get("/v1/trust") { _, _ in
            try HubServer.json(HubWire.TrustDocument(try service.hub.trustFiles()))
        }
        router.get("/v1/bundles/latest") { request, context in
            guard let (path, offer) = service.hub.publishedBundle() else {
                throw APIError(.notFound, "headquarters has published no bundle yet")
            }
            if let asked = request.headers[.ifNoneMatch], asked.contains(offer.sha256) {
                return Response(status: .notModified, headers: [.eTag: "\"\(offer.sha256)\""])
            }
            let trust = try service.hub.trustFiles()
            var extra: HTTPFields = [.eTag: "\"\(offer.sha256)\""]
            extra[HubServer.trustField] = trust.json.base64EncodedString()
            extra[HubServer.trustSignatureField] = trust.signature.base64EncodedString()
            return try await HubServer.signedFile(path, context: context, extra: extra)
        }
        return router
    }

    /// `POST /v1/archives`: the body streams into a folder of its own under `uploads/` (never
    /// more than the cap), the signature from its header beside it; then the same import as
    /// `hub import` verifies and merges it. The folder is removed whatever happens.
    static func upload(_ request: Request, to service: HubService) async throws -> Response {
        guard let text = request.headers[signatureField], let signature = Data(base64Encoded: text),
            signature.count <= HubWire.signatureCap
        else {
            throw APIError(
                .badRequest, "the upload carries no usable \(HubWire.signatureHeader) header",
                hint: "send the archive's .minisig file, base64, in that header (Sync/SPEC.md §18)")
        }
        let name = request.headers[nameField] ?? "upload" + Mailbox.sealedSuffix
        guard HubWire.isSafeName(name) else {
            throw APIError(.badRequest, "\(HubWire.nameHeader) is not a mailbox file name")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > HubWire.uploadCap {
            throw tooLarge(length)
        }
        let folder = service.uploads + "/" + service.environment.makeID()
        try FileLayer.makeFolder(folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CoreFailure.cannotWrite(path: path, code: errno, description: FileLayer.errorText()) }
        do {
            var size = 0
            for try await piece in request.body {
                size += piece.readableBytes
                guard size <= HubWire.uploadCap else { throw tooLarge(size) }
                try handle.write(contentsOf: piece.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        try FileLayer.writeAtomically(signature, to: path + ".minisig")
        let report = try await service.merge(path)
        guard let result = report.archives.first else {
            throw APIError(.internalServerError, "the upload was not read", hint: "try again")
        }
        let device = result.device ?? "unknown"
        // The reason names the file, never where the server keeps it.
        let reason = (result.reason ?? "the archive was refused").replacingOccurrences(of: folder + "/", with: "")
            .replacingOccurrences(of: service.hub.folder, with: "headquarters' data folder")
        switch result.outcome {
        case "accepted", "already imported":
            let answered = result.carrier ?? device
            return try json(
                HubWire.UploadAnswer(
                    outcome: result.outcome, device: device, range: result.range, accepted: result.accepted,
                    known: result.known, receipt: report.receipts.first { $0.device == answered }?.version))
        case "incomplete":
            throw APIError(
                .badRequest, reason, hint: "the signature header is cut short: send the archive's whole .minisig file")
        case "failed":
            // Headquarters' own fault: nothing was set aside; the laptop tries again.
            throw result.failure == ExitStatus.tempFail.rawValue
                ? APIError(.serviceUnavailable, "headquarters is busy", hint: "try again in a minute")
                : APIError(.internalServerError, "headquarters could not store the upload", hint: "try again later")
        default:
            if result.unknownDevice == true || !result.verified {
                // An unknown device and a bad signature get the same answer, so that nobody learns
                // from it which device ids are enrolled.
                throw APIError(
                    .unprocessableContent, "the archive does not verify against an enrolled laptop's key",
                    hint:
                        "nothing was stored. If it was changed on the way, sync the laptop again; if the laptop is new, "
                        + "headquarters must enrol it first ('fieldkit hub enrol')")
            }
            throw APIError(.conflict, reason, hint: "headquarters keeps the archive aside and will look at it")
        }
    }

    static func tooLarge(_ size: Int) -> APIError {
        APIError(
            .contentTooLarge,
            "the upload is \(size) bytes or more, over the \(HubWire.uploadCap)-byte cap of an archive",
            hint: "fieldkit never writes archives that large; this is not one of its files")
    }

    /// A signed file's bytes, with its name and signature in headers.
    static func signedFile(_ path: String, context: some RequestContext, extra: HTTPFields = [:]) async throws
        -> Response
    {
        let signature = try FileLayer.read(path + ".minisig", limit: HubWire.signatureCap)
        var headers = extra
        headers[.contentType] = "application/octet-stream"
        headers[nameField] = (path as NSString).lastPathComponent
        headers[signatureField] = signature.base64EncodedString()
        headers[.cacheControl] = "no-store"
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

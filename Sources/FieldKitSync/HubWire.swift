import FieldKitCore
import Foundation

/// What travels between a device (or a relay) and `fieldkit hub serve` (Sync/SPEC.md §18):
/// the same signed files as on a stick, a file's signature in a header beside its bytes.
public enum HubWire {
    /// The API's path prefix; a new major version gets a new prefix.
    public static let prefix = "/v1"

    /// The header that carries a file's `.minisig`, base64 (standard alphabet, padded).
    public static let signatureHeader = "FieldKit-Signature"
    /// The header that carries a file's mailbox name (`Mailbox.archiveName`, `receiptName`, …).
    public static let nameHeader = "FieldKit-Name"
    /// The headers that carry the trust statement that goes with a bundle.
    public static let trustHeader = "FieldKit-Trust"
    public static let trustSignatureHeader = "FieldKit-Trust-Signature"
    /// The header a dashboard request carries its token in (`Authorization: Bearer` also works).
    public static let tokenHeader = "FieldKit-Token"

    /// The largest upload the server reads: an archive's cap and room for nothing else.
    public static let uploadCap = ChangeArchive.fileCap

    /// A signature file is a few lines; anything larger is not one.
    public static let signatureCap = 8 << 10

    /// `GET /v1/trust`: headquarters' trust statement, its signature and every root handover.
    public struct TrustDocument: Codable, Equatable, Sendable {
        public struct Handover: Codable, Equatable, Sendable {
            public var json: Data
            public var signature: Data
        }

        public var trust: Data
        public var signature: Data
        public var handovers: [Handover]

        /// The document for `files`.
        public init(_ files: TrustFiles) {
            trust = files.json
            signature = files.signature
            handovers = files.handovers.map { Handover(json: $0.json, signature: $0.signature) }
        }

        /// The files again (not verified: the device checks them against its pinned root).
        public var files: TrustFiles {
            TrustFiles(
                json: trust, signature: signature,
                handovers: handovers.map { TrustFiles.Handover(json: $0.json, signature: $0.signature) })
        }
    }

    /// `POST /v1/archives`: what became of the upload.
    public struct UploadAnswer: Codable, Equatable, Sendable {
        /// `accepted` or `already imported` (refusals come as an error document).
        public var outcome: String
        public var device: String
        public var range: SeqRange?
        /// Events merged by this upload, and events headquarters already held.
        public var accepted: Int
        public var known: Int
        /// The receipt written for the device (fetch it with `GET /v1/receipts/<device>`).
        public var receipt: Int64?

        public init(outcome: String, device: String, range: SeqRange?, accepted: Int, known: Int, receipt: Int64?) {
            self.outcome = outcome
            self.device = device
            self.range = range
            self.accepted = accepted
            self.known = known
            self.receipt = receipt
        }
    }

    /// The body of every 4xx and 5xx answer.
    public struct ErrorDocument: Codable, Equatable, Sendable {
        public struct Detail: Codable, Equatable, Sendable {
            public var status: Int
            public var message: String
            public var hint: String?
        }

        public var error: Detail

        public init(status: Int, message: String, hint: String?) {
            error = Detail(status: status, message: message, hint: hint)
        }
    }

    /// Whether `name` may be written into a mailbox folder as received: a plain name from the
    /// mailbox's own alphabet, never a path.
    public static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 96 && !name.hasPrefix(".")
            && name.utf8.allSatisfy { (48...57).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 46 }
    }
}

import FieldKitCore
import FieldKitCrypto
import Foundation

/// `fieldkit sync DIR --hub URL`: the coordinator's relay. Uploads every device's archives found
/// in DIR's mailbox and brings back every device's newest receipt, headquarters' trust files and
/// the published bundle. It needs no enrolment and opens nothing: archives are sealed to
/// headquarters and receipts to their device, and each side verifies what it reads.
public struct HubRelay: Sendable {
    /// What went and came back for one device.
    public struct DeviceReport: Codable, Equatable, Sendable {
        public var device: String
        public var uploaded: [RemoteSync.Upload]
        /// Archives the hub refused, with its reason (they stay in the folder).
        public var refused: [Refusal]
        /// The receipt now waiting in the folder for the device, if any.
        public var receipt: String?
    }

    /// An archive the hub refused.
    public struct Refusal: Codable, Equatable, Sendable {
        public var file: String
        public var reason: String
    }

    /// The whole relay.
    public struct Report: Codable, Equatable, Sendable {
        public var hub: String
        public var folder: String
        public var devices: [DeviceReport]
        /// The published bundle now in the folder, if any.
        public var bundle: String?
    }

    let client: HubClient
    let mailbox: Mailbox

    /// A relay between the mailbox in `folder` and the hub `client` talks to.
    public init(client: HubClient, folder: String) {
        self.client = client
        self.mailbox = Mailbox(folder: folder)
    }

    /// Runs the relay. A refused archive is reported and the others still go; a lost connection
    /// stops the run (what went is safe at headquarters, the rest stays in the folder).
    public func run() async throws -> Report {
        guard FileLayer.isFolder(mailbox.folder) else {
            throw SyncFailure.mailboxUnusable(path: mailbox.folder, reason: "it does not exist or is not a folder")
        }
        var reports: [DeviceReport] = []
        for device in mailbox.outboundDevices() {
            let (uploaded, refused) = try await HubRelay.send(mailbox.archives(of: device).map(\.path), with: client)
            reports.append(DeviceReport(device: device, uploaded: uploaded, refused: refused, receipt: nil))
        }
        let trust = try await client.trust()
        try HubRelay.place(trust, in: mailbox.trust)
        let waiting = FileLayer.list(mailbox.root + "/inbound").filter {
            Mailbox.isDeviceID($0) && FileLayer.isFolder(mailbox.inbound($0))
        }
        for device in Set(reports.map(\.device) + waiting).sorted() {
            var report =
                reports.first { $0.device == device }
                ?? DeviceReport(
                    device: device, uploaded: [], refused: [], receipt: nil)
            if let receipt = try await client.receipt(for: device) {
                try HubRelay.place(trust, in: mailbox.inbound(device))
                try HubRelay.place(receipt, in: mailbox.inbound(device))
                report.receipt = receipt.name
            }
            reports.removeAll { $0.device == device }
            reports.append(report)
        }
        let bundle = try await HubRelay.fetchBundle(client, into: mailbox, trust: trust)
        return Report(
            hub: client.base, folder: mailbox.folder, devices: reports.sorted { $0.device < $1.device }, bundle: bundle)
    }

    /// Uploads `archives` in order; a refusal of one file is noted and the others still go (a
    /// lost connection stops them all).
    static func send(_ archives: [String], with client: HubClient) async throws -> (
        uploaded: [RemoteSync.Upload], refused: [Refusal]
    ) {
        var uploaded: [RemoteSync.Upload] = []
        var refused: [Refusal] = []
        for path in archives {
            let name = (path as NSString).lastPathComponent
            let answer: HubWire.UploadAnswer
            do {
                answer = try await client.upload(archive: path)
            } catch {
                guard let reason = HubRelay.refusal(error) else { throw error }
                refused.append(Refusal(file: name, reason: reason))
                continue
            }
            uploaded.append(
                RemoteSync.Upload(file: name, outcome: answer.outcome, accepted: answer.accepted, known: answer.known))
        }
        return (uploaded, refused)
    }

    /// The reason when `failure` concerns one file only (a refusal, a damaged file), so the
    /// others still go; nil when the hub cannot be used at all.
    static func refusal(_ failure: SyncFailure) -> String? {
        switch failure {
        case .hubRefused(_, let status, let message) where status < 500 && status != 429: message
        case .malformed(_, let reason): reason
        default: nil
        }
    }

    // MARK: - Placing what came

    /// Writes trust files into `folder` (made if missing).
    static func place(_ trust: TrustFiles, in folder: String) throws {
        try Mailbox.prepare(folder)
        try trust.write(into: folder) { data, path in try Mailbox.place(data, at: path) }
    }

    /// Writes a receipt into `folder`, its signature after it (a half-written pair reads as
    /// incomplete), and removes older receipts of the same device there, as `hub import` does.
    static func place(_ receipt: HubClient.SignedDownload, in folder: String) throws {
        try Mailbox.prepare(folder)
        let path = folder + "/" + receipt.name
        try Mailbox.place(receipt.data, at: path)
        try Mailbox.place(receipt.signature, at: path + ".minisig")
        guard let parsed = Mailbox.parseReceiptName(receipt.name) else { return }
        for name in FileLayer.list(folder) {
            if let other = Mailbox.parseReceiptName(name), other.device == parsed.device, other.version < parsed.version
            {
                Mailbox.remove(signed: folder + "/" + name)
            }
        }
    }

    /// Brings the published bundle into `mailbox`'s bundle folder unless the newest one there is
    /// the same (asked with its SHA-256); returns the path of the bundle now there.
    @discardableResult
    static func fetchBundle(_ client: HubClient, into mailbox: Mailbox, trust: TrustFiles) async throws -> String? {
        let folder = mailbox.bundles
        let present = FileLayer.list(folder).filter { $0.hasPrefix("bundle-") && $0.hasSuffix(".tar.zst") }.max()
        let sha256 = try present.map { Hashing.sha256Hex(try FileLayer.read(folder + "/" + $0, limit: 80 << 20)) }
        guard let (bundle, _) = try await client.latestBundle(unlessSHA256: sha256) else {
            return present.map { folder + "/" + $0 }
        }
        try place(trust, in: folder)
        let path = folder + "/" + bundle.name
        try Mailbox.place(bundle.data, at: path)
        try Mailbox.place(bundle.signature, at: path + ".minisig")
        for name in FileLayer.list(folder)
        where name.hasPrefix("bundle-") && name.hasSuffix(".tar.zst") && name != bundle.name {
            Mailbox.remove(signed: folder + "/" + name)
        }
        return path
    }
}

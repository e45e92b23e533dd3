import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// A device's self-signed request to be enrolled (Sync/SPEC.md §12): its id, public keys,
/// site and name. The signature proves only that the request is whole; people prove whose it
/// is by comparing the fingerprint.
public struct EnrolmentRequest: Codable, Equatable, Sendable {
    public var format: Int
    public var kind: String
    public var device: String
    public var name: String
    public var site: String?
    /// The bare base64 line of the device's signing public key.
    public var signing: String
    /// The device's sealing public key file text.
    public var sealing: String
    public var created: String
    /// The device a restored laptop was restored from, and the last of its events it holds.
    public var predecessor: String?
    public var predecessorThrough: Int64?
    /// The hash of the predecessor's event at `predecessorThrough`.
    public var predecessorHead: String?

    /// The format this build writes and reads.
    public static let currentFormat = 1
    /// The largest request read.
    public static let fileCap = 64 << 10

    /// Makes the request of a device.
    public init(
        device: DeviceRecord, keys: DeviceKeys, created: String, predecessorThrough: Int64? = nil,
        predecessorHead: String? = nil
    ) {
        self.format = EnrolmentRequest.currentFormat
        self.kind = "enrolment"
        self.device = device.id
        self.name = device.name
        self.site = device.currentSite
        self.signing = keys.signing.publicKey.fileText().split(separator: "\n").last.map(String.init) ?? ""
        self.sealing = keys.sealing.publicKey.fileText
        self.created = created
        self.predecessor = device.predecessor
        self.predecessorThrough = device.predecessor == nil ? nil : predecessorThrough ?? 0
        self.predecessorHead = device.predecessor == nil ? nil : predecessorHead
    }

    /// The signing key it names.
    public func signingKey() throws(CryptoFailure) -> MinisignPublicKey { try MinisignPublicKey(text: signing) }

    /// What people compare.
    public func fingerprint() throws(CryptoFailure) -> String { try signingKey().fingerprint }

    /// Writes the request and its signature into `mailbox`'s enrol folder; returns its path.
    public func write(into mailbox: Mailbox, key: SigningSecretKey) throws -> String {
        try Mailbox.prepare(mailbox.enrol)
        let path = mailbox.enrol + "/" + Mailbox.enrolmentName(device: device)
        if FileLayer.exists(path) { Mailbox.remove(signed: path) }
        try FileLayer.writeAtomically(try SignedFile.canonicalJSON(self), to: path)
        _ = try SignedFile.sign(
            path, key: key,
            statement: ["kind": .string(kind), "format": .int(Int64(format)), "device": .string(device)])
        return path
    }

    /// Reads a request and checks it is whole: signed by the key it names, whose id is the device id.
    public static func read(_ path: String) throws -> EnrolmentRequest {
        let bytes = try FileLayer.read(path, limit: fileCap)
        guard let request = try? JSONDecoder().decode(EnrolmentRequest.self, from: bytes),
            request.kind == "enrolment"
        else { throw SyncFailure.malformed(path: path, reason: "it is not an enrolment request") }
        guard Int64(request.format) == Int64(currentFormat) else {
            throw SyncFailure.unknownFormat(path: path, kind: "enrolment request", format: Int64(request.format))
        }
        let key = try request.signingKey()
        _ = try SealingPublicKey(text: request.sealing)
        guard key.keyID.hex == request.device else {
            throw SyncFailure.malformed(path: path, reason: "its device id is not its signing key's id")
        }
        if let predecessor = request.predecessor {
            guard Mailbox.isDeviceID(predecessor), predecessor != request.device,
                (request.predecessorThrough ?? 0) >= 0,
                request.predecessorHead.map({ $0.utf8.count == 64 }) ?? true
            else { throw SyncFailure.malformed(path: path, reason: "it names a wrong predecessor") }
        }
        let fields = try SignedFile.verify(bytes: bytes, of: path, publicKey: key)
        guard fields["kind"] == .string("enrolment"), fields["device"] == .string(request.device) else {
            throw SyncFailure.malformed(path: path, reason: "its signed statement is not for this request")
        }
        return request
    }

    /// The roster entry made from it, accepted by `acceptedBy`.
    public func enrolled(wall: String, acceptedBy: String?) throws -> EnrolledDevice {
        EnrolledDevice(
            device: device, name: name, site: site, signingKey: try signingKey().fileText(), sealingKey: sealing,
            fingerprint: try fingerprint(), enrolledWall: wall, acceptedBy: acceptedBy, predecessor: predecessor)
    }
}

import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// Headquarters' answer to a device (Sync/SPEC.md §11): what it holds of the device's log, and
/// other devices' events about instruments at the device's sites, signed by a signing key that
/// the trust statement beside it names.
public enum Receipt {
    /// The statement's and the manifest's `kind`.
    public static let kind = "receipt"
    /// The format this build writes: 2 is sealed to the device (Sync/SPEC.md §16.1); 1,
    /// unsealed, only behind `hub import --unsealed`.
    public static let format = 2
    /// The unsealed format.
    public static let unsealedFormat = 1
    /// The formats this build reads.
    public static let readableFormats: Set<Int64> = [1, 2]
    /// The largest receipt file read.
    public static let fileCap = 32 << 20
    /// What a reader accepts inside.
    public static let limits = ArchiveLimits(maximumEntries: 8, maximumEntrySize: 48 << 20, maximumTotalSize: 64 << 20)

    /// `receipt.json`.
    public struct Body: Codable, Equatable, Sendable {
        public var format: Int
        public var device: String
        public var version: Int64
        public var issued: String
        /// Every seq from 1 through this one is held.
        public var through: Int64
        /// Seqs that arrived since the last receipt the device acknowledged.
        public var accepted: [SeqRange]
        /// Seqs held before that.
        public var known: [SeqRange]
        /// Seqs missing below the highest held.
        public var gaps: [SeqRange]
        public var refused: [HubRefusal]
        /// How many events `events.jsonl` carries.
        public var events: Int
        /// How far headquarters holds the predecessor's log this device carries on.
        public var predecessors: [LogAcknowledgement]?
        /// The newest bundle headquarters published, waiting in the mailbox's bundle folder.
        public var bundle: BundleOffer?
        /// Every person erased at headquarters (ids only, sorted); absent when none.
        public var erased: [String]?
    }

    /// A published bundle a receipt points to; the file travels in `fieldkit-sync/bundle/`.
    public struct BundleOffer: Codable, Equatable, Sendable {
        public var file: String
        public var version: Int64
        public var sha256: String

        /// Makes one.
        public init(file: String, version: Int64, sha256: String) {
            self.file = file
            self.version = version
            self.sha256 = sha256
        }
    }

    /// A receipt that verified.
    public struct Verified: Sendable {
        public var body: Body
        public var events: [StoredEvent]
        public var people: [Person]
        /// The trust statement beside it, and the root that signed it.
        public var trust: TrustFiles.Checked
        /// Whether it came sealed to the device.
        public var sealed: Bool
    }

    /// Writes the receipt `plan` into `mailbox`'s inbound folder for its device, sealed to
    /// `sealTo` (the device's enrolled sealing key; nil only for the explicit unsealed mode),
    /// with the trust statement beside it, and removes the older receipts there. Returns its path.
    @discardableResult
    public static func write(
        _ plan: ReceiptPlan, key: SigningSecretKey, trust: TrustFiles, issued: String, bundle: BundleOffer? = nil,
        sealTo: SealingPublicKey?, seed: Sealing.Seed? = nil, into mailbox: Mailbox
    ) throws -> String {
        let folder = mailbox.inbound(plan.device)
        try Mailbox.prepare(folder)
        try trust.write(into: folder) { data, path in try Mailbox.place(data, at: path) }
        let answer = sealTo == nil ? unsealedFormat : format
        let body = Body(
            format: answer, device: plan.device, version: plan.version, issued: issued, through: plan.through,
            accepted: plan.accepted, known: plan.known, gaps: plan.gaps, refused: plan.refused,
            events: plan.events.count, predecessors: plan.predecessors.isEmpty ? nil : plan.predecessors,
            bundle: bundle, erased: plan.erased.isEmpty ? nil : plan.erased)
        var lines = Data()
        for stored in plan.events {
            lines.append(stored.bytes)
            lines.append(0x0A)
        }
        let path =
            folder + "/" + Mailbox.receiptName(device: plan.device, version: plan.version, sealed: sealTo != nil)
        if FileLayer.exists(path) { Mailbox.remove(signed: path) }
        var statement: [String: JSONValue] = [
            "kind": .string(kind), "format": .int(Int64(answer)), "device": .string(plan.device),
            "version": .int(plan.version), "through": .int(plan.through), "issued": .string(issued),
        ]
        if let sealTo { statement["sealed"] = .string(sealTo.keyID.minisignHex) }
        try ArchiveWriter.write(
            entries: [
                ArchiveEntry(name: "receipt.json", data: try SignedFile.canonicalJSON(body)),
                ArchiveEntry(name: "events.jsonl", data: lines),
                ArchiveEntry(name: "people.json", data: try PeopleList.encode(plan.people)),
            ], kind: kind, to: path,
            sealing: try sealTo.map { recipient throws(SignedFileFailure) in
                SealingTarget(
                    recipient: recipient, associatedData: try SignedFile.associatedData(statement), seed: seed)
            })
        _ = try SignedFile.sign(path, key: key, statement: statement)
        for older in mailbox.receipts(for: plan.device) where older.version < plan.version {
            Mailbox.remove(signed: older.path)
        }
        return path
    }

    /// Verifies a receipt for `device`: the trust statement beside it against the pinned
    /// `root` (through root handovers when headquarters moved to a new root), its signature
    /// against a signing key the statement names, its statement, and only then unseals it
    /// with the device's `sealing` key and reads its content.
    public static func read(_ path: String, root: MinisignPublicKey, device: String, sealing: SealingSecretKey)
        throws -> Verified
    {
        let checked = try TrustFiles.read(in: (path as NSString).deletingLastPathComponent).verify(pinned: root)
        guard !checked.statement.development else {
            throw TrustFailure.malformed("a receipt cannot be vouched for by a development trust statement")
        }
        let trust = checked.statement
        let size = try FileLayer.size(of: path)
        guard size <= fileCap else { throw SyncFailure.overCap(path: path, size: size, cap: fileCap) }
        let signature = try SignedFile.readSignature(of: path)
        let bytes = try FileLayer.read(path, limit: fileCap)
        let fields = try trust.verifySigned(bytes, signature: signature)
        guard fields["sha256"] == .string(Hashing.sha256Hex(bytes)), fields["size"] == .int(Int64(bytes.count)) else {
            throw SyncFailure.malformed(path: path, reason: "its signed statement does not match the file")
        }
        guard fields["kind"] == .string(kind) else {
            throw SyncFailure.malformed(path: path, reason: "its signed statement is not for a receipt")
        }
        guard let format = fields["format"]?.intValue, readableFormats.contains(format) else {
            throw SyncFailure.unknownFormat(path: path, kind: "receipt", format: fields["format"]?.intValue ?? 0)
        }
        guard fields["device"] == .string(device), let version = fields["version"]?.intValue else {
            throw SyncFailure.malformed(path: path, reason: "it is not a receipt for device \(device)")
        }
        var plain = bytes
        if format == Int64(Receipt.format) {
            guard let sealed = fields["sealed"]?.stringValue else {
                throw SyncFailure.malformed(path: path, reason: "its signed statement does not name the sealing key")
            }
            guard sealed == sealing.keyID.minisignHex else {
                throw CryptoFailure.notSealedTo(expected: sealing.keyID.minisignHex, found: sealed)
            }
            plain = try Sealing.open(bytes, with: sealing, associatedData: SignedFile.associatedData(fields))
        } else if fields["sealed"] != nil {
            throw SyncFailure.malformed(
                path: path, reason: "its signed statement names a sealing key in an unsealed format")
        }
        let content = try Content(
            reading: plain, path: path, device: device, version: version, format: format)
        return Verified(
            body: content.body, events: content.events, people: content.people, trust: checked,
            sealed: format == Int64(Receipt.format))
    }

    /// What a receipt carries, read from its unsealed bytes (a tar+zstd archive) once its
    /// signature and statement are checked: the last step of `read`, and the fuzzers' entry.
    public struct Content: Sendable {
        public var body: Body
        public var events: [StoredEvent]
        public var people: [Person]

        /// Reads `plain`, which the signed statement says is receipt `version` in `format` for
        /// `device`; refuses anything else in it.
        public init(reading plain: Data, path: String, device: String, version: Int64, format: Int64) throws {
            let contents = try ArchiveReader.read(plain, limits: limits)
            guard contents.manifest.kind == kind, let bodyJSON = contents.files["receipt.json"],
                let lines = contents.files["events.jsonl"], let peopleJSON = contents.files["people.json"]
            else {
                throw SyncFailure.malformed(path: path, reason: "it lacks receipt.json, events.jsonl or people.json")
            }
            guard let body = try? JSONDecoder().decode(Body.self, from: bodyJSON), body.device == device,
                body.version == version, Int64(body.format) == format
            else {
                throw SyncFailure.malformed(path: path, reason: "receipt.json does not match its signed statement")
            }
            let events = lines.isEmpty ? [] : try ChangeArchive.parseEvents(lines, path: path)
            guard events.count == body.events else {
                throw SyncFailure.malformed(path: path, reason: "it carries \(events.count) events, not \(body.events)")
            }
            self.body = body
            self.events = events
            self.people = try PeopleList.decode(peopleJSON, path: path)
        }
    }
}

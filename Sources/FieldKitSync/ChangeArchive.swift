import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// A change archive (Sync/SPEC.md §10): a consecutive seq range of one device's events, the
/// names of the persons they name and the photos they reference, in a tar + zstd container
/// signed by the device.
public enum ChangeArchive {
    /// The statement's and the manifest's `kind`.
    public static let kind = "changes"
    /// The format this build writes: 2 is sealed (Sync/SPEC.md §16.1); 1, unsealed, only
    /// behind `sync --unsealed`.
    public static let format = 2
    /// The unsealed format.
    public static let unsealedFormat = 1
    /// The formats this build reads.
    public static let readableFormats: Set<Int64> = [1, 2]
    /// The largest archive file read: checked with `stat` before a byte is read.
    public static let fileCap = 32 << 20
    /// A writer closes an archive once its entries would pass this many bytes.
    public static let contentTarget = 8 << 20
    /// The most events in one archive.
    public static let maximumEvents = 20_000
    /// The largest single event with its photos; anything larger cannot travel.
    public static let maximumEventContent = 24 << 20
    /// What a reader accepts inside.
    public static let limits = ArchiveLimits(
        maximumEntries: 4_096, maximumEntrySize: 32 << 20, maximumTotalSize: 48 << 20)

    /// The signed statement in an archive's trusted comment: its identity and range.
    public struct Statement: Equatable, Sendable {
        public var format: Int64
        public var device: String
        public var range: SeqRange
        /// The hash of the event at `range.last`.
        public var head: String
        public var count: Int64
        public var created: String
        /// The newest receipt the device had applied when it wrote the archive.
        public var receipt: Int64
        /// The successor device that signed the archive for its predecessor `device`, if any.
        public var carrier: String?
        /// The key id (minisign hex) of headquarters' sealing key the archive is sealed to;
        /// present exactly in format 2.
        public var sealed: String?

        /// The device whose key signs the archive.
        public var signer: String { carrier ?? device }

        /// Reads the statement's fields; anything missing or out of shape is refused.
        public init(_ fields: [String: JSONValue], path: String) throws(SyncFailure) {
            guard fields["kind"] == .string(ChangeArchive.kind) else {
                throw .malformed(path: path, reason: "its signed statement is not for a change archive")
            }
            guard let format = fields["format"]?.intValue else {
                throw .malformed(path: path, reason: "its signed statement has no format")
            }
            guard ChangeArchive.readableFormats.contains(format) else {
                throw .unknownFormat(path: path, kind: "change archive", format: format)
            }
            guard let device = fields["device"]?.stringValue, Mailbox.isDeviceID(device),
                let first = fields["first"]?.intValue, let last = fields["last"]?.intValue, first >= 1, last >= first,
                let head = fields["head"]?.stringValue, head.utf8.count == 64,
                let count = fields["count"]?.intValue, count == last - first + 1,
                let created = fields["created"]?.stringValue, let receipt = fields["receipt"]?.intValue, receipt >= 0,
                receipt < 1 << 53
            else { throw .malformed(path: path, reason: "its signed statement lacks a field or has a wrong one") }
            self.format = format
            self.device = device
            self.range = SeqRange(first, last)
            self.head = head
            self.count = count
            self.created = created
            self.receipt = receipt
            if let carrier = fields["carrier"] {
                guard let text = carrier.stringValue, Mailbox.isDeviceID(text), text != device else {
                    throw .malformed(path: path, reason: "its signed statement names a wrong carrier")
                }
                self.carrier = text
            }
            if format == 2 {
                guard let sealed = fields["sealed"]?.stringValue, sealed.utf8.count == 16 else {
                    throw .malformed(path: path, reason: "its signed statement does not name the sealing key")
                }
                self.sealed = sealed
            } else if fields["sealed"] != nil {
                throw .malformed(path: path, reason: "its signed statement names a sealing key in an unsealed format")
            }
        }

        init(
            device: String, range: SeqRange, head: String, created: String, receipt: Int64, carrier: String?,
            sealed: String?
        ) {
            self.format = Int64(sealed == nil ? ChangeArchive.unsealedFormat : ChangeArchive.format)
            self.sealed = sealed
            self.device = device
            self.range = range
            self.head = head
            self.count = range.count
            self.created = created
            self.receipt = receipt
            self.carrier = carrier
        }

        var fields: [String: JSONValue] {
            var fields: [String: JSONValue] = [
                "kind": .string(ChangeArchive.kind), "format": .int(format), "device": .string(device),
                "first": .int(range.first), "last": .int(range.last), "head": .string(head), "count": .int(count),
                "created": .string(created), "receipt": .int(receipt),
            ]
            if let carrier { fields["carrier"] = .string(carrier) }
            if let sealed { fields["sealed"] = .string(sealed) }
            return fields
        }
    }

    /// A verified archive's content.
    public struct Contents: Sendable {
        public var statement: Statement
        /// SHA-256 of the archive file.
        public var sha256: String
        public var events: [StoredEvent]
        public var people: [Person]
        /// Photos by SHA-256.
        public var blobs: [String: Data]
    }

    // MARK: - Writing

    /// The photo hashes an event references: strings of 64 hex digits under any `photos` key.
    public static func photoHashes(in event: Event) -> [String] {
        var found: [String] = []
        func walk(_ value: JSONValue, underPhotos: Bool) {
            switch value {
            case .string(let text) where underPhotos && text.utf8.count == 64: found.append(text)
            case .array(let items): for item in items { walk(item, underPhotos: underPhotos) }
            case .object(let fields): for (key, item) in fields { walk(item, underPhotos: key == "photos") }
            default: break
            }
        }
        walk(event.payload, underPhotos: false)
        return found
    }

    /// Splits consecutive events into archives under the caps, one event at a time, so that a
    /// long log is never all in memory: `add` hands back the archive an event closes, `finish`
    /// the last one.
    public struct Batcher {
        let blobSize: (String) -> Int?
        var current: [StoredEvent] = []
        var size = 0
        var photos = Set<String>()

        /// `blobSize` gives a photo's size (nil when it is missing on this device).
        public init(blobSize: @escaping (String) -> Int?) {
            self.blobSize = blobSize
        }

        /// Adds the next event; returns the batch it cannot join, if one is now complete.
        public mutating func add(_ stored: StoredEvent) throws(SyncFailure) -> [StoredEvent]? {
            let hashes = Set(ChangeArchive.photoHashes(in: stored.event))
            let blobSize = self.blobSize
            // The event's line and the photos it adds to an archive already holding `held`.
            func contentSize(besides held: Set<String>) -> Int {
                stored.bytes.count + 1 + hashes.subtracting(held).reduce(0) { $0 + (blobSize($1) ?? 0) }
            }
            let alone = contentSize(besides: [])
            guard alone <= maximumEventContent else { throw .eventTooLarge(seq: stored.event.seq, bytes: alone) }
            let continues = current.last.map { $0.event.seq + 1 == stored.event.seq } ?? true
            var added = contentSize(besides: photos)
            var complete: [StoredEvent]?
            if !current.isEmpty, !continues || size + added > contentTarget || current.count >= maximumEvents {
                complete = current
                current = []
                photos = []
                size = 0
                added = alone
            }
            current.append(stored)
            size += added
            photos.formUnion(hashes)
            return complete
        }

        /// The batch still open, if any.
        public mutating func finish() -> [StoredEvent]? {
            defer {
                current = []
                photos = []
                size = 0
            }
            return current.isEmpty ? nil : current
        }
    }

    /// Writes one archive of consecutive `events` into `folder`, sealed to `sealTo` (headquarters'
    /// sealing key; nil only for the explicit unsealed mode), then its signature; returns its path.
    /// A successor carrying its predecessor's events names itself as `carrier` and signs with its own key.
    @discardableResult
    public static func write(
        _ events: [StoredEvent], people: [Person], blobs: [String: Data], key: SigningSecretKey, created: String,
        receipt: Int64, carrier: String? = nil, sealTo: SealingPublicKey?, seed: Sealing.Seed? = nil,
        into folder: String
    ) throws -> String {
        guard let first = events.first?.event, let last = events.last else {
            throw SyncFailure.malformed(path: folder, reason: "an archive needs at least one event")
        }
        let range = SeqRange(first.seq, last.event.seq)
        let path = folder + "/" + Mailbox.archiveName(device: first.device, range: range, sealed: sealTo != nil)
        var lines = Data()
        for stored in events {
            lines.append(stored.bytes)
            lines.append(0x0A)
        }
        let peopleJSON = try PeopleList.encode(people)
        var entries = [
            ArchiveEntry(name: "events.jsonl", data: lines), ArchiveEntry(name: "people.json", data: peopleJSON),
        ]
        for hash in blobs.keys.sorted() {
            if let data = blobs[hash] { entries.append(ArchiveEntry(name: "blobs/" + hash, data: data)) }
        }
        if FileLayer.exists(path) { Mailbox.remove(signed: path) }
        let statement = Statement(
            device: first.device, range: range, head: last.hash, created: created, receipt: receipt, carrier: carrier,
            sealed: sealTo?.keyID.minisignHex)
        try ArchiveWriter.write(
            entries: entries, kind: kind, to: path,
            sealing: try sealTo.map { recipient throws(SignedFileFailure) in
                SealingTarget(
                    recipient: recipient, associatedData: try SignedFile.associatedData(statement.fields), seed: seed)
            })
        _ = try SignedFile.sign(path, key: key, statement: statement.fields)
        return path
    }

    // MARK: - Reading

    /// Reads what can be read before verifying: the size (capped) and the signed statement.
    /// Nothing here is trusted until `open` has checked the signature.
    public static func inspect(_ path: String) throws -> (statement: Statement, size: Int64) {
        let size = try FileLayer.size(of: path)
        guard size <= fileCap else { throw SyncFailure.overCap(path: path, size: size, cap: fileCap) }
        let signature = try SignedFile.readSignature(of: path)
        let fields = try SignedFile.parseStatement(signature.trustedComment)
        return (try Statement(fields, path: path), size)
    }

    /// Verifies the archive's signature with its signer's key (its device's, or its carrier's);
    /// returns the statement it signs and the bytes it covers, which are all that is parsed next.
    public static func verify(_ path: String, key: MinisignPublicKey) throws -> (statement: Statement, bytes: Data) {
        let (unverified, _) = try inspect(path)
        guard key.keyID.hex == unverified.signer else {
            throw SyncFailure.wrongSigner(path: path, expected: unverified.signer, found: key.keyID.hex)
        }
        let signature = try SignedFile.readSignature(of: path)
        guard signature.keyID == key.keyID else {
            throw SyncFailure.wrongSigner(path: path, expected: key.keyID.hex, found: signature.keyID.hex)
        }
        let bytes = try FileLayer.read(path, limit: fileCap)
        let statement = try Statement(SignedFile.verify(bytes: bytes, of: path, publicKey: key), path: path)
        return (statement, bytes)
    }

    /// Opens verified bytes — unsealing them first with `key`, headquarters' sealing key the
    /// statement names — and checks every event against the statement: one device,
    /// consecutive seqs, an unbroken chain, the head.
    public static func open(_ bytes: Data, statement: Statement, key: SealingSecretKey?, path: String) throws
        -> Contents
    {
        var plain = bytes
        if let sealed = statement.sealed {
            guard let key, key.keyID.minisignHex == sealed else {
                throw SyncFailure.malformed(path: path, reason: "it is sealed to a key this headquarters does not hold")
            }
            plain = try Sealing.open(bytes, with: key, associatedData: SignedFile.associatedData(statement.fields))
        }
        let contents = try ArchiveReader.read(plain, limits: limits)
        guard contents.manifest.kind == kind else {
            throw SyncFailure.malformed(path: path, reason: "its manifest is not a change archive's")
        }
        guard let lines = contents.files["events.jsonl"], let peopleJSON = contents.files["people.json"] else {
            throw SyncFailure.malformed(path: path, reason: "it lacks events.jsonl or people.json")
        }
        let events = try parseEvents(lines, path: path)
        guard events.count == statement.count, let last = events.last,
            events.first?.event.seq == statement.range.first, last.event.seq == statement.range.last,
            last.hash == statement.head
        else { throw SyncFailure.malformed(path: path, reason: "its events do not match its signed statement") }
        for (index, stored) in events.enumerated() {
            guard stored.event.device == statement.device, stored.event.seq == statement.range.first + Int64(index)
            else { throw SyncFailure.malformed(path: path, reason: "its events are not one device's consecutive seqs") }
            if index > 0, stored.event.prev != events[index - 1].hash {
                throw SyncFailure.malformed(path: path, reason: "its hash chain is broken at seq \(stored.event.seq)")
            }
        }
        let people = try PeopleList.decode(peopleJSON, path: path)
        var blobs: [String: Data] = [:]
        for (name, data) in contents.files where name.hasPrefix("blobs/") {
            let hash = String(name.dropFirst("blobs/".count))
            guard Hashing.sha256Hex(data) == hash else {
                throw SyncFailure.malformed(path: path, reason: "the photo \(name) does not match its name")
            }
            blobs[hash] = data
        }
        return Contents(
            statement: statement, sha256: Hashing.sha256Hex(bytes), events: events, people: people, blobs: blobs)
    }

    /// Splits JSON Lines (LF, the last line ending in LF) into stored events, bytes kept as they are.
    public static func parseEvents(_ data: Data, path: String) throws(SyncFailure) -> [StoredEvent] {
        guard data.last == 0x0A else {
            throw .malformed(path: path, reason: "events.jsonl does not end with a newline")
        }
        var events: [StoredEvent] = []
        for line in data.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false) {
            do { events.append(try StoredEvent(bytes: Data(line))) } catch {
                throw .malformed(path: path, reason: "a line of events.jsonl is not an event: \(error.message)")
            }
        }
        return events
    }
}

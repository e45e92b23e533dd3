import FieldKitCrypto
import Foundation

/// One immutable fact in a device's log: the envelope of DESIGN.md §2 and its payload.
///
/// An event is stored and carried as the exact JSON line it was written as (`StoredEvent`);
/// this value is what that line decodes to.
public struct Event: Hashable, Sendable, Codable {
    /// The envelope format version.
    public var format: Int
    /// A unique id (32 lower-case hex digits).
    public var id: String
    /// The device whose log holds the event.
    public var device: String
    /// 1, 2, 3 … per device, no gaps.
    public var seq: Int64
    /// The hybrid logical clock reading.
    public var hlc: HLCTimestamp
    /// The wall clock when recorded, UTC, as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var wall: String
    /// The UTC offset in force when recorded, in minutes east of UTC.
    public var offsetMinutes: Int
    /// The record's local date, `YYYY-MM-DD` (reports group by it).
    public var date: String
    /// The site the record belongs to.
    public var site: String?
    /// The person id of the author.
    public var author: String?
    /// The SHA-256 of the bundle in force.
    public var bundle: String?
    /// What kind of fact this is, e.g. `device.initialised`.
    public var type: String
    /// The fact itself.
    public var payload: JSONValue
    /// Ids of the events this one overrides (single-valued attributes only).
    public var basis: [String]
    /// SHA-256 (hex) of the previous event's stored bytes; nil for seq 1.
    public var prev: String?

    enum CodingKeys: String, CodingKey {
        case format = "v"
        case id, device, seq, hlc, wall
        case offsetMinutes = "offset"
        case date, site, author, bundle, type, payload, basis, prev
    }

    /// Makes an event.
    public init(
        format: Int = Event.currentFormat, id: String, device: String, seq: Int64, hlc: HLCTimestamp, wall: String,
        offsetMinutes: Int, date: String, site: String?, author: String?, bundle: String?, type: String,
        payload: JSONValue, basis: [String] = [], prev: String?
    ) {
        self.format = format
        self.id = id
        self.device = device
        self.seq = seq
        self.hlc = hlc
        self.wall = wall
        self.offsetMinutes = offsetMinutes
        self.date = date
        self.site = site
        self.author = author
        self.bundle = bundle
        self.type = type
        self.payload = payload
        self.basis = basis
        self.prev = prev
    }

    // Every key is written, nulls included, so the line's shape never depends on the values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(id, forKey: .id)
        try container.encode(device, forKey: .device)
        try container.encode(seq, forKey: .seq)
        try container.encode(hlc, forKey: .hlc)
        try container.encode(wall, forKey: .wall)
        try container.encode(offsetMinutes, forKey: .offsetMinutes)
        try container.encode(date, forKey: .date)
        try container.encode(site, forKey: .site)
        try container.encode(author, forKey: .author)
        try container.encode(bundle, forKey: .bundle)
        try container.encode(type, forKey: .type)
        try container.encode(payload, forKey: .payload)
        try container.encode(basis, forKey: .basis)
        try container.encode(prev, forKey: .prev)
    }

    /// The envelope format this build writes.
    public static let currentFormat = 1

    /// The canonical line: sorted keys, no insignificant white space, no trailing newline.
    public func canonicalBytes() throws(CoreFailure) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw .malformedEvent(reason: "it could not be encoded")
        }
    }
}

/// An event as stored: its exact bytes, their hash, and the decoded value.
public struct StoredEvent: Hashable, Sendable {
    /// The JSON line, exactly as written.
    public let bytes: Data
    /// SHA-256 (hex) of `bytes`: what the next event's `prev` names.
    public let hash: String
    /// The decoded event.
    public let event: Event

    /// Encodes `event` canonically.
    public init(encoding event: Event) throws(CoreFailure) {
        let bytes = try event.canonicalBytes()
        self.init(bytes: bytes, event: event)
    }

    /// Decodes stored bytes; the hash is over them as they are, never over a re-encoding.
    public init(bytes: Data) throws(CoreFailure) {
        guard bytes.count <= StoredEvent.maximumSize else {
            throw .malformedEvent(reason: "it is larger than \(StoredEvent.maximumSize) bytes")
        }
        do {
            let event = try JSONDecoder().decode(Event.self, from: bytes)
            self.init(bytes: bytes, event: event)
        } catch {
            throw .malformedEvent(reason: "its JSON does not match the event envelope")
        }
    }

    private init(bytes: Data, event: Event) {
        self.bytes = bytes
        self.hash = Hashing.sha256Hex(bytes)
        self.event = event
    }

    /// The largest event line accepted (photos travel as blobs, not inside events).
    public static let maximumSize = 64 * 1024
}

import FieldKitCore

/// The device this data folder belongs to.
public struct DeviceRecord: Sendable, Equatable {
    /// Lower-case hex of the signing key id.
    public var id: String
    /// A name people recognise ("atelier-van-2").
    public var name: String
    /// The site records go to unless `--site` says otherwise.
    public var currentSite: String?
    /// The person id of the technician who carries the laptop.
    public var technician: String?
    /// The device this one was restored from, if any.
    public var predecessor: String?
    /// When `init` (or `restore`) ran, as a wall-clock string.
    public var createdWall: String
    /// Headquarters' pinned root public key, as its file text.
    public var hqRoot: String?

    /// Makes a record.
    public init(
        id: String, name: String, currentSite: String?, technician: String?, predecessor: String?,
        createdWall: String, hqRoot: String?
    ) {
        self.id = id
        self.name = name
        self.currentSite = currentSite
        self.technician = technician
        self.predecessor = predecessor
        self.createdWall = createdWall
        self.hqRoot = hqRoot
    }
}

/// A person: an id in events, a name here (erasable).
public struct Person: Sendable, Equatable {
    /// The id events carry.
    public var id: String
    /// The name, until erased.
    public var name: String?

    /// Makes a person.
    public init(id: String, name: String?) {
        self.id = id
        self.name = name
    }
}

/// What a command asks to record; the store fills in seq, clock, chain and id.
public struct EventDraft: Sendable, Equatable {
    /// The event type.
    public var type: String
    /// The fact.
    public var payload: JSONValue
    /// The site (nil: the device's current site).
    public var site: String?
    /// The author's person id (nil: the device's technician).
    public var author: String?
    /// Ids of overridden events.
    public var basis: [String]
    /// The local date, when the person gave one.
    public var date: String?
    /// The bundle in force.
    public var bundle: String?

    /// Makes a draft.
    public init(
        type: String, payload: JSONValue, site: String? = nil, author: String? = nil, basis: [String] = [],
        date: String? = nil, bundle: String? = nil
    ) {
        self.type = type
        self.payload = payload
        self.site = site
        self.author = author
        self.basis = basis
        self.date = date
        self.bundle = bundle
    }
}

/// Counts for `status`.
public struct StoreCounts: Sendable, Equatable, Codable {
    /// Every event in the store, of every device.
    public var events: Int
    /// Events of this device (and its predecessors) not yet acknowledged by headquarters.
    public var undelivered: Int
    /// People with a name on record.
    public var people: Int
}

/// A problem `doctor` found in the log.
public struct LogFinding: Sendable, Equatable, Codable {
    /// The device whose log has the problem.
    public var device: String
    /// The seq where it shows.
    public var seq: Int64
    /// What is wrong.
    public var problem: String
}

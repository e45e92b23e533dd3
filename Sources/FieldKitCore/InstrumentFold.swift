/// An instrument as the bundle's snapshot describes it, before any field event.
public struct InstrumentBase: Codable, Equatable, Sendable {
    public var tag: String
    public var type: String
    public var size: String?
    public var maker: String?
    public var model: String?
    public var serial: String?
    public var site: String
    public var status: String
    public var condition: String
    public var lastService: String?

    public init(
        tag: String, type: String, size: String?, maker: String?, model: String?, serial: String?, site: String,
        status: String, condition: String, lastService: String?
    ) {
        self.tag = tag
        self.type = type
        self.size = size
        self.maker = maker
        self.model = model
        self.serial = serial
        self.site = site
        self.status = status
        self.condition = condition
        self.lastService = lastService
    }
}

/// An instrument's state: the deterministic fold of its snapshot entry and every event about it.
public struct InstrumentState: Codable, Equatable, Sendable {
    public var tag: String
    public var type: String
    public var size: String?
    public var maker: String?
    public var model: String?
    public var serial: String?
    public var site: String
    public var status: String
    public var condition: String
    public var lastService: String?
    /// True for an instrument registered in the field under a provisional tag.
    public var provisional: Bool
    /// Per single-valued attribute (`site`, `status`, `condition`), the ids of the events not
    /// overridden by another: one head is a value, several are a conflict.
    public var heads: [String: [String]]
    /// Attributes whose heads disagree, with the values of every head.
    public var conflicts: [String: [String]]
    /// How many events touched it.
    public var events: Int
}

/// The fold of DESIGN.md §2: sets for multi-valued facts, multi-value registers over the
/// `basis` graph for single-valued attributes. It depends only on the set of events, never on
/// their order of arrival or on wall clocks.
public enum InstrumentFold {
    /// The single-valued attributes.
    public static let attributes = ["site", "status", "condition"]

    /// What an event sets, by attribute.
    public static func assignments(_ event: Event) -> [String: String] {
        let payload = event.payload
        switch event.type {
        case EventType.loanOut:
            return ["site": payload["to"]?.stringValue, "status": "in-use"].compactMapValues { $0 }
        case EventType.loanReturned:
            return ["site": payload["to"]?.stringValue ?? "DEPOT", "status": "at-depot"]
        case EventType.loanMoved:
            return ["site": payload["to"]?.stringValue].compactMapValues { $0 }
        case EventType.instrumentRegistered:
            return [
                "site": payload["site"]?.stringValue, "status": "in-use",
                "condition": payload["condition"]?.stringValue ?? "good",
            ].compactMapValues { $0 }
        case EventType.repairLogged:
            return ["condition": payload["conditionAfter"]?.stringValue].compactMapValues { $0 }
        case EventType.repairAmended:
            return ["condition": payload["changes"]?["conditionAfter"]?.stringValue].compactMapValues { $0 }
        case EventType.conflictResolved:
            guard let attribute = payload["attribute"]?.stringValue, attributes.contains(attribute),
                let value = payload["value"]?.stringValue
            else { return [:] }
            return [attribute: value]
        default:
            return [:]
        }
    }

    /// Folds `events` (any order, duplicates ignored) on top of `base`; nil when the instrument
    /// is neither in the snapshot nor registered by an event.
    public static func fold(tag: String, base: InstrumentBase?, events: [Event]) -> InstrumentState? {
        var unique: [String: Event] = [:]
        for event in events { unique[event.id] = event }
        let sorted = unique.values.sorted { $0.id < $1.id }
        let registration = sorted.first { $0.type == EventType.instrumentRegistered }
        guard base != nil || registration != nil else { return nil }
        let payload = registration?.payload
        var state = InstrumentState(
            tag: tag, type: base?.type ?? payload?["type"]?.stringValue ?? "unknown",
            size: base?.size ?? payload?["size"]?.stringValue, maker: base?.maker ?? payload?["maker"]?.stringValue,
            model: base?.model, serial: base?.serial ?? payload?["serial"]?.stringValue,
            site: base?.site ?? "DEPOT", status: base?.status ?? "in-use", condition: base?.condition ?? "good",
            lastService: base?.lastService, provisional: base == nil, heads: [:], conflicts: [:], events: sorted.count)
        for attribute in attributes {
            let setters = sorted.filter { assignments($0)[attribute] != nil }
            // Only a setter of the same attribute overrides: a move does not undo a loan's status.
            let overridden = Set(setters.flatMap(\.basis))
            let heads = setters.filter { !overridden.contains($0.id) }
            guard let winner = heads.first, let value = assignments(winner)[attribute] else { continue }
            state.heads[attribute] = heads.map(\.id)
            switch attribute {
            case "site": state.site = value
            case "status": state.status = value
            default: state.condition = value
            }
            let values = Set(heads.compactMap { assignments($0)[attribute] })
            if heads.count > 1 { state.conflicts[attribute] = values.sorted() }
        }
        for event in sorted where event.type == EventType.repairLogged {
            if event.date > (state.lastService ?? "") { state.lastService = event.date }
        }
        return state
    }
}

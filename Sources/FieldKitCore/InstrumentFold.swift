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
    /// In a snapshot made by headquarters (Sync/SPEC.md §17): the heads of each attribute after
    /// the events it folds, with their values, so a conflict still open stays open.
    public var heads: [String: [SnapshotHead]]?
    /// Per attribute, ids named in the basis of a folded setter of it but not folded themselves
    /// (beyond a watermark): they stay overridden when they arrive.
    public var overridden: [String: [String]]?
    /// How many events the snapshot folds into this entry.
    public var folded: Int?
    /// Provisional tags confirmed as, or mapped to, this instrument.
    public var aliases: [String]?
    /// True for a field registration headquarters has not confirmed yet.
    public var provisional: Bool?
    /// True for an entry that carries only folded events of an instrument whose first event
    /// (its registration or addition) is beyond the watermarks: it describes nothing yet.
    public var placeholder: Bool?

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

/// A head a snapshot carries: an event not overridden, and the value it sets.
public struct SnapshotHead: Codable, Equatable, Sendable {
    public var event: String
    public var value: String

    public init(event: String, value: String) {
        self.event = event
        self.value = value
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
    /// Provisional tags that are this instrument (sorted); absent when none.
    public var aliases: [String]?
    /// Per attribute, ids in the basis of its setters that no event here carries (Sync/SPEC.md §17).
    public var overridden: [String: [String]]?
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
        case EventType.instrumentAdded:
            let site = payload["site"]?.stringValue ?? "DEPOT"
            return [
                "site": site, "status": site == "DEPOT" ? "at-depot" : "in-use",
                "condition": payload["condition"]?.stringValue ?? "good",
            ]
        case EventType.instrumentRetired:
            return ["status": "retired"]
        default:
            return [:]
        }
    }

    /// Folds `events` (any order, duplicates ignored) on top of `base`; nil when the instrument
    /// is neither in the snapshot nor added or registered by an event. A base from a snapshot
    /// made by headquarters brings its heads and overridden ids, so folding the events beyond
    /// its watermarks on it gives what folding every event on the older snapshot gives.
    public static func fold(tag: String, base: InstrumentBase?, events: [Event], aliases: [String] = [])
        -> InstrumentState?
    {
        fold(tag: tag, base: base, events: events, aliases: aliases, described: true)
    }

    /// `described`: nil unless the snapshot or an event describes the instrument; otherwise a
    /// state is made anyway (for a placeholder entry). `alsoHeld`: ids of events folded into
    /// `base` already (not in `events`), so naming them in a basis leaves nothing dangling.
    static func fold(
        tag: String, base: InstrumentBase?, events: [Event], aliases: [String], described: Bool,
        alsoHeld: Set<String> = []
    ) -> InstrumentState? {
        var unique: [String: Event] = [:]
        for event in events { unique[event.id] = event }
        let sorted = unique.values.sorted { $0.id < $1.id }
        let origin =
            sorted.first { $0.type == EventType.instrumentAdded }
            ?? sorted.first { $0.type == EventType.instrumentRegistered }
        let description = base?.placeholder == true ? nil : base
        guard description != nil || origin != nil || !described else { return nil }
        let payload = origin?.payload
        let accepted = sorted.contains {
            $0.type == EventType.instrumentAdded || $0.type == EventType.instrumentConfirmed
                || $0.type == EventType.instrumentMapped
        }
        var state = InstrumentState(
            tag: tag, type: description?.type ?? payload?["type"]?.stringValue ?? "unknown",
            size: description?.size ?? payload?["size"]?.stringValue,
            maker: description?.maker ?? payload?["maker"]?.stringValue,
            model: description?.model, serial: description?.serial ?? payload?["serial"]?.stringValue,
            site: description?.site ?? "DEPOT", status: description?.status ?? "in-use",
            condition: description?.condition ?? "good", lastService: base?.lastService,
            provisional: !accepted && (description.map { $0.provisional == true } ?? true),
            heads: [:], conflicts: [:],
            events: (base?.folded ?? 0) + sorted.count)
        let names = Set(aliases + (base?.aliases ?? []))
        if !names.isEmpty { state.aliases = names.sorted() }
        let held = Set(sorted.map(\.id)).union(alsoHeld)
        for attribute in attributes {
            // Only a setter of the same attribute overrides: a move does not undo a loan's status.
            let setters = sorted.filter { assignments($0)[attribute] != nil }
            let overriddenHere = Set(setters.flatMap(\.basis)).union(base?.overridden?[attribute] ?? [])
            let dangling = overriddenHere.subtracting(held).subtracting(
                (base?.heads?[attribute] ?? []).map(\.event))
            if !dangling.isEmpty {
                state.overridden = (state.overridden ?? [:]).merging([attribute: dangling.sorted()]) { $1 }
            }
            var heads = (base?.heads?[attribute] ?? []).filter { !overriddenHere.contains($0.event) }
            heads += setters.filter { !overriddenHere.contains($0.id) }.compactMap { event in
                assignments(event)[attribute].map { SnapshotHead(event: event.id, value: $0) }
            }
            heads.sort { $0.event < $1.event }
            guard let winner = heads.first else { continue }
            state.heads[attribute] = heads.map(\.event)
            switch attribute {
            case "site": state.site = winner.value
            case "status": state.status = winner.value
            default: state.condition = winner.value
            }
            if heads.count > 1 { state.conflicts[attribute] = Set(heads.map(\.value)).sorted() }
        }
        for event in sorted where event.type == EventType.repairLogged {
            if event.date > (state.lastService ?? "") { state.lastService = event.date }
        }
        return state
    }

    /// One base from the snapshot entries of an instrument and of its aliases (the first is the
    /// instrument's own, when it has one): what each folded is kept, so folding the rest on it
    /// gives what folding everything gives.
    public static func merge(_ bases: [InstrumentBase]) -> InstrumentBase? {
        // The instrument's own entry first, then real entries before placeholders.
        let ordered = bases.enumerated().sorted {
            ($0.element.placeholder == true ? 1 : 0, $0.offset) < ($1.element.placeholder == true ? 1 : 0, $1.offset)
        }.map(\.element)
        guard var merged = ordered.first else { return nil }
        for other in ordered.dropFirst() {
            for (attribute, heads) in other.heads ?? [:] {
                var all = merged.heads ?? [:]
                all[attribute, default: []] += heads
                merged.heads = all
            }
            for (attribute, ids) in other.overridden ?? [:] {
                var overridden = merged.overridden ?? [:]
                overridden[attribute] = Array(Set((overridden[attribute] ?? []) + ids)).sorted()
                merged.overridden = overridden
            }
            merged.folded = (merged.folded ?? 0) + (other.folded ?? 0)
            merged.aliases = Set((merged.aliases ?? []) + (other.aliases ?? []) + [other.tag]).subtracting([merged.tag])
                .sorted()
            if let service = other.lastService, service > (merged.lastService ?? "") { merged.lastService = service }
        }
        if let heads = merged.heads {
            merged.heads = Dictionary(
                uniqueKeysWithValues: heads.map { attribute, list in
                    let overridden = Set(merged.overridden?[attribute] ?? [])
                    return (attribute, list.filter { !overridden.contains($0.event) })
                })
        }
        return merged
    }

    /// The snapshot entry headquarters writes for an instrument: its fold, with each head's value,
    /// the dangling overridden ids, and how many events it folds.
    public static func snapshotEntry(tag: String, base: InstrumentBase?, events: [Event], aliases: [String])
        -> InstrumentBase?
    {
        guard !events.isEmpty || base != nil,
            let state = fold(tag: tag, base: base, events: events, aliases: aliases, described: false)
        else { return nil }
        let describedHere = fold(tag: tag, base: base, events: events, aliases: aliases) != nil
        return entry(of: state, base: base, events: events, placeholder: !describedHere)
    }

    /// The fold of everything folded so far, as a base to fold later events on: what
    /// `snapshotEntry` writes, kept beside an instrument's state so that a batch of new events
    /// folds on it instead of on the instrument's whole history (`extend`).
    public static func entry(of state: InstrumentState, base: InstrumentBase?, events: [Event], placeholder: Bool)
        -> InstrumentBase
    {
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var entry = InstrumentBase(
            tag: state.tag, type: state.type, size: state.size, maker: state.maker, model: state.model,
            serial: state.serial,
            site: state.site, status: state.status, condition: state.condition, lastService: state.lastService)
        var heads: [String: [SnapshotHead]] = [:]
        for (attribute, ids) in state.heads {
            heads[attribute] = ids.compactMap { id in
                if let event = byID[id], let value = assignments(event)[attribute] {
                    return SnapshotHead(event: id, value: value)
                }
                return base?.heads?[attribute]?.first { $0.event == id }
            }
        }
        entry.heads = heads.isEmpty ? nil : heads
        entry.overridden = state.overridden
        entry.folded = state.events
        entry.aliases = state.aliases
        entry.provisional = state.provisional ? true : nil
        entry.placeholder = placeholder ? true : nil
        return entry
    }

    /// Folds `events`, none of them folded before, on `folded` — the `entry` of an instrument's
    /// state — giving what folding the instrument's whole history gives; nil when that cannot be
    /// told from the entry alone and the caller must fold the whole history:
    /// - an event that adds, registers, confirms or maps an instrument (it may change which
    ///   event describes it, whether it is accepted, and its aliases);
    /// - a placeholder entry (nothing describes the instrument yet);
    /// - a basis naming an event that is neither among `events` nor a head of that attribute,
    ///   unless `isHeld` says it was folded into the entry (then it only stays overridden).
    public static func extend(
        _ folded: InstrumentBase, with events: [Event], isHeld: (String) throws -> Bool
    ) rethrows -> (state: InstrumentState, entry: InstrumentBase)? {
        guard folded.placeholder != true, folded.aliases == nil,
            !events.contains(where: { extendsNot.contains($0.type) })
        else { return nil }
        let fresh = Set(events.map(\.id))
        var alsoHeld = Set<String>()
        for attribute in attributes {
            let heads = Set((folded.heads?[attribute] ?? []).map(\.event))
            for event in events where assignments(event)[attribute] != nil {
                for id in event.basis where !fresh.contains(id) && !heads.contains(id) && !alsoHeld.contains(id) {
                    guard try isHeld(id) else { return nil }
                    alsoHeld.insert(id)
                }
            }
        }
        guard
            let state = fold(
                tag: folded.tag, base: folded, events: events, aliases: [], described: true, alsoHeld: alsoHeld)
        else { return nil }
        return (state, entry(of: state, base: folded, events: events, placeholder: false))
    }

    /// The event types `extend` leaves to a fold of the whole history.
    static let extendsNot: Set<String> = [
        EventType.instrumentAdded, EventType.instrumentRegistered, EventType.instrumentConfirmed,
        EventType.instrumentMapped,
    ]
}

import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// The installed content of a device: installing verified bundles and reading guides,
/// checklists and instruments back in the person's language.
public struct ContentLibrary: Sendable {
    let store: Store

    /// Reads and installs through `store`.
    public init(store: Store) {
        self.store = store
    }

    /// Installs a verified bundle; refuses one older than the installed one from the same root.
    /// Returns whether it had expired on `today` (a warning, never a refusal: clocks lie).
    @discardableResult
    public func install(_ bundle: VerifiedBundle, root: MinisignPublicKey, installedWall: String) throws -> Bool {
        let info = bundle.content.info
        if let installed = try store.installedVersion(root: root.keyID.minisignHex), installed > info.version {
            throw BundleFailure.older(offered: info.version, installed: installed)
        }
        if let trust = try store.installedTrustVersion(root: root.keyID.minisignHex), trust > bundle.trust.version {
            throw TrustFailure.older(offered: bundle.trust.version, installed: trust)
        }
        try store.install(
            try rows(bundle.content),
            bundle: InstalledBundle(
                root: root.keyID.minisignHex, version: info.version, sha256: bundle.sha256, created: info.created,
                expires: info.expires, trustVersion: bundle.trust.version, development: bundle.trust.development,
                installedWall: installedWall))
        return info.expires < String(installedWall.prefix(10))
    }

    func rows(_ content: BundleContent) throws -> ContentRows {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let typeNames = Dictionary(
            content.instrumentTypes.map { ($0.id, $0.name.values.sorted().joined(separator: " ")) },
            uniquingKeysWith: { first, _ in first })
        return ContentRows(
            guides: try content.guides.map { guide in
                ContentRows.GuideRow(
                    id: guide.id, family: guide.family, instruments: guide.instruments,
                    document: try encoder.encode(guide),
                    texts: guide.texts.sorted { $0.key < $1.key }.map { language, text in
                        (language, text.title, BundleLint.allText(text))
                    })
            },
            checklists: try content.checklists.map { ($0.id, try encoder.encode($0)) },
            parts: try content.parts.map { ($0.id, try encoder.encode($0)) },
            instrumentTypes: try content.instrumentTypes.map { ($0.id, try encoder.encode($0)) },
            sites: content.sites.map { ($0.code, $0.name, $0.region, $0.kind) },
            instruments: try content.inventory.map { item in
                ContentRows.InstrumentRow(
                    tag: item.tag, type: item.type,
                    names: [typeNames[item.type] ?? item.type, item.type, item.size ?? ""].joined(separator: " "),
                    maker: item.maker ?? "", model: item.model ?? "",
                    serial: ([item.serial ?? ""] + (item.aliases ?? [])).joined(separator: " "),
                    document: try encoder.encode(item))
            },
            watermarks: content.info.watermarks)
    }

    /// Guides, optionally for one instrument type or family, by id.
    public func guides(instrument: String? = nil) throws -> [Guide] {
        try store.guideDocuments(instrument: instrument).map { try JSONDecoder().decode(Guide.self, from: $0) }
    }

    /// One guide; an unknown id is refused with the nearest ids.
    public func guide(_ id: String) throws -> Guide {
        guard let data = try store.document(.guides, id: id) else {
            throw BundleFailure.notFound(
                what: "guide", id: id, suggestions: Suggest.nearest(id, in: try store.ids(.guides)))
        }
        return try JSONDecoder().decode(Guide.self, from: data)
    }

    /// Every checklist.
    public func checklists() throws -> [Checklist] {
        try store.documents(.checklists).map { try JSONDecoder().decode(Checklist.self, from: $0) }
    }

    /// One checklist.
    public func checklist(_ id: String) throws -> Checklist {
        guard let data = try store.document(.checklists, id: id) else {
            throw BundleFailure.notFound(
                what: "checklist", id: id, suggestions: Suggest.nearest(id, in: try store.ids(.checklists)))
        }
        return try JSONDecoder().decode(Checklist.self, from: data)
    }

    /// Every part of the catalogue.
    public func parts() throws -> [Part] {
        try store.documents(.parts).map { try JSONDecoder().decode(Part.self, from: $0) }
    }

    /// Every instrument type.
    public func instrumentTypes() throws -> [InstrumentType] {
        try store.documents(.instrumentTypes).map { try JSONDecoder().decode(InstrumentType.self, from: $0) }
    }

    /// One instrument of the snapshot by a forgiving tag (`lo vn 4123` finds `LO-VN-004123`).
    public func instrument(_ typed: String) throws -> InventoryItem {
        let tag = Tag.normalised(typed)
        guard let data = try store.snapshotInstrument(tag: tag) else {
            throw BundleFailure.notFound(
                what: "instrument", id: typed, suggestions: Suggest.nearest(tag, in: try store.snapshotTags(), count: 3)
            )
        }
        return try JSONDecoder().decode(InventoryItem.self, from: data)
    }

    /// Instruments matching a free query (tag, type in any language, maker, model, serial).
    public func findInstruments(_ query: String, limit: Int = 50) throws -> [InventoryItem] {
        var tags = try store.findInstruments(query, limit: limit)
        let exact = Tag.normalised(query)
        if try store.snapshotInstrument(tag: exact) != nil, !tags.contains(exact) { tags.insert(exact, at: 0) }
        var items = try tags.compactMap { tag in
            try store.snapshotInstrument(tag: tag).map { try JSONDecoder().decode(InventoryItem.self, from: $0) }
        }.filter { $0.placeholder != true }
        // A provisional tag (or a depot tag headquarters added since the snapshot) is found by
        // its state: an alias gives the depot instrument it is.
        if let state = try store.instrumentState(tag: exact), !items.contains(where: { $0.tag == state.tag }) {
            items.insert(InventoryItem(state: state), at: 0)
        }
        return items
    }
}

/// Depot tags typed by people and barcode scanners.
public enum Tag {
    /// Upper-cases, drops spaces and dashes, and re-inserts them: `lo vn 4123` → `LO-VN-004123`.
    /// Text that does not look like a depot tag comes back upper-cased and trimmed.
    public static func normalised(_ typed: String) -> String {
        let compact = typed.uppercased().filter { $0.isLetter || $0.isNumber }
        let letters = compact.prefix { $0.isLetter }
        let digits = compact.dropFirst(letters.count)
        guard letters.count == 4, !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isNumber),
            let number = Int(digits)
        else { return typed.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() }
        return "\(letters.prefix(2))-\(letters.suffix(2))-" + String(format: "%06d", number)
    }
}

/// Nearest-match suggestions for ids people mistype.
public enum Suggest {
    /// Up to `count` entries of `candidates` closest to `typed` by edit distance.
    public static func nearest(_ typed: String, in candidates: [String], count: Int = 3) -> [String] {
        let target = Array(typed.lowercased())
        return candidates.map { ($0, distance(target, Array($0.lowercased()))) }
            .filter { $0.1 <= max(3, target.count / 2) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(count).map(\.0)
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

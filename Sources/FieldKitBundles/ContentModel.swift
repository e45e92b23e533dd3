import FieldKitCore
import Foundation

/// Text in several languages, by language code (`nl`, `en`, `pap`).
public typealias Localized = [String: String]

/// The languages content is written in, and the order a missing translation falls back in.
public enum Language {
    /// Every language the bundle may carry.
    public static let all = ["nl", "en", "pap"]

    /// The languages to try for `requested`, best first: pap → nl → en, nl → en, en → nl.
    public static func fallback(for requested: String) -> [String] {
        switch requested {
        case "pap": ["pap", "nl", "en"]
        case "nl": ["nl", "en"]
        default: ["en", "nl"]
        }
    }

    /// The first language of `requested`'s fallback that `available` has.
    public static func pick(_ requested: String, from available: some Collection<String>) -> String? {
        fallback(for: requested).first { available.contains($0) }
    }
}

/// One numbered step of a guide.
public struct GuideStep: Codable, Equatable, Sendable {
    /// The action, imperative.
    public var action: String
    /// What you see or hear when it went right.
    public var check: String?
    /// A caution shown before the step.
    public var caution: String?

    enum CodingKeys: String, CodingKey {
        case action = "do"
        case check, caution
    }
}

/// A guide's text in one language.
public struct GuideText: Codable, Equatable, Sendable {
    public var title: String
    public var summary: String
    public var symptoms: [String]
    public var stopIf: [String]
    public var tools: [String]
    public var safety: [String]
    public var steps: [GuideStep]
    public var depot: [String]
    public var care: [String]
    /// Markdown background after the front matter.
    public var body: String?

    enum CodingKeys: String, CodingKey {
        case title, summary, symptoms
        case stopIf = "stop_if"
        case tools, safety, steps, depot, care, body
    }
}

/// A maintenance guide: language-independent facts and its texts.
public struct Guide: Codable, Equatable, Sendable {
    public var id: String
    public var family: String
    public var instruments: [String]
    public var sizes: [String]
    public var difficulty: Int
    public var minutes: Int
    public var parts: [String]
    /// The checklist whose sign-off permits this guide.
    public var training: String
    /// Texts by language.
    public var texts: [String: GuideText]
}

/// One observable item of a checklist.
public struct ChecklistItem: Codable, Equatable, Sendable {
    public var id: String
    public var text: Localized
    public var good: Localized
}

/// A group of checklist items under a topic.
public struct ChecklistGroup: Codable, Equatable, Sendable {
    public var title: Localized
    public var items: [ChecklistItem]
}

/// A training checklist; signed off, it is a competency.
public struct Checklist: Codable, Equatable, Sendable {
    public var id: String
    public var title: Localized
    public var audience: Localized
    public var competency: Localized
    public var groups: [ChecklistGroup]
}

/// An entry of the parts catalogue.
public struct Part: Codable, Equatable, Sendable {
    public var id: String
    public var name: Localized
    public var unit: Localized
    public var instruments: [String]
    public var sizes: [String]
}

/// A site that borrows instruments (or the depot).
public struct Site: Codable, Equatable, Sendable {
    public var code: String
    public var name: String
    /// A Dutch province or an island.
    public var region: String
    public var kind: String
}

/// An instrument type of the depot.
public struct InstrumentType: Codable, Equatable, Sendable {
    public var id: String
    public var family: String
    /// The two letters in a depot tag.
    public var code: String
    public var name: Localized
    public var share: Int
    public var sizes: [String: Int]
    public var makers: [String]
}

/// One language's terms for a glossary concept.
public struct GlossaryTerms: Codable, Equatable, Sendable {
    public var preferred: String
    public var forbidden: [String]
}

/// A concept of the glossary.
public struct GlossaryConcept: Codable, Equatable, Sendable {
    public var concept: String
    public var terms: [String: GlossaryTerms]
}

/// One instrument of the inventory snapshot.
public typealias InventoryItem = InstrumentBase

extension InstrumentBase {
    /// An instrument as its folded state shows it.
    public init(state: InstrumentState) {
        self.init(
            tag: state.tag, type: state.type, size: state.size, maker: state.maker, model: state.model,
            serial: state.serial, site: state.site, status: state.status, condition: state.condition,
            lastService: state.lastService)
        aliases = state.aliases
        provisional = state.provisional ? true : nil
    }
}

/// What `bundle.json` says about the bundle.
public struct BundleInfo: Codable, Equatable, Sendable {
    public var format: Int
    public var version: Int64
    public var created: String
    public var expires: String
    public var guides: Int
    public var checklists: Int
    public var instruments: Int
    /// Per device, the seq up to which the snapshot already folds its events.
    public var watermarks: [String: Int64]
}

/// A bundle's whole content, as packed and as read back.
public struct BundleContent: Equatable, Sendable {
    public var info: BundleInfo
    public var guides: [Guide]
    public var checklists: [Checklist]
    public var parts: [Part]
    public var sites: [Site]
    public var instrumentTypes: [InstrumentType]
    public var glossary: [GlossaryConcept]
    public var inventory: [InventoryItem]
}

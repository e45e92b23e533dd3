import FieldKitCore
import Foundation
import Yams

/// Reads the bundle sources in a `Bundles/` folder (docs/content-format.md).
public enum BundleSource {
    /// The parsed sources, before the inventory is generated.
    public struct Sources: Sendable {
        public var version: Int64
        public var created: String
        public var expires: String
        public var inventory: InventorySettings
        public var guides: [Guide]
        public var checklists: [Checklist]
        public var parts: [Part]
        public var sites: [Site]
        public var instrumentTypes: [InstrumentType]
        public var glossary: [GlossaryConcept]
    }

    /// The generator's settings from `inventory.yaml`.
    public struct InventorySettings: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var count: Int
        public var tagPrefix: String

        enum CodingKeys: String, CodingKey {
            case seed, count
            case tagPrefix = "tag_prefix"
        }
    }

    struct VersionFile: Codable {
        var version: Int64
        var created: String
        var expires: String
    }

    struct GuideFacts: Codable {
        var id: String
        var family: String
        var instruments: [String]
        var sizes: [String]?
        var difficulty: Int
        var minutes: Int
        var parts: [String]
        var training: String
    }

    struct SourceConcept: Decodable {
        var concept: String
        var terms: [String: GlossaryTerms]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            concept = try container.decode(String.self, forKey: Key(stringValue: "concept"))
            var terms: [String: GlossaryTerms] = [:]
            for key in container.allKeys where key.stringValue != "concept" {
                terms[key.stringValue] = try container.decode(GlossaryTerms.self, forKey: key)
            }
            self.terms = terms
        }
    }

    /// Reads every source file under `folder`.
    public static func load(_ folder: String) throws(BundleFailure) -> Sources {
        let version: VersionFile = try decode(folder + "/VERSION")
        let guideIDs = FileLayer.list(folder + "/guides").filter { FileLayer.isFolder(folder + "/guides/" + $0) }
        var guides: [Guide] = []
        for id in guideIDs { guides.append(try loadGuide(folder + "/guides/" + id)) }
        var checklists: [Checklist] = []
        for name in FileLayer.list(folder + "/checklists") where name.hasSuffix(".yaml") {
            checklists.append(try decode(folder + "/checklists/" + name))
        }
        var glossary: [GlossaryConcept] = []
        for name in FileLayer.list(folder + "/glossary") where name.hasSuffix(".yaml") {
            let concepts: [SourceConcept] = try decode(folder + "/glossary/" + name)
            glossary += concepts.map { GlossaryConcept(concept: $0.concept, terms: $0.terms) }
        }
        return Sources(
            version: version.version, created: version.created, expires: version.expires,
            inventory: try decode(folder + "/inventory.yaml"), guides: guides, checklists: checklists,
            parts: try decode(folder + "/parts.yaml"), sites: try decode(folder + "/sites.yaml"),
            instrumentTypes: try decode(folder + "/instruments.yaml"), glossary: glossary)
    }

    static func loadGuide(_ folder: String) throws(BundleFailure) -> Guide {
        let facts: GuideFacts = try decode(folder + "/guide.yaml")
        var texts: [String: GuideText] = [:]
        for language in Language.all where FileLayer.exists(folder + "/\(language).md") {
            texts[language] = try loadText(folder + "/\(language).md")
        }
        return Guide(
            id: facts.id, family: facts.family, instruments: facts.instruments, sizes: facts.sizes ?? [],
            difficulty: facts.difficulty, minutes: facts.minutes, parts: facts.parts, training: facts.training,
            texts: texts)
    }

    /// Splits a Markdown file into its YAML front matter and body, and decodes the front matter.
    static func loadText(_ path: String) throws(BundleFailure) -> GuideText {
        let text = try readText(path)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else {
            throw .source(path: path, reason: "it does not start with YAML front matter between --- lines")
        }
        let front = lines[1..<end].joined(separator: "\n")
        let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        var guideText: GuideText = try decode(front, path: path)
        guideText.body = body.isEmpty ? nil : body
        return guideText
    }

    static func decode<T: Decodable>(_ path: String) throws(BundleFailure) -> T {
        try decode(try readText(path), path: path)
    }

    static func decode<T: Decodable>(_ yaml: String, path: String) throws(BundleFailure) -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: yaml)
        } catch let error as DecodingError {
            throw .source(path: path, reason: describe(error))
        } catch {
            throw .source(path: path, reason: "it is not valid YAML: \(error)")
        }
    }

    static func readText(_ path: String) throws(BundleFailure) -> String {
        do { return try FileLayer.readText(path, limit: 4 << 20) } catch {
            throw .source(path: path, reason: error.message)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func where_(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(where_(context.codingPath)) lacks \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(where_(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

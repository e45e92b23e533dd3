import Foundation
import GRDB

/// One guide search hit.
public struct GuideHit: Sendable, Equatable, Codable {
    public var id: String
    public var language: String
    public var title: String
    public var snippet: String
    /// bm25 rank: lower is better.
    public var rank: Double
}

extension Store {
    /// Ranked guide hits for what a person typed, in `languages` (best language first).
    public func searchGuides(_ text: String, languages: [String], limit: Int = 20) throws(StoreFailure) -> [GuideHit] {
        guard let expression = SearchQuery.expression(text) else { return [] }
        let hits = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT guide_id, lang, title, snippet(guide_search, 3, '[', ']', '…', 12) AS snippet,
                           bm25(guide_search, 0.0, 0.0, 5.0, 1.0) AS rank
                    FROM guide_search WHERE guide_search MATCH ?
                    ORDER BY rank LIMIT ?
                    """, arguments: [expression, limit * 4]
            ).map {
                GuideHit(
                    id: $0["guide_id"], language: $0["lang"], title: $0["title"], snippet: $0["snippet"],
                    rank: $0["rank"])
            }
        }
        // One hit per guide: the best-ranked one in the most preferred language that matched.
        var best: [String: GuideHit] = [:]
        for hit in hits {
            guard let order = languages.firstIndex(of: hit.language) else { continue }
            if let current = best[hit.id], let currentOrder = languages.firstIndex(of: current.language),
                currentOrder <= order
            {
                continue
            }
            best[hit.id] = hit
        }
        return best.values.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }.prefix(limit).map { $0 }
    }

    /// Tags of snapshot instruments matching what a person typed (tag, type name, maker, model, serial).
    public func findInstruments(_ text: String, limit: Int = 50) throws(StoreFailure) -> [String] {
        guard let expression = SearchQuery.expression(text) else { return [] }
        return try read { db in
            try String.fetchAll(
                db, sql: "SELECT tag FROM instrument_search WHERE instrument_search MATCH ? ORDER BY rank, tag LIMIT ?",
                arguments: [expression, limit])
        }
    }
}

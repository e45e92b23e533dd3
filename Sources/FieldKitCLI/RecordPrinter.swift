import FieldKitCore
import FieldKitStore
import Foundation

/// Lists and shows repair and training records, as text or JSON.
struct RecordPrinter {
    let context: CommandContext
    let json: Bool

    /// The `--json` shape of a record.
    struct Shown: Codable {
        var id: String
        var kind: String
        var tag: String?
        var site: String?
        var date: String
        var amendments: Int
        var values: JSONValue
        var history: [HistoryEntry]?
    }

    struct HistoryEntry: Codable {
        var id: String
        var type: String
        var date: String
        var wall: String
        var changes: JSONValue?
    }

    static func find(_ id: String, kind: String, in store: Store) throws -> FieldRecord {
        guard let record = try store.record(id: id.lowercased()), record.kind == kind else {
            throw CLIFailure.refused(
                "no \(kind) record \"\(id)\"", hint: "list them with 'fieldkit \(kind) list'", status: .dataError)
        }
        return record
    }

    func list(_ records: [FieldRecord]) throws {
        if json {
            return try context.printJSON(
                records.map {
                    Shown(
                        id: $0.id, kind: $0.kind, tag: $0.tag, site: $0.site, date: $0.date, amendments: $0.amendments,
                        values: $0.values, history: nil)
                })
        }
        for record in records {
            let summary = record.values["problem"]?.stringValue ?? record.values["checklist"]?.stringValue ?? ""
            context.console.out(
                "\(record.id.prefix(12))  \(record.date)  \(record.site ?? "-")  \(record.tag ?? "")  \(summary)"
                    + (record.amendments > 0 ? "  (amended)" : ""))
        }
        if records.isEmpty { context.console.err("no records match") }
    }

    func show(_ record: FieldRecord, store: Store, folder: String) throws {
        let amendments = try store.amendments(of: record.id)
        let history = amendments.map {
            HistoryEntry(id: $0.id, type: $0.type, date: $0.date, wall: $0.wall, changes: $0.payload["changes"])
        }
        if json {
            return try context.printJSON(
                Shown(
                    id: record.id, kind: record.kind, tag: record.tag, site: record.site, date: record.date,
                    amendments: record.amendments, values: record.values, history: history))
        }
        let out = context.console.out
        out("\(record.kind.capitalized) \(record.id) — \(record.tag ?? "") at \(record.site ?? "-") on \(record.date)")
        if case .object(let values) = record.values {
            for key in values.keys.sorted() where key != "photos" {
                out("  \(key): \(Self.describe(values[key] ?? .null))")
            }
        }
        if case .array(let photos)? = record.values["photos"] {
            for photo in photos.compactMap(\.stringValue) { out("  photo: \(folder)/blobs/\(photo)") }
        }
        if !history.isEmpty {
            out("History:")
            for entry in history {
                out("  \(entry.date) amended: \(entry.changes.map(Self.describe) ?? "")")
            }
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .bool(let flag): flag ? "yes" : "no"
        case .int(let number): "\(number)"
        case .string(let text): text
        case .array(let items): items.map(describe).joined(separator: ", ")
        case .object(let members):
            members.keys.sorted().map { "\($0)=\(describe(members[$0] ?? .null))" }.joined(separator: " ")
        }
    }
}

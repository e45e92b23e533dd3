import FieldKitCore
import Foundation
import GRDB

/// The numbers headquarters quotes to funders, each defined in docs/reports.md.
public struct HubReport: Codable, Equatable, Sendable {
    /// Repairs of one region, site, month and instrument family.
    public struct Repairs: Codable, Equatable, Sendable {
        public var region: String
        public var site: String
        public var month: String
        public var family: String
        public var count: Int
        public var fixed: Int
        public var needsDepot: Int
        public var beyondRepair: Int
        public var minutes: Int
        public var parts: Int
    }

    /// Instruments of one region with one status and condition.
    public struct Instruments: Codable, Equatable, Sendable {
        public var region: String
        public var status: String
        public var condition: String
        public var count: Int
    }

    /// A repair's follow-up date that has passed with no later repair of the instrument.
    public struct FollowUp: Codable, Equatable, Sendable {
        public var region: String
        public var site: String
        public var tag: String
        public var due: String
    }

    /// Training of one region and checklist.
    public struct Training: Codable, Equatable, Sendable {
        public var region: String
        public var checklist: String
        public var sessions: Int
        public var trainees: Int
        public var competencies: Int
    }

    /// One enrolled device's delivery state.
    public struct Device: Codable, Equatable, Sendable {
        public var device: String
        public var name: String
        public var region: String
        public var lastSync: String?
        public var daysSinceSync: Int?
        public var gaps: Int
        public var openConflicts: Int
        public var clockAnomalies: Int
    }

    /// The first and last local date counted (nil: open), and the day "overdue" and "days since"
    /// are measured from.
    public var from: String?
    public var to: String?
    public var asOf: String
    public var repairs: [Repairs]
    public var instruments: [Instruments]
    public var overdue: [FollowUp]
    public var training: [Training]
    public var devices: [Device]
}

extension Store {
    /// The report over records whose local date lies in `from...to` (either may be open), as of
    /// the day `asOf` (YYYY-MM-DD) and the instant `now` (for clock anomalies).
    public func hubReport(from: String?, to: String?, asOf: String, now: Date) throws(StoreFailure) -> HubReport {
        let anomalies = try clockAnomalies(now: now)
        let conflicts = try openConflicts()
        let summaries = try hubSummaries()
        return try read { db in
            let regions = Dictionary(
                try Row.fetchAll(db, sql: "SELECT code, region FROM sites").map {
                    ($0["code"] as String, $0["region"] as String)
                },
                uniquingKeysWith: { first, _ in first })
            func region(_ site: String?) -> String { site.flatMap { regions[$0] } ?? "unknown" }
            let families = Dictionary(
                try Row.fetchAll(
                    db, sql: "SELECT id, json_extract(document, '$.family') AS family FROM instrument_types"
                ).map { ($0["id"] as String, ($0["family"] as String?) ?? "unknown") },
                uniquingKeysWith: { first, _ in first })
            let states = try Store.instrumentStates(at: nil, in: db)
            var types: [String: String] = [:]
            for state in states { types[state.tag] = state.type }
            let aliases = Dictionary(
                try Row.fetchAll(db, sql: "SELECT alias, tag FROM instrument_aliases").map {
                    ($0["alias"] as String, $0["tag"] as String)
                }, uniquingKeysWith: { first, _ in first })
            func family(_ tag: String?) -> String {
                guard let tag else { return "unknown" }
                return (types[aliases[tag] ?? tag] ?? types[tag]).flatMap { families[$0] } ?? "unknown"
            }
            func inPeriod(_ date: String) -> Bool {
                (from.map { date >= $0 } ?? true) && (to.map { date <= $0 } ?? true)
            }

            let allRepairs = try Row.fetchAll(
                db, sql: "SELECT * FROM records WHERE kind = 'repair' ORDER BY local_date, id"
            )
            .map(Store.fieldRecord)
            var repairs: [String: HubReport.Repairs] = [:]
            for record in allRepairs where inPeriod(record.date) {
                let site = record.site ?? "unknown"
                let month = String(record.date.prefix(7))
                let key = [region(site), site, month, family(record.tag)].joined(separator: "\u{1F}")
                var row =
                    repairs[key]
                    ?? HubReport.Repairs(
                        region: region(site), site: site, month: month, family: family(record.tag), count: 0,
                        fixed: 0, needsDepot: 0, beyondRepair: 0, minutes: 0, parts: 0)
                row.count += 1
                switch record.values["outcome"]?.stringValue {
                case "fixed": row.fixed += 1
                case "needs-depot": row.needsDepot += 1
                case "beyond-repair": row.beyondRepair += 1
                default: break
                }
                row.minutes += Int(record.values["minutes"]?.intValue ?? 0)
                row.parts += Store.items(record.values["parts"]).reduce(0) {
                    $0 + Int($1["quantity"]?.intValue ?? 1)
                }
                repairs[key] = row
            }

            var instruments: [String: HubReport.Instruments] = [:]
            for state in states {
                let key = [region(state.site), state.status, state.condition].joined(separator: "\u{1F}")
                instruments[
                    key,
                    default: HubReport.Instruments(
                        region: region(state.site), status: state.status, condition: state.condition, count: 0)
                ].count += 1
            }

            // The one latest repair of each instrument (under either tag) up to `asOf`, by date then id.
            let latest = Dictionary(
                grouping: allRepairs.filter { $0.date <= asOf }, by: { $0.tag.map { aliases[$0] ?? $0 } ?? "" }
            ).mapValues { $0.max { ($0.date, $0.id) < ($1.date, $1.id) }?.id }
            let overdue = allRepairs.compactMap { record -> HubReport.FollowUp? in
                guard let tag = record.tag, let due = record.values["followUp"]?.stringValue, due <= asOf,
                    latest[aliases[tag] ?? tag] == record.id
                else { return nil }
                return HubReport.FollowUp(
                    region: region(record.site), site: record.site ?? "unknown", tag: aliases[tag] ?? tag, due: due)
            }.sorted { ($0.region, $0.due, $0.tag) < ($1.region, $1.due, $1.tag) }

            var training: [String: (row: HubReport.Training, people: Set<String>)] = [:]
            let granted = Dictionary(
                grouping: try Row.fetchAll(db, sql: "SELECT person, event_id FROM competencies"),
                by: { $0["event_id"] as String }
            ).mapValues(\.count)
            for record in try Row.fetchAll(db, sql: "SELECT * FROM records WHERE kind = 'training'").map(
                Store.fieldRecord)
            where inPeriod(record.date) {
                let checklist = record.values["checklist"]?.stringValue ?? "unknown"
                let key = region(record.site) + "\u{1F}" + checklist
                var entry =
                    training[key] ?? (
                        HubReport.Training(
                            region: region(record.site), checklist: checklist, sessions: 0, trainees: 0,
                            competencies: 0), []
                    )
                entry.row.sessions += 1
                entry.people.formUnion(Store.items(record.values["trainees"]).compactMap(\.stringValue))
                entry.row.competencies += granted[record.id] ?? 0
                training[key] = entry
            }

            let lastSync = Dictionary(
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT device, max(imported_wall) AS wall FROM hub_archives
                        WHERE substr(imported_wall, 1, 10) <= ? GROUP BY device
                        """, arguments: [asOf]
                ).map { ($0["device"] as String, $0["wall"] as String) }, uniquingKeysWith: { first, _ in first })
            let asOfDay = try? EventTime.days(of: asOf)
            let devices = summaries.map { summary in
                let last = lastSync[summary.device]
                let anomaly = anomalies[summary.device]
                return HubReport.Device(
                    device: summary.device, name: summary.name, region: region(summary.site),
                    lastSync: last.map { String($0.prefix(10)) },
                    daysSinceSync: last.flatMap { try? EventTime.days(of: String($0.prefix(10))) }.flatMap { day in
                        asOfDay.map { max(0, Int($0 - day)) }
                    }, gaps: summary.gaps.count,
                    openConflicts: conflicts.filter { $0.sides.contains { $0.device == summary.device } }.count,
                    clockAnomalies: anomaly.map { $0.beforeTwentyTwenty + $0.aheadOfNow + $0.backwards } ?? 0)
            }
            return HubReport(
                from: from, to: to, asOf: asOf,
                repairs: repairs.values.sorted {
                    ($0.region, $0.site, $0.month, $0.family) < ($1.region, $1.site, $1.month, $1.family)
                },
                instruments: instruments.values.sorted {
                    ($0.region, $0.status, $0.condition) < ($1.region, $1.status, $1.condition)
                }, overdue: overdue,
                training: training.values.map {
                    var row = $0.row
                    row.trainees = $0.people.count
                    return row
                }.sorted { ($0.region, $0.checklist) < ($1.region, $1.checklist) },
                devices: devices.sorted { ($0.region, $0.name, $0.device) < ($1.region, $1.name, $1.device) })
        }
    }

    /// The elements of a JSON array (none for anything else).
    static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return []
    }
}

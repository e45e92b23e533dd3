import FieldKitStore

/// A report as one long table: every number in a row of its own, keyed by section, region,
/// site, month, group and measure. The CSV is this table; the page and the text show the same
/// rows, so every format carries the same numbers (docs/reports.md).
public struct ReportTable: Equatable, Sendable {
    /// One number.
    public struct Row: Equatable, Sendable {
        public var section: String
        public var region: String
        public var site: String
        public var month: String
        public var group: String
        public var measure: String
        /// Empty for a number that does not exist (days since a sync that never happened).
        public var value: String

        /// The key the dashboard's cells carry (`data-key`), the CSV columns before `value`
        /// joined by `|`.
        public var key: String { [section, region, site, month, group, measure].joined(separator: "|") }
    }

    public var rows: [Row]

    /// The CSV's columns.
    public static let columns = ["section", "region", "site", "month", "group", "measure", "value"]

    /// The table of `report`.
    public init(_ report: HubReport) {
        var rows: [Row] = []
        func add(
            _ section: String, _ region: String, _ site: String, _ month: String, _ group: String,
            _ measures: [(String, String)]
        ) {
            for (measure, value) in measures {
                rows.append(
                    Row(
                        section: section, region: region, site: site, month: month, group: group, measure: measure,
                        value: value))
            }
        }
        for row in report.repairs {
            add(
                "repairs", row.region, row.site, row.month, row.family,
                [
                    ("count", "\(row.count)"), ("fixed", "\(row.fixed)"), ("needs-depot", "\(row.needsDepot)"),
                    ("beyond-repair", "\(row.beyondRepair)"), ("minutes", "\(row.minutes)"), ("parts", "\(row.parts)"),
                ])
        }
        for row in report.instruments {
            add("instruments", row.region, "", "", row.status + "/" + row.condition, [("count", "\(row.count)")])
        }
        for (region, items) in Dictionary(grouping: report.overdue, by: \.region).sorted(by: { $0.key < $1.key }) {
            add("overdue", region, "", "", "follow-ups", [("count", "\(items.count)")])
        }
        for row in report.training {
            add(
                "training", row.region, "", "", row.checklist,
                [
                    ("sessions", "\(row.sessions)"), ("trainees", "\(row.trainees)"),
                    ("competencies", "\(row.competencies)"),
                ])
        }
        let names = Dictionary(grouping: report.devices, by: \.name)
        for row in report.devices {
            // A laptop's name, unless two share it: then its id tells them apart.
            let group = (names[row.name]?.count ?? 0) > 1 ? "\(row.name) (\(row.device))" : row.name
            add(
                "devices", row.region, "", "", group,
                [
                    ("days-since-sync", row.daysSinceSync.map(String.init) ?? ""), ("gaps", "\(row.gaps)"),
                    ("open-conflicts", "\(row.openConflicts)"), ("clock-anomalies", "\(row.clockAnomalies)"),
                ])
        }
        self.rows = rows
    }

    /// One section's rows as a grid: its measures in the order they appear, and one line per
    /// (region, site, month, group) holding that line's row for each measure (nil where none).
    public struct Grid: Sendable {
        public var measures: [String]
        public var lines: [[Row?]]
    }

    /// The grid of `section` (the text and the page draw the same one).
    public func grid(_ section: String) -> Grid {
        let rows = rows.filter { $0.section == section }
        var measures: [String] = []
        for row in rows where !measures.contains(row.measure) { measures.append(row.measure) }
        var lines: [[Row?]] = []
        var index: [String: Int] = [:]
        for row in rows {
            let key = [row.region, row.site, row.month, row.group].joined(separator: "|")
            if index[key] == nil {
                index[key] = lines.count
                lines.append(measures.map { _ in nil })
            }
            if let line = index[key], let column = measures.firstIndex(of: row.measure) { lines[line][column] = row }
        }
        return Grid(measures: measures, lines: lines)
    }

    /// RFC 4180 CSV with a header line, `\n` line ends.
    public var csv: String {
        ([ReportTable.columns]
            + rows.map { [$0.section, $0.region, $0.site, $0.month, $0.group, $0.measure, $0.value] })
            .map { $0.map(ReportTable.field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func field(_ text: String) -> String {
        // A cell a spreadsheet would take for a formula (a site or laptop name typed in the
        // field) starts with an apostrophe instead.
        if let first = text.first, "=+-@\t\r".contains(first) { return field("'" + text) }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

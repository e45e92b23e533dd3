import FieldKitStore

/// The report as plain text for a terminal: the same rows as the CSV, one table per section.
public enum ReportText {
    /// The text of `report`.
    public static func text(_ report: HubReport) -> String {
        let table = ReportTable(report)
        var out =
            "Report: records dated \(report.from ?? "from the start") to \(report.to ?? "today"); as of \(report.asOf)\n"
        for (section, title) in ReportPage.titles {
            out += "\n\(title)\n"
            let rows = table.rows.filter { $0.section == section }
            if rows.isEmpty {
                out += "  none\n"
                continue
            }
            if section == "overdue" {
                for item in report.overdue { out += "  \(item.due)  \(item.tag)  \(item.site) (\(item.region))\n" }
            }
            var measures: [String] = []
            for row in rows where !measures.contains(row.measure) { measures.append(row.measure) }
            var lines: [[String]] = [["region", "site", "month", "group"] + measures]
            var index: [String: Int] = [:]
            for row in rows {
                let key = [row.region, row.site, row.month, row.group].joined(separator: "|")
                if index[key] == nil {
                    index[key] = lines.count
                    lines.append([row.region, row.site, row.month, row.group] + measures.map { _ in "" })
                }
                if let line = index[key], let column = measures.firstIndex(of: row.measure) {
                    lines[line][4 + column] = row.value
                }
            }
            // Columns that are empty in every row (no site, no month) are left out.
            let used = (0..<lines[0].count).filter { column in lines.dropFirst().contains { !$0[column].isEmpty } }
            let widths = used.map { column in lines.map { $0[column].count }.max() ?? 0 }
            for line in lines {
                let cells = zip(used, widths).map { column, width in
                    let text = line[column]
                    let pad = String(repeating: " ", count: width - text.count)
                    return column >= 4 ? pad + text : text + pad
                }
                out += "  " + cells.joined(separator: "  ") + "\n"
            }
        }
        return out
    }
}

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
            let grid = table.grid(section)
            if grid.lines.isEmpty {
                out += "  none\n"
                continue
            }
            if section == "overdue" {
                for item in report.overdue { out += "  \(item.due)  \(item.tag)  \(item.site) (\(item.region))\n" }
            }
            var lines: [[String]] = [["region", "site", "month", "group"] + grid.measures]
            for line in grid.lines {
                guard let first = line.compactMap({ $0 }).first else { continue }
                lines.append([first.region, first.site, first.month, first.group] + line.map { $0?.value ?? "" })
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

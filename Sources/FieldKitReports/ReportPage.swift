import FieldKitStore
import Foundation

/// The report as one self-contained HTML page: no scripts, fonts or styles from elsewhere,
/// charts as inline SVG, tables whose number cells carry their CSV key (`data-key`), readable
/// at 1366×768 and printable.
public enum ReportPage {
    static let titles: [(section: String, title: String)] = [
        ("repairs", "Repairs per region, site, month and instrument family"),
        ("instruments", "Instruments by status and condition per region"),
        ("overdue", "Overdue follow-ups"),
        ("training", "Training per region and checklist"),
        ("devices", "Devices"),
    ]

    /// The page for `report`.
    public static func html(_ report: HubReport) -> String {
        let table = ReportTable(report)
        var body = ""
        body += "<h1>Leerorkest fieldkit report</h1>\n"
        body +=
            "<p class=\"period\">Records dated \(escape(report.from ?? "from the start")) to "
            + "\(escape(report.to ?? "today")); as of \(escape(report.asOf)). Definitions: docs/reports.md.</p>\n"
        let repairsByRegion = totals(table.rows, section: "repairs", measure: "count", by: \.region)
        let repairsByMonth = totals(table.rows, section: "repairs", measure: "count", by: \.month)
        let byStatus = totals(table.rows, section: "instruments", measure: "count") {
            String($0.group.split(separator: "/").first ?? "")
        }
        for (section, title) in titles {
            body += "<section id=\"\(section)\">\n<h2>\(escape(title))</h2>\n"
            switch section {
            case "repairs":
                body += "<div class=\"charts\">" + bars("Repairs per region", repairsByRegion)
                body += bars("Repairs per month", repairsByMonth) + "</div>\n"
            case "instruments":
                body += "<div class=\"charts\">" + bars("Instruments per status", byStatus) + "</div>\n"
            case "overdue":
                body += list(report.overdue)
            default: break
            }
            body += grid(table.grid(section))
            body += "</section>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Leerorkest fieldkit report</title>
            <style>
            body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1300px;padding:1em;color:#111}
            h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
            table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums}
            td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}td.n{text-align:right}
            .charts{display:flex;flex-wrap:wrap;gap:2em}svg{max-width:100%}
            .bar{fill:#3b6ea5}.label{font-size:12px}
            @media print{body{max-width:none;font-size:11px}section{break-inside:avoid}.bar{fill:#555}}
            </style></head>
            <body>
            \(body)</body></html>

            """
    }

    /// Sums of `measure` in `section`, by the part of the row `key` picks, in key order.
    static func totals(
        _ rows: [ReportTable.Row], section: String, measure: String, by key: (ReportTable.Row) -> String
    ) -> [(String, Int)] {
        var sums: [String: Int] = [:]
        for row in rows where row.section == section && row.measure == measure {
            sums[key(row), default: 0] += Int(row.value) ?? 0
        }
        return sums.sorted { $0.key < $1.key }
    }

    /// A horizontal bar chart in inline SVG.
    static func bars(_ title: String, _ values: [(String, Int)]) -> String {
        let height = 22
        let top = values.map(\.1).max() ?? 0
        var svg =
            "<figure><figcaption>\(escape(title))</figcaption>"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"\(max(1, values.count) * height + 4)\" "
            + "role=\"img\" aria-label=\"\(escape(title))\">"
        for (index, (label, value)) in values.enumerated() {
            let y = index * height + 2
            let width = top == 0 ? 0 : Int((Double(value) / Double(top) * 300).rounded())
            svg +=
                "<text class=\"label\" x=\"0\" y=\"\(y + 15)\">\(escape(label))</text>"
                + "<rect class=\"bar\" x=\"160\" y=\"\(y + 3)\" width=\"\(width)\" height=\"16\"/>"
                + "<text class=\"label\" x=\"\(166 + width)\" y=\"\(y + 15)\">\(value)</text>"
        }
        return svg + "</svg></figure>"
    }

    /// One table row per (region, site, month, group), one column per measure.
    static func grid(_ grid: ReportTable.Grid) -> String {
        let firsts = grid.lines.compactMap { $0.compactMap { $0 }.first }
        guard !firsts.isEmpty else { return "<p>None.</p>\n" }
        let showSite = firsts.contains { !$0.site.isEmpty }
        let showMonth = firsts.contains { !$0.month.isEmpty }
        var html =
            "<table><tr><th>region</th>" + (showSite ? "<th>site</th>" : "") + (showMonth ? "<th>month</th>" : "")
        html += "<th>group</th>" + grid.measures.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (line, first) in zip(grid.lines, firsts) {
            html += "<tr><td>\(escape(first.region))</td>" + (showSite ? "<td>\(escape(first.site))</td>" : "")
            html += (showMonth ? "<td>\(escape(first.month))</td>" : "") + "<td>\(escape(first.group))</td>"
            for cell in line {
                html +=
                    cell.map { "<td class=\"n\" data-key=\"\(escape($0.key))\">\(escape($0.value))</td>" }
                    ?? "<td></td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func list(_ items: [HubReport.FollowUp]) -> String {
        guard !items.isEmpty else { return "" }
        return "<table><tr><th>region</th><th>site</th><th>instrument</th><th>follow-up due</th></tr>\n"
            + items.map {
                "<tr><td>\(escape($0.region))</td><td>\(escape($0.site))</td><td>\(escape($0.tag))</td>"
                    + "<td>\(escape($0.due))</td></tr>\n"
            }.joined() + "</table>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

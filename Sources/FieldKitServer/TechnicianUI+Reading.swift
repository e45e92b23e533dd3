import FieldKitCore
import Foundation
import HTTPTypes
import Hummingbird

extension TechnicianUI {
    /// Pages that only read: the start page, guides, an instrument, what is due.
    func addReadingRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in await home() }
        router.get("/guides") { request, _ in
            let query = request.uri.queryParameters
            return await guides(
                query: String(query.get("q") ?? ""), family: String(query.get("family") ?? ""),
                fragment: query.get("fragment") == "1")
        }
        router.get("/guides/:id") { _, context in await guide(context.parameters.get("id") ?? "") }
        router.get("/instrument") { request, _ in
            let query = request.uri.queryParameters
            return await instrument(String(query.get("tag") ?? ""), saved: query.get("saved"))
        }
        router.get("/due") { _, _ in await due() }
    }

    /// The tag box a barcode scanner types into, with its label and hint.
    func lookupForm(_ text: UIText, value: String = "", message: String? = nil) -> String {
        """
        <form method="get" action="/instrument" class="inline" role="search">
        \(UIHTML.field("tag", label: text["lookup-tag"], value: value, message: message, hint: text["lookup-hint"], attributes: " autofocus autocomplete=\"off\" spellcheck=\"false\""))
        <button type="submit">\(UIHTML.escape(text["look-up"]))</button>
        </form>
        """
    }

    func home() async -> Response {
        let frame = await frame("home")
        let text = frame.text
        let tasks = [
            ("/guides", "search-guides"), ("/repair", "log-repair"), ("/training", "training"),
            ("/loan", "lend-move"), ("/register", "register"), ("/audit", "audit"), ("/due", "due"),
            ("/sync", "sync"),
        ]
        .map { "<li><a href=\"\($0.0)\">\(UIHTML.escape(text[$0.1]))</a></li>" }.concatenated
        let body = """
            \(lookupForm(text))
            <h2>\(UIHTML.escape(text["what-now"]))</h2>
            <ul class="columns">\(tasks)</ul>
            """
        return TechnicianUI.html(UIHTML.page(title: text["home"], body: body, frame: frame))
    }

    func guides(query: String, family: String, fragment: Bool) async -> Response {
        let frame = await frame("guides")
        let text = frame.text
        let language = text.language
        let all = await json(
            [UIViews.GuideEntry].self, UICommandLine(["guide", "list"], options: ["--lang=\(language)"]))
        let entries = (try? all.get()) ?? []
        var results: String
        let words = query.split(whereSeparator: \.isWhitespace).map(String.init)
        let inFamily = Set(entries.filter { family.isEmpty || $0.family == family }.map(\.id))
        if words.isEmpty {
            results = UIHTML.list([], text: text)
            let shown = entries.filter { inFamily.contains($0.id) }
            if !shown.isEmpty {
                results =
                    "<ul class=\"results\">"
                    + shown.map { entry in
                        "<li><a href=\"/guides/\(UIHTML.component(entry.id))\">\(UIHTML.escape(entry.title))</a>"
                            + " <span class=\"snippet\">\(entry.minutes) \(UIHTML.escape(text["minutes"].lowercased()))</span></li>"
                    }
                    .concatenated + "</ul>"
            }
        } else {
            switch await json(
                [UIViews.GuideHit].self,
                UICommandLine(["guide", "search"], options: ["--lang=\(language)"], positionals: words))
            {
            case .success(let hits):
                let shown = hits.filter { inFamily.contains($0.id) }
                results =
                    shown.isEmpty
                    ? "<p>\(UIHTML.escape(text["no-results"]))</p>"
                    : "<ul class=\"results\">"
                        + shown.map { hit in
                            "<li><a href=\"/guides/\(UIHTML.component(hit.id))\">\(UIHTML.escape(hit.title))</a>"
                                + "<br><span class=\"snippet\">\(TechnicianUI.marked(hit.snippet))</span></li>"
                        }
                        .concatenated + "</ul>"
            case .failure(let refusal):
                results = "<p class=\"problem\">\(UIHTML.escape(refusal.text))</p>"
            }
        }
        if fragment { return TechnicianUI.html(results) }
        let families = Array(Set(entries.map(\.family))).sorted()
        let body = """
            <form method="get" action="/guides" role="search">
            <div class="inline">
            \(UIHTML.field("q", label: text["search-guides"], value: query, kind: "search", attributes: " autofocus autocomplete=\"off\""))
            \(UIHTML.select("family", label: text["family"], options: [("", text["all-families"])] + families.map { ($0, $0) }, selected: family))
            <button type="submit">\(UIHTML.escape(text["search"]))</button>
            </div>
            </form>
            <div id="results" aria-live="polite">\(results)</div>
            """
        return TechnicianUI.html(UIHTML.page(title: text["guides"], body: body, frame: frame))
    }

    /// A search snippet: escaped, with the matched words (between `[` and `]`) marked.
    static func marked(_ snippet: String) -> String {
        UIHTML.escape(snippet).replacingOccurrences(of: "[", with: "<mark>").replacingOccurrences(
            of: "]", with: "</mark>"
        )
        .replacingOccurrences(of: "\n", with: " ")
    }

    func guide(_ id: String) async -> Response {
        let frame = await frame("guides")
        let text = frame.text
        let shown: UIViews.GuideShown
        switch await json(
            UIViews.GuideShown.self,
            UICommandLine(["guide", "show"], options: ["--lang=\(text.language)"], positionals: [id]))
        {
        case .success(let value): shown = value
        case .failure(let refusal): return refused(refusal, title: text["not-found"], frame: frame, status: .notFound)
        }
        let words = shown.text
        var body = ""
        if shown.language != text.language {
            body +=
                "<p class=\"notice\" role=\"note\">\(UIHTML.escape(text.format("shown-in", UIText.languageNames[text.language] ?? text.language, UIText.languageNames[shown.language] ?? shown.language)))</p>"
        }
        body += "<div lang=\"\(UIHTML.escape(shown.language))\">"
        if let summary = words.summary { body += "<p><strong>\(UIHTML.escape(summary))</strong></p>" }
        var facts = [
            (text["for"], shown.guide.instruments.joined(separator: ", ")),
            (text["difficulty"], "\(shown.guide.difficulty)/4"),
            (text["minutes"], "\(shown.guide.minutes)"),
        ]
        if let training = shown.guide.training { facts.append((text["training-required"], training)) }
        body +=
            "<dl class=\"facts\">"
            + facts.map { "<dt>\(UIHTML.escape($0.0))</dt><dd>\(UIHTML.escape($0.1))</dd>" }.concatenated + "</dl>"
        body += section(text["symptoms"], words.symptoms, text: text)
        body += section(text["stop-if"], words.stopIf, text: text, warn: true)
        body += section(text["tools"], words.tools, text: text)
        let parts = shown.guide.parts.map { id in
            shown.partNames?.first { $0.id == id }.map { "\($0.name) (\(id))" } ?? id
        }
        body += section(text["parts"], parts, text: text)
        body += section(text["safety"], words.safety, text: text, warn: true)
        if let about = words.body { body += "<p>\(UIHTML.escape(about))</p>" }
        body += "<h2>\(UIHTML.escape(text["steps"]))</h2><ol class=\"steps\">"
        for step in words.steps {
            body += "<li>"
            if let caution = step.caution {
                body +=
                    "<p class=\"caution\"><strong>\(UIHTML.escape(text["caution"])):</strong> \(UIHTML.escape(caution))</p>"
            }
            body += "<p>\(UIHTML.escape(step.action))</p>"
            if let check = step.check {
                body +=
                    "<p class=\"check\"><strong>\(UIHTML.escape(text["check"])):</strong> \(UIHTML.escape(check))</p>"
            }
            body += "</li>"
        }
        body += "</ol>"
        body += section(text["care"], words.care, text: text)
        body += section(text["depot"], words.depot, text: text, warn: true)
        body += "</div>"
        body +=
            "<p class=\"noprint\"><button type=\"button\" data-print hidden>\(UIHTML.escape(text["print"]))</button></p>"
        return TechnicianUI.html(UIHTML.page(title: words.title, body: body, frame: frame))
    }

    func section(_ title: String, _ items: [String]?, text: UIText, warn: Bool = false) -> String {
        guard let items, !items.isEmpty else { return "" }
        return "<h2\(warn ? " class=\"warn\"" : "")>\(UIHTML.escape(title))</h2>" + UIHTML.list(items, text: text)
    }

    func instrument(_ typed: String, saved: String?) async -> Response {
        let frame = await frame("instruments")
        let text = frame.text
        let tag = typed.trimmingCharacters(in: .whitespaces)
        guard !tag.isEmpty else {
            return TechnicianUI.html(UIHTML.page(title: text["instruments"], body: lookupForm(text), frame: frame))
        }
        let item: UIViews.Instrument
        switch await json(UIViews.Instrument.self, UICommandLine(["instrument", "show"], positionals: [tag])) {
        case .success(let value): item = value
        case .failure(let refusal):
            return TechnicianUI.html(
                UIHTML.page(
                    title: text["instruments"], body: lookupForm(text, value: tag, message: refusal.text), frame: frame),
                status: refusal.message.hasPrefix("no instrument") ? .notFound : .unprocessableContent)
        }
        let history: [UIViews.HistoryEntry]
        switch await json(
            [UIViews.HistoryEntry].self, UICommandLine(["instrument", "history"], positionals: [item.tag]))
        {
        case .success(let value): history = value
        case .failure(let refusal): return refused(refusal, title: item.tag, frame: frame)
        }
        let condition = text[item.condition]
        var facts = [
            (text["type"], item.type + (item.size.map { " \($0)" } ?? "")),
            (text["maker"], [item.maker, item.model].compactMap { $0 }.joined(separator: ", ")),
            (text["serial"], item.serial ?? "–"), (text["site"], item.site), (text["status"], item.status),
            (text["condition"], condition), (text["last-service"], item.lastService ?? text["unknown"]),
        ]
        if item.maker == nil && item.model == nil { facts.remove(at: 1) }
        var body = lookupForm(text)
        body +=
            "<dl class=\"facts\" id=\"facts\">"
            + facts.map { "<dt>\(UIHTML.escape($0.0))</dt><dd>\(UIHTML.escape($0.1))</dd>" }.concatenated + "</dl>"
        if item.provisional { body += "<p>\(UIHTML.escape(text["provisional"]))</p>" }
        for (attribute, values) in item.conflicts.sorted(by: { $0.key < $1.key }) {
            body +=
                "<p class=\"problem\">\(UIHTML.escape(text.format("conflict", attribute, values.joined(separator: " / "))))</p>"
        }
        let escapedTag = UIHTML.component(item.tag)
        body += """
            <p class="noprint"><a href="/repair?tag=\(escapedTag)">\(UIHTML.escape(text["log-repair"]))</a> ·
            <a href="/loan?tag=\(escapedTag)">\(UIHTML.escape(text["lend-move"]))</a></p>
            <h2>\(UIHTML.escape(text["history"]))</h2>
            """
        if history.isEmpty {
            body += "<p>\(UIHTML.escape(text["none"]))</p>"
        } else {
            body += "<table><thead><tr><th>\(UIHTML.escape(text["date"]))</th><th>\(UIHTML.escape(text["event"]))</th>"
            body += "<th>\(UIHTML.escape(text["site"]))</th></tr></thead><tbody>"
            for entry in history.reversed() {
                body +=
                    "<tr><td>\(UIHTML.escape(entry.date))</td><td>\(UIHTML.escape(TechnicianUI.describe(entry)))</td>"
                body += "<td>\(UIHTML.escape(entry.site ?? ""))</td></tr>"
            }
            body += "</tbody></table>"
        }
        let notice = saved.map { TechnicianUI.savedNotice($0, tag: item, text: text) }
        return TechnicianUI.html(UIHTML.page(title: item.tag, body: body, frame: frame, notice: notice))
    }

    /// One line for an event in an instrument's history.
    static func describe(_ entry: UIViews.HistoryEntry) -> String {
        let payload = entry.payload
        let details = ["problem", "action", "outcome", "from", "to", "attribute", "value", "type", "condition"]
            .compactMap { key in payload[key]?.stringValue.map { "\(key): \($0)" } }
        return ([entry.type] + details).joined(separator: " · ")
    }

    /// The line shown after a redirect from a form that saved something.
    static func savedNotice(_ saved: String, tag: UIViews.Instrument, text: UIText) -> String {
        let pieces = saved.split(separator: ":", maxSplits: 1).map(String.init)
        switch pieces.first {
        case "repair": return text.format("saved-repair", pieces.count > 1 ? String(pieces[1].prefix(12)) : "")
        case "loan": return text.format("saved-loan", tag.tag, tag.site, tag.status)
        case "register": return text.format("saved-register", tag.tag)
        default: return ""
        }
    }

    func due() async -> Response {
        let frame = await frame("due")
        let text = frame.text
        let report: UIViews.Due
        switch await json(UIViews.Due.self, UICommandLine(["due"])) {
        case .success(let value): report = value
        case .failure(let refusal): return refused(refusal, title: text["due"], frame: frame)
        }
        var body = "<h2>\(UIHTML.escape(text["follow-ups"]))</h2>"
        body += links(report.followUps.map { ($0.tag, "\($0.tag) · \($0.due)") }, text: text)
        body += "<h2>\(UIHTML.escape(text["overdue"]))</h2>"
        body += links(
            report.overdue.map {
                (
                    $0.tag,
                    "\($0.tag) · \($0.type) · \(text["last-service"].lowercased()): \($0.lastService ?? text["never"])"
                )
            },
            text: text)
        return TechnicianUI.html(UIHTML.page(title: "\(text["due"]) · \(report.site)", body: body, frame: frame))
    }

    /// A list of instruments, each linked to its page.
    func links(_ items: [(tag: String, line: String)], text: UIText) -> String {
        guard !items.isEmpty else { return "<p>\(UIHTML.escape(text["none"]))</p>" }
        return "<ul>"
            + items.map {
                "<li><a href=\"/instrument?tag=\(UIHTML.component($0.tag))\">\(UIHTML.escape($0.line))</a></li>"
            }
            .concatenated + "</ul>"
    }

    /// A page that says what a command refused, in its own words.
    func refused(
        _ refusal: UIRefusal, title: String, frame: UIHTML.Frame, status: HTTPResponse.Status = .unprocessableContent
    ) -> Response {
        let body = "<p class=\"problem\">\(UIHTML.escape(refusal.text))</p>"
        return TechnicianUI.html(UIHTML.page(title: title, body: body, frame: frame), status: status)
    }
}

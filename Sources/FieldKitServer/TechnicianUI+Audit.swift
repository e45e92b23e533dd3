import FieldKitCore
import Foundation
import HTTPTypes
import Hummingbird

extension TechnicianUI {
    // MARK: - Site audit

    struct AuditForm: UIForm {
        var token: String?
        var site: String?
        /// The tags scanned so far, one per line (kept in the page, so the audit needs no state here).
        var scanned: String?
        var tag: String?
        /// `scan` or `finish`.
        var step: String?
    }

    func auditPage(_ form: AuditForm, findings: UIViews.Audit?, errors: [String: String], recorded: String? = nil)
        async -> Response
    {
        let frame = await frame("audit")
        let text = frame.text
        var form = form
        if form.site == nil { form.site = frame.site }
        var body = "<p>\(UIHTML.escape(text["audit-intro"]))</p>"
        if let general = errors[""] { body += "<p class=\"problem\" role=\"alert\">\(UIHTML.escape(general))</p>" }
        if recorded == nil {
            body += """
                <form method="post" action="/audit">
                \(UIHTML.tokenField(frame))
                <input type="hidden" name="scanned" value="\(UIHTML.escape(form.scanned ?? ""))">
                \(UIHTML.select("site", label: text["site"], options: await siteOptions(text), selected: form.site, message: errors["site"]))
                <div class="inline">
                \(UIHTML.field("tag", label: text["scan"], message: errors["tag"], attributes: " autofocus autocomplete=\"off\" spellcheck=\"false\""))
                <button type="submit" name="step" value="scan">\(UIHTML.escape(text["add"]))</button>
                </div>
                <p><button type="submit" name="step" value="finish">\(UIHTML.escape(text["finish-audit"]))</button></p>
                </form>
                """
        }
        if let findings {
            let wrong = findings.wrongSite.map { "\($0.tag) · \(text.format("recorded-at", $0.recordedAt))" }
            body += """
                <div class="columns" id="findings" aria-live="polite">
                <section><h2>\(UIHTML.escape(text["scanned"])) (\(findings.scanned.count))</h2>\(UIHTML.list(findings.scanned, text: text))</section>
                <section><h2>\(UIHTML.escape(text["missing"])) (\(findings.missing.count))</h2><div id="missing">\(UIHTML.list(findings.missing, text: text))</div></section>
                <section><h2>\(UIHTML.escape(text["unexpected"])) (\(findings.unexpected.count))</h2><div id="unexpected">\(UIHTML.list(findings.unexpected, text: text))</div></section>
                <section><h2>\(UIHTML.escape(text["wrong-site"])) (\(findings.wrongSite.count))</h2><div id="wrong-site">\(UIHTML.list(wrong, text: text))</div></section>
                </div>
                """
        }
        let notice = recorded
        return TechnicianUI.html(
            UIHTML.page(title: text["audit"], body: body, frame: frame, notice: notice),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func audit(_ form: AuditForm) async -> Response {
        let text = UIText(language())
        var form = form
        var tags = (form.scanned ?? "").split(whereSeparator: \.isNewline).map(String.init)
        if let tag = TechnicianUI.given(form.tag) { tags.append(tag) }
        form.tag = nil
        form.scanned = tags.joined(separator: "\n")
        guard !tags.isEmpty else { return await auditPage(form, findings: nil, errors: ["tag": text["required"]]) }
        let finish = form.step == "finish"
        var options = finish ? [] : ["--preview"]
        if let site = TechnicianUI.given(form.site) { options.append("--site=\(site)") }
        switch await json(UIViews.Audit.self, UICommandLine(["audit"], options: options, positionals: tags)) {
        case .success(let findings):
            if finish {
                // Recorded: a redirect, so reloading the page never records the audit twice.
                let counts =
                    [findings.scanned.count, findings.missing.count, findings.unexpected.count]
                    + [findings.wrongSite.count]
                return TechnicianUI.seeOther(
                    "/audit?recorded=\(UIHTML.component(findings.site))&counts="
                        + counts.map(String.init).joined(separator: "-"))
            }
            form.scanned = findings.scanned.joined(separator: "\n")
            return await auditPage(form, findings: findings, errors: [:])
        case .failure(let refusal):
            return await auditPage(form, findings: nil, errors: ["": refusal.text])
        }
    }

    // MARK: - Sync

    struct SyncForm: UIForm {
        var token: String?
        var destination: String?
    }

    func syncPage(_ form: SyncForm, outcome: UIViews.Sync?, errors: [String: String]) async -> Response {
        let frame = await frame("sync")
        let text = frame.text
        var body = "<dl class=\"facts\" id=\"sync-state\">"
        body += "<dt>\(UIHTML.escape(text["pending"]))</dt><dd id=\"pending\">\(frame.pending ?? 0)</dd>"
        let receipt = frame.lastReceipt.map { "#\($0)" } ?? text["never"]
        body += "<dt>\(UIHTML.escape(text["last-receipt"]))</dt><dd id=\"last-receipt\">\(UIHTML.escape(receipt))</dd>"
        body += "</dl>"
        if let general = errors[""] { body += "<p class=\"problem\" role=\"alert\">\(UIHTML.escape(general))</p>" }
        if let outcome {
            let passes = outcome.passes
            let written = passes.flatMap(\.written).map { range in
                range.map(String.init).joined(separator: "–")
            }
            let receipts = passes.flatMap(\.receipts).map { receipt in
                "#\(receipt.version) \(receipt.outcome)" + (receipt.reason.map { ": \($0)" } ?? "")
            }
            body += """
                <section id="sync-result"><h2>\(UIHTML.escape(text["archives-written"]))</h2>\(UIHTML.list(written, text: text))
                <h2>\(UIHTML.escape(text["receipts"]))</h2>\(UIHTML.list(receipts, text: text))</section>
                """
        }
        body += """
            <form method="post" action="/sync" data-busy="busy">
            \(UIHTML.tokenField(frame))
            \(UIHTML.field("destination", label: text["sync-to"], value: form.destination ?? "", message: errors["destination"], attributes: " autocomplete=\"off\" spellcheck=\"false\""))
            <p><button type="submit">\(UIHTML.escape(text["sync-now"]))</button></p>
            <p id="busy" role="status" hidden>\(UIHTML.escape(text["syncing"]))</p>
            </form>
            """
        return TechnicianUI.html(
            UIHTML.page(title: text["sync"], body: body, frame: frame, notice: outcome == nil ? nil : text["synced"]),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func sync(_ form: SyncForm) async -> Response {
        let text = UIText(language())
        guard let destination = TechnicianUI.given(form.destination) else {
            return await syncPage(form, outcome: nil, errors: ["destination": text["required"]])
        }
        // A relative path would be taken from wherever 'fieldkit ui' was started: ask for the whole one.
        guard destination.hasPrefix("/") || destination.hasPrefix("http://") || destination.hasPrefix("https://")
        else {
            return await syncPage(form, outcome: nil, errors: ["destination": text["whole-path"]])
        }
        switch await json(UIViews.Sync.self, UICommandLine(["sync"], positionals: [destination])) {
        case .success(let outcome): return await syncPage(form, outcome: outcome, errors: [:])
        case .failure(let refusal): return await syncPage(form, outcome: nil, errors: ["destination": refusal.text])
        }
    }

    // MARK: - Language

    struct LanguageForm: UIForm {
        var token: String?
        var language: String?
        var back: String?
    }
}

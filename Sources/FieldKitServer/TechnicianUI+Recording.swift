import FieldKitCore
import Foundation
import HTTPTypes
import Hummingbird

extension TechnicianUI {
    /// Pages that record: each form runs the command the CLI runs; a refusal is shown beside the
    /// field it names and nothing is written (the command checks everything before it records).
    func addRecordingRoutes(to router: Router<BasicRequestContext>) {
        router.get("/repair") { request, _ in
            var form = RepairForm()
            form.tag = request.uri.queryParameters.get("tag")
            return await repairPage(form, errors: [:])
        }
        router.post("/repair") { request, _ in await saveRepair(try await form(RepairForm.self, from: request)) }
        router.get("/training") { request, _ in
            let query = request.uri.queryParameters
            var form = TrainingForm()
            form.checklist = query.get("checklist")
            return await trainingPage(form, errors: [:], saved: query.get("saved"))
        }
        router.post("/training") { request, _ in
            await saveTraining(try await form(TrainingForm.self, from: request))
        }
        router.get("/loan") { request, _ in
            var form = LoanForm()
            form.tag = request.uri.queryParameters.get("tag")
            return await loanPage(form, errors: [:])
        }
        router.post("/loan") { request, _ in await saveLoan(try await form(LoanForm.self, from: request)) }
        router.get("/register") { _, _ in await registerPage(RegisterForm(), errors: [:]) }
        router.post("/register") { request, _ in
            await saveRegistration(try await form(RegisterForm.self, from: request))
        }
        router.get("/audit") { request, _ in
            let query = request.uri.queryParameters
            let text = UIText(language())
            // After a finish: which site, and how many scanned, missing, unexpected and elsewhere.
            let recorded = query.get("recorded").map { site in
                let counts = (query.get("counts") ?? "").split(separator: "-").map(String.init)
                return text.format("saved-audit", site)
                    + (counts.count == 4
                        ? " " + text.format("audit-counts", counts[0], counts[1], counts[2], counts[3]) : "")
            }
            return await auditPage(AuditForm(), findings: nil, errors: [:], recorded: recorded)
        }
        router.post("/audit") { request, _ in await audit(try await form(AuditForm.self, from: request)) }
        router.get("/sync") { _, _ in await syncPage(SyncForm(), outcome: nil, errors: [:]) }
        router.post("/sync") { request, _ in await sync(try await form(SyncForm.self, from: request)) }
        router.post("/language") { request, _ in
            let form = try await form(LanguageForm.self, from: request)
            if let language = form.language, UIText.languages.contains(language) {
                try FileLayer.writeAtomically(
                    Data((language + "\n").utf8), to: configuration.dataFolder + "/ui-language", mode: 0o600)
            }
            // Only a page of ours: never a redirect elsewhere.
            let back = form.back ?? "/"
            return TechnicianUI.seeOther(UIHTML.sectionPaths.contains(back) ? back : "/")
        }
    }

    /// Which field a command's message is about: by the flag it names, or by what it did not find.
    static let fieldsByWords: [String: String] = [
        "--problem": "problem", "--action": "action", "--guide": "guide", "--part": "parts", "--minutes": "minutes",
        "--outcome": "outcome", "--condition-before": "conditionBefore", "--condition-after": "conditionAfter",
        "--condition": "condition", "--follow-up": "followUp", "--date": "date", "--trainer": "trainer",
        "--trainee": "trainees", "--checklist": "checklist", "--to": "to", "--type": "type", "--size": "size",
        "--maker": "maker", "--serial": "serial", "no instrument \"": "tag", "no instrument type": "type",
        "no guide": "guide", "no part": "parts", "no site \"": "to", "no checklist": "checklist",
        "no item of checklist": "done", "invalid date": "date", "is retired": "tag",
    ]

    /// Errors by field: a refusal beside its field when `fields` (the form's) has it, else
    /// above the form (under `""`).
    static func errors(_ refusal: UIRefusal, fields: Set<String>) -> [String: String] {
        let field = refusal.field(TechnicianUI.fieldsByWords) ?? ""
        return [fields.contains(field) ? field : "": refusal.message]
    }

    /// A form page: the "nothing was saved" line when there are errors, and any error no field owns.
    func formPage(
        title: String, section: String, fields: String, action: String, errors: [String: String],
        intro: String? = nil, busy: String? = nil
    ) async -> Response {
        let frame = await frame(section)
        let text = frame.text
        var body = intro.map { "<p>\(UIHTML.escape($0))</p>" } ?? ""
        if !errors.isEmpty {
            body += "<p class=\"problem\" role=\"alert\">\(UIHTML.escape(text["fix-below"]))"
            if let general = errors[""] { body += "<br>\(UIHTML.escape(general))" }
            body += "</p>"
        }
        let busyAttribute = busy == nil ? "" : " data-busy=\"busy\""
        body += """
            <form method="post" action="\(action)" novalidate\(busyAttribute)>
            \(UIHTML.tokenField(frame))
            \(fields)
            <p><button type="submit">\(UIHTML.escape(text["save"]))</button></p>
            \(busy.map { "<p id=\"busy\" role=\"status\" hidden>\(UIHTML.escape($0))</p>" } ?? "")
            </form>
            """
        return TechnicianUI.html(
            UIHTML.page(title: title, body: body, frame: frame), status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// `value`, trimmed; nil when empty.
    static func given(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return trimmed
    }

    // MARK: - Repair

    struct RepairForm: UIForm {
        var token: String?
        var tag: String?
        var problem: String?
        var action: String?
        var guide: [String]?
        var parts: String?
        var minutes: String?
        var outcome: String?
        var conditionBefore: String?
        var conditionAfter: String?
        var followUp: String?
        var date: String?

        static let fields: Set<String> = [
            "tag", "problem", "action", "guide", "parts", "minutes", "outcome", "conditionBefore", "conditionAfter",
            "followUp", "date",
        ]
    }

    static let outcomes = ["fixed", "needs-depot", "beyond-repair"]
    static let conditions = ["good", "fair", "poor", "unplayable"]

    /// The conditions for a drop-down, "not given" first.
    static func conditionOptions(_ text: UIText) -> [(String, String)] {
        [("", text["not-given"])] + conditions.map { ($0, text[$0]) }
    }

    func repairPage(_ form: RepairForm, errors: [String: String]) async -> Response {
        let text = UIText(language())
        let guides =
            (try? await json(
                [UIViews.GuideEntry].self, UICommandLine(["guide", "list"], options: ["--lang=\(text.language)"])
            ).get()) ?? []
        let conditions = TechnicianUI.conditionOptions(text)
        let fields = """
            \(UIHTML.field("tag", label: text["lookup-tag"], value: form.tag ?? "", message: errors["tag"], attributes: " autocomplete=\"off\" spellcheck=\"false\""))
            \(UIHTML.field("problem", label: text["problem"], value: form.problem ?? "", kind: "textarea", message: errors["problem"]))
            \(UIHTML.field("action", label: text["action"], value: form.action ?? "", kind: "textarea", message: errors["action"]))
            \(UIHTML.select("guide", label: text["guides-followed"], options: guides.map { ($0.id, $0.title) }, selected: nil, message: errors["guide"], multiple: true, chosen: form.guide ?? []))
            \(UIHTML.field("parts", label: text["parts-used"], value: form.parts ?? "", message: errors["parts"], hint: text["parts-hint"]))
            \(UIHTML.field("minutes", label: text["minutes-spent"], value: form.minutes ?? "", kind: "number", message: errors["minutes"], attributes: " min=\"0\" max=\"1440\" inputmode=\"numeric\""))
            \(UIHTML.select("outcome", label: text["outcome"], options: [("", text["choose"])] + TechnicianUI.outcomes.map { ($0, text[$0]) }, selected: form.outcome, message: errors["outcome"]))
            \(UIHTML.select("conditionBefore", label: text["condition-before"], options: conditions, selected: form.conditionBefore, message: errors["conditionBefore"]))
            \(UIHTML.select("conditionAfter", label: text["condition-after"], options: conditions, selected: form.conditionAfter, message: errors["conditionAfter"]))
            \(UIHTML.field("followUp", label: text["follow-up"], value: form.followUp ?? "", kind: "date", message: errors["followUp"]))
            \(UIHTML.field("date", label: text["record-date"], value: form.date ?? "", kind: "date", message: errors["date"]))
            """
        return await formPage(
            title: text["log-repair"], section: "repair", fields: fields, action: "/repair", errors: errors)
    }

    func saveRepair(_ form: RepairForm) async -> Response {
        let text = UIText(language())
        var errors: [String: String] = [:]
        for (field, value) in [("tag", form.tag), ("problem", form.problem), ("action", form.action)]
        where TechnicianUI.given(value) == nil {
            errors[field] = text["required"]
        }
        if TechnicianUI.given(form.outcome) == nil { errors["outcome"] = text["required"] }
        let minutes = TechnicianUI.given(form.minutes)
        if minutes == nil {
            errors["minutes"] = text["required"]
        } else if Int(minutes ?? "") == nil {
            errors["minutes"] = text["whole-number"]
        }
        guard errors.isEmpty, let tag = TechnicianUI.given(form.tag) else {
            return await repairPage(form, errors: errors)
        }
        var options = [
            "--problem=\(form.problem ?? "")", "--action=\(form.action ?? "")", "--minutes=\(minutes ?? "")",
            "--outcome=\(form.outcome ?? "")",
        ]
        options += (form.guide ?? []).filter { !$0.isEmpty }.map { "--guide=\($0)" }
        options += (form.parts ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.map { "--part=\($0)" }
        for (flag, value) in [
            ("--condition-before", form.conditionBefore), ("--condition-after", form.conditionAfter),
            ("--follow-up", form.followUp), ("--date", form.date),
        ] {
            if let value = TechnicianUI.given(value) { options.append("\(flag)=\(value)") }
        }
        switch await json(
            UIViews.Recorded.self, UICommandLine(["repair", "log"], options: options, positionals: [tag]))
        {
        case .success(let recorded):
            return TechnicianUI.seeOther(
                "/instrument?tag=\(UIHTML.component(recorded.tag ?? tag))&saved=repair:\(recorded.id.prefix(12))")
        case .failure(let refusal):
            var errors = TechnicianUI.errors(refusal, fields: RepairForm.fields)
            // Two fields hold dates: the message names the one it refused.
            if let followUp = TechnicianUI.given(form.followUp), let message = errors.removeValue(forKey: "date") {
                errors[message.contains(followUp) ? "followUp" : "date"] = message
            }
            return await repairPage(form, errors: errors)
        }
    }

    // MARK: - Loans

    struct LoanForm: UIForm {
        var token: String?
        var tag: String?
        var what: String?
        var to: String?
    }

    /// The sites for a drop-down, the current one first.
    func siteOptions(_ text: UIText) async -> [(String, String)] {
        let sites = (try? await json([UIViews.Site].self, UICommandLine(["site", "list"])).get()) ?? []
        return [("", text["choose"])]
            + sites.sorted { ($0.current ? 0 : 1, $0.code) < ($1.current ? 0 : 1, $1.code) }
            .map { ($0.code, "\($0.code) · \($0.name)") }
    }

    func loanPage(_ form: LoanForm, errors: [String: String]) async -> Response {
        let text = UIText(language())
        let choices = [("out", text["loan-out"]), ("return", text["loan-return"]), ("move", text["loan-move"])]
        let fields = """
            \(UIHTML.field("tag", label: text["lookup-tag"], value: form.tag ?? "", message: errors["tag"], attributes: " autocomplete=\"off\" spellcheck=\"false\""))
            \(UIHTML.select("what", label: text["what"], options: choices, selected: form.what ?? "out", message: errors["what"]))
            \(UIHTML.select("to", label: text["to-site"], options: await siteOptions(text), selected: form.to, message: errors["to"]))
            """
        return await formPage(
            title: text["lend-move"], section: "loan", fields: fields, action: "/loan", errors: errors)
    }

    func saveLoan(_ form: LoanForm) async -> Response {
        let text = UIText(language())
        let what = ["out", "return", "move"].contains(form.what ?? "") ? form.what ?? "out" : "out"
        var errors: [String: String] = [:]
        if TechnicianUI.given(form.tag) == nil { errors["tag"] = text["required"] }
        if what != "return", TechnicianUI.given(form.to) == nil { errors["to"] = text["required"] }
        guard errors.isEmpty, let tag = TechnicianUI.given(form.tag) else {
            return await loanPage(form, errors: errors)
        }
        let options = what == "return" ? [] : ["--to=\(form.to ?? "")"]
        switch await json(
            UIViews.Recorded.self, UICommandLine(["loan", what], options: options, positionals: [tag]))
        {
        case .success(let recorded):
            return TechnicianUI.seeOther("/instrument?tag=\(UIHTML.component(recorded.tag ?? tag))&saved=loan")
        case .failure(let refusal):
            return await loanPage(form, errors: TechnicianUI.errors(refusal, fields: ["tag", "what", "to"]))
        }
    }

    // MARK: - Registration

    struct RegisterForm: UIForm {
        var token: String?
        var type: String?
        var size: String?
        var maker: String?
        var serial: String?
        var condition: String?
    }

    func registerPage(_ form: RegisterForm, errors: [String: String]) async -> Response {
        let text = UIText(language())
        let conditions = TechnicianUI.conditionOptions(text)
        let fields = """
            \(UIHTML.field("type", label: text["type"], value: form.type ?? "", message: errors["type"]))
            \(UIHTML.field("size", label: text["size"], value: form.size ?? "", message: errors["size"]))
            \(UIHTML.field("maker", label: text["maker"], value: form.maker ?? "", message: errors["maker"]))
            \(UIHTML.field("serial", label: text["serial"], value: form.serial ?? "", message: errors["serial"]))
            \(UIHTML.select("condition", label: text["condition"], options: conditions, selected: form.condition, message: errors["condition"]))
            """
        return await formPage(
            title: text["register"], section: "register", fields: fields, action: "/register", errors: errors,
            intro: text["register-intro"])
    }

    func saveRegistration(_ form: RegisterForm) async -> Response {
        let text = UIText(language())
        guard let type = TechnicianUI.given(form.type) else {
            return await registerPage(form, errors: ["type": text["required"]])
        }
        var options = ["--type=\(type)"]
        for (flag, value) in [
            ("--size", form.size), ("--maker", form.maker), ("--serial", form.serial), ("--condition", form.condition),
        ] {
            if let value = TechnicianUI.given(value) { options.append("\(flag)=\(value)") }
        }
        switch await json(UIViews.Recorded.self, UICommandLine(["instrument", "register"], options: options)) {
        case .success(let recorded):
            return TechnicianUI.seeOther("/instrument?tag=\(UIHTML.component(recorded.tag ?? ""))&saved=register")
        case .failure(let refusal):
            return await registerPage(
                form, errors: TechnicianUI.errors(refusal, fields: ["type", "size", "maker", "serial", "condition"]))
        }
    }
}

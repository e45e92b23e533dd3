import FieldKitCore
import Foundation
import Hummingbird

extension TechnicianUI {
    // MARK: - Training

    struct TrainingForm: UIForm {
        var token: String?
        var checklist: String?
        var trainer: String?
        var trainees: String?
        var done: [String]?
        var signedOff: String?
        var date: String?
    }

    func trainingPage(_ form: TrainingForm, errors: [String: String], saved: String?) async -> Response {
        let text = UIText(language())
        guard let id = TechnicianUI.given(form.checklist) else {
            let frame = await frame("training")
            let checklists =
                (try? await json(
                    [UIViews.ChecklistEntry].self,
                    UICommandLine(["checklist", "list"], options: ["--lang=\(text.language)"])
                ).get()) ?? []
            let body = """
                <form method="get" action="/training" class="inline">
                \(UIHTML.select("checklist", label: text["checklist"], options: checklists.map { ($0.id, $0.title) }, selected: nil, message: errors["checklist"]))
                <button type="submit">\(UIHTML.escape(text["choose"]))</button>
                </form>
                """
            let notice = saved.map { text.format("saved-training", String($0.prefix(12))) }
            return TechnicianUI.html(
                UIHTML.page(title: text["training"], body: body, frame: frame, notice: notice))
        }
        let checklist: UIViews.Checklist
        switch await json(UIViews.Checklist.self, UICommandLine(["checklist", "show"], positionals: [id])) {
        case .success(let value): checklist = value
        case .failure(let refusal): return refused(refusal, title: text["training"], frame: await frame("training"))
        }
        let done = Set(form.done ?? [])
        var items = ""
        for group in checklist.groups {
            items += "<fieldset><legend>\(UIHTML.escape(group.title.localized(text.language)))</legend>"
            for item in group.items {
                let checked = done.contains(item.id) ? " checked" : ""
                items += """
                    <label><input type="checkbox" name="done[]" value="\(UIHTML.escape(item.id))"\(checked)> \
                    \(UIHTML.escape(item.text.localized(text.language)))</label>
                    """
            }
            items += "</fieldset>"
        }
        let fields = """
            <input type="hidden" name="checklist" value="\(UIHTML.escape(checklist.id))">
            \(UIHTML.field("trainer", label: text["trainer"], value: form.trainer ?? "", message: errors["trainer"]))
            \(UIHTML.field("trainees", label: text["trainees"], value: form.trainees ?? "", kind: "textarea", message: errors["trainees"]))
            <h2>\(UIHTML.escape(text["items-done"]))</h2>
            \(errors["done"].map { "<p class=\"error\">\(UIHTML.escape($0))</p>" } ?? "")
            \(items)
            <div class="field"><label><input type="checkbox" name="signedOff" value="yes"\(form.signedOff == nil ? "" : " checked")> \(UIHTML.escape(text["signed-off"]))</label></div>
            \(UIHTML.field("date", label: text["record-date"], value: form.date ?? "", kind: "date", message: errors["date"]))
            """
        return await formPage(
            title: "\(text["training"]): \(checklist.title.localized(text.language))", section: "training",
            fields: fields, action: "/training", errors: errors)
    }

    func saveTraining(_ form: TrainingForm) async -> Response {
        let text = UIText(language())
        var errors: [String: String] = [:]
        let trainees = (form.trainees ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if TechnicianUI.given(form.trainer) == nil { errors["trainer"] = text["required"] }
        if trainees.isEmpty { errors["trainees"] = text["required"] }
        guard errors.isEmpty, let checklist = TechnicianUI.given(form.checklist) else {
            return await trainingPage(form, errors: errors, saved: nil)
        }
        var options = ["--checklist=\(checklist)", "--trainer=\(form.trainer ?? "")"]
        options += trainees.map { "--trainee=\($0)" }
        options += (form.done ?? []).map { "--done=\($0)" }
        if form.signedOff != nil { options.append("--signed-off") }
        if let date = TechnicianUI.given(form.date) { options.append("--date=\(date)") }
        switch await json(UIViews.Recorded.self, UICommandLine(["training", "record"], options: options)) {
        case .success(let recorded): return TechnicianUI.seeOther("/training?saved=\(recorded.id.prefix(12))")
        case .failure(let refusal):
            return await trainingPage(
                form,
                errors: TechnicianUI.errors(refusal, fields: ["checklist", "trainer", "trainees", "done", "date"]),
                saved: nil)
        }
    }
}

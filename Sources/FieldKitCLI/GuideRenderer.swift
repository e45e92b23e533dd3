import FieldKitBundles

/// A guide as text for a terminal: the order a technician reads it in.
struct GuideRenderer {
    let guide: Guide
    let text: GuideText
    let language: String
    let parts: [Part]

    private var labels: [String: String] {
        language == "nl"
            ? [
                "for": "Voor", "difficulty": "Moeilijkheid", "minutes": "minuten", "symptoms": "Herken je dit?",
                "stop": "Begin niet als", "tools": "Gereedschap", "parts": "Onderdelen", "safety": "Veiligheid",
                "steps": "Stappen", "caution": "Let op", "check": "Goed als", "depot": "Naar het depot als",
                "care": "Tips voor docent en kind", "training": "Vereiste training",
            ]
            : [
                "for": "For", "difficulty": "Difficulty", "minutes": "minutes", "symptoms": "Is this your problem?",
                "stop": "Do not start if", "tools": "Tools", "parts": "Parts", "safety": "Safety", "steps": "Steps",
                "caution": "Caution", "check": "Right when", "depot": "Send it to the depot when",
                "care": "Tips for the teacher and the child", "training": "Training required",
            ]
    }

    func lines() -> [String] {
        let label = labels
        var out = [text.title, String(repeating: "=", count: text.title.count), text.summary, ""]
        out.append(
            "\(label["for"] ?? ""): \(guide.instruments.joined(separator: ", ")) · \(label["difficulty"] ?? "") "
                + "\(guide.difficulty)/4 · \(guide.minutes) \(label["minutes"] ?? "") · \(label["training"] ?? ""): \(guide.training)"
        )
        func section(_ key: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            out.append("")
            out.append("\(label[key] ?? key):")
            out += items.map { "  - \($0)" }
        }
        section("symptoms", text.symptoms)
        section("stop", text.stopIf)
        section("tools", text.tools)
        section(
            "parts",
            guide.parts.map { id in parts.first { $0.id == id }.flatMap { $0.name[language] ?? $0.name["en"] } ?? id })
        section("safety", text.safety)
        out.append("")
        out.append("\(label["steps"] ?? ""):")
        for (index, step) in text.steps.enumerated() {
            if let caution = step.caution { out.append("  ! \(label["caution"] ?? ""): \(caution)") }
            out.append("  \(index + 1). \(step.action)")
            if let check = step.check { out.append("     → \(label["check"] ?? ""): \(check)") }
        }
        section("depot", text.depot)
        section("care", text.care)
        if let body = text.body {
            out.append("")
            out.append(body)
        }
        return out
    }
}

import FieldKitCore
import Foundation

/// The checks `bundle pack` runs before it signs anything. Each finding is one line naming the
/// file or id and the problem.
public enum BundleLint {
    /// Every problem in `sources`; empty when the bundle may be packed.
    public static func findings(_ sources: BundleSource.Sources) -> [String] {
        var findings: [String] = []
        let partIDs = Set(sources.parts.map(\.id))
        let checklistIDs = Set(sources.checklists.map(\.id))
        let typeIDs = Set(sources.instrumentTypes.map(\.id))
        findings += duplicates(sources.guides.map(\.id), what: "guide")
        findings += duplicates(sources.parts.map(\.id), what: "part")
        findings += duplicates(sources.checklists.map(\.id), what: "checklist")
        findings += duplicates(sources.sites.map(\.code), what: "site")
        for site in sources.sites where (try? SiteCode.parse(site.code)) != site.code {
            findings.append("site \(site.code): the code must be upper-case letters, digits and dashes")
        }
        for guide in sources.guides {
            findings += guideFindings(guide, partIDs: partIDs, checklistIDs: checklistIDs, typeIDs: typeIDs)
            findings += glossaryFindings(guide, glossary: sources.glossary)
        }
        findings += overlapFindings(sources.guides)
        for checklist in sources.checklists {
            findings += checklistFindings(checklist)
        }
        return findings
    }

    static func duplicates(_ ids: [String], what: String) -> [String] {
        var seen = Set<String>()
        return ids.filter { !seen.insert($0).inserted }.map { "\(what) \($0) is defined twice" }
    }

    static func guideFindings(
        _ guide: Guide, partIDs: Set<String>, checklistIDs: Set<String>, typeIDs: Set<String>
    ) -> [String] {
        var findings: [String] = []
        let name = "guide \(guide.id)"
        for language in ["nl", "en"] where guide.texts[language] == nil {
            findings.append("\(name): the \(language) text is missing")
        }
        let counts = Set(guide.texts.values.map(\.steps.count))
        if counts.count > 1 {
            let detail = guide.texts.keys.sorted().map { "\($0) \(guide.texts[$0]?.steps.count ?? 0)" }
            findings.append("\(name): the languages have different step counts (\(detail.joined(separator: ", ")))")
        }
        for (language, text) in guide.texts.sorted(by: { $0.key < $1.key }) {
            if text.steps.count < 5 { findings.append("\(name) (\(language)): fewer than 5 steps") }
            if text.safety.isEmpty { findings.append("\(name) (\(language)): no safety notes") }
            if text.depot.isEmpty { findings.append("\(name) (\(language)): no 'send it to the depot' section") }
            if text.title.isEmpty { findings.append("\(name) (\(language)): no title") }
        }
        for part in guide.parts where !partIDs.contains(part) {
            findings.append("\(name): part \(part) is not in the parts catalogue")
        }
        if !checklistIDs.contains(guide.training) {
            findings.append("\(name): training \(guide.training) is not a checklist")
        }
        for type in guide.instruments where !typeIDs.contains(type) {
            findings.append("\(name): instrument type \(type) is unknown")
        }
        if !(1...4).contains(guide.difficulty) { findings.append("\(name): difficulty must be 1 to 4") }
        if guide.minutes <= 0 { findings.append("\(name): minutes must be positive") }
        return findings
    }

    /// Words of `text`, lower-cased, split on anything but letters and digits.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    static func glossaryFindings(_ guide: Guide, glossary: [GlossaryConcept]) -> [String] {
        var findings: [String] = []
        for (language, text) in guide.texts.sorted(by: { $0.key < $1.key }) {
            let all = allText(text)
            let wordList = words(all)
            let joined = " " + wordList.joined(separator: " ") + " "
            for concept in glossary {
                guard let terms = concept.terms[language] else { continue }
                for forbidden in terms.forbidden where !forbidden.isEmpty {
                    let phrase = " " + words(forbidden).joined(separator: " ") + " "
                    if joined.contains(phrase) {
                        findings.append(
                            "guide \(guide.id) (\(language)): uses \"\(forbidden)\"; the glossary's term is \"\(terms.preferred)\""
                        )
                    }
                }
            }
        }
        return findings
    }

    static func allText(_ text: GuideText) -> String {
        ([text.title, text.summary, text.body ?? ""] + text.symptoms + text.stopIf + text.tools + text.safety
            + text.steps.flatMap { [$0.action, $0.check ?? "", $0.caution ?? ""] } + text.depot + text.care)
            .joined(separator: "\n")
    }

    /// No two guides may share more than half of their step text (English, sentence by sentence).
    static func overlapFindings(_ guides: [Guide]) -> [String] {
        let steps = guides.map { guide in
            (guide.id, Set((guide.texts["en"]?.steps ?? []).map { words($0.action).joined(separator: " ") }))
        }
        var findings: [String] = []
        for (index, first) in steps.enumerated() {
            for second in steps[(index + 1)...] {
                let smaller = min(first.1.count, second.1.count)
                guard smaller > 0 else { continue }
                let shared = first.1.intersection(second.1).count
                if shared * 2 > smaller {
                    findings.append("guides \(first.0) and \(second.0) share \(shared) of \(smaller) steps")
                }
            }
        }
        return findings
    }

    static func checklistFindings(_ checklist: Checklist) -> [String] {
        var findings: [String] = []
        let name = "checklist \(checklist.id)"
        for language in ["nl", "en"] {
            if checklist.title[language] == nil { findings.append("\(name): no \(language) title") }
            for item in checklist.groups.flatMap(\.items) where item.text[language] == nil {
                findings.append("\(name): item \(item.id) has no \(language) text")
            }
        }
        findings += duplicates(checklist.groups.flatMap(\.items).map(\.id), what: "\(name): item")
        if checklist.groups.flatMap(\.items).isEmpty { findings.append("\(name): no items") }
        return findings
    }
}

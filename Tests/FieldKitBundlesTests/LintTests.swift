import FieldKitBundles
import FieldKitTestSupport
import Testing

@Suite("bundle lint")
struct LintTests {
    @Test("a forbidden synonym, a missing nl text and unequal step counts are each named")
    func findings() throws {
        var sources = try CommittedContent.sources.get()
        let index = try #require(sources.guides.firstIndex { $0.id == "brass-valve-oil" })
        var guide = sources.guides[index]
        guide.texts["nl"]?.steps[0].action = "Haal de pomp eruit."
        guide.texts["en"]?.steps.removeLast()
        sources.guides[index] = guide
        var other = sources.guides[0]
        other.texts["nl"] = nil
        sources.guides[0] = other
        let findings = BundleLint.findings(sources)
        #expect(findings.contains("guide brass-valve-oil (nl): uses \"pomp\"; the glossary's term is \"ventiel\""))
        #expect(findings.contains { $0.hasPrefix("guide brass-valve-oil: the languages have different step counts") })
        #expect(findings.contains("guide \(other.id): the nl text is missing"))
    }

    @Test("unknown parts, trainings and near-copies of another guide are refused")
    func references() throws {
        var sources = try CommittedContent.sources.get()
        sources.guides[0].parts.append("unobtainium")
        sources.guides[0].training = "no-such-training"
        let copied = sources.guides[2].texts["en"]?.steps ?? []
        sources.guides[1].texts["en"]?.steps = copied
        let findings = BundleLint.findings(sources)
        #expect(findings.contains("guide \(sources.guides[0].id): part unobtainium is not in the parts catalogue"))
        #expect(findings.contains("guide \(sources.guides[0].id): training no-such-training is not a checklist"))
        #expect(findings.contains { $0.hasPrefix("guides \(sources.guides[1].id) and \(sources.guides[2].id) share") })
    }
}

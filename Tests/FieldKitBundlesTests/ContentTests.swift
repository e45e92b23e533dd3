import FieldKitBundles
import FieldKitTestSupport
import Foundation
import Testing

@Suite("the committed content")
struct ContentTests {
    @Test("Bundles/ passes the lint and has the guides, languages, checklists and instruments it promises")
    func promises() throws {
        let sources = try CommittedContent.sources.get()
        #expect(BundleLint.findings(sources) == [])
        let content = try CommittedContent.content.get()
        #expect(content.guides.count >= 24)
        #expect(content.guides.allSatisfy { $0.texts["nl"] != nil && $0.texts["en"] != nil })
        #expect(content.guides.filter { $0.texts["pap"] != nil }.count >= 6)
        #expect(content.checklists.count >= 5)
        #expect(content.inventory.count >= 12_000)
        let partIDs = Set(content.parts.map(\.id))
        let checklistIDs = Set(content.checklists.map(\.id))
        for guide in content.guides {
            #expect(guide.texts.values.allSatisfy { $0.steps.count >= 5 && !$0.safety.isEmpty && !$0.depot.isEmpty })
            #expect(guide.parts.allSatisfy(partIDs.contains), "\(guide.id)")
            #expect(checklistIDs.contains(guide.training), "\(guide.id)")
        }
        let families = Set(content.guides.map(\.family))
        #expect(families.isSuperset(of: ["strings", "woodwind", "brass", "percussion", "harp"]))
        let types = Set(content.guides.flatMap(\.instruments))
        #expect(
            types.isSuperset(of: [
                "violin", "viola", "cello", "double-bass", "flute", "clarinet", "oboe", "bassoon",
                "saxophone", "trumpet", "horn", "trombone", "tuba", "euphonium", "snare-drum", "timpani", "harp",
            ]))
    }

    @Test("no two guides share more than half of their step text")
    func distinctSteps() throws {
        let content = try CommittedContent.content.get()
        for (index, first) in content.guides.enumerated() {
            let a = Set((first.texts["en"]?.steps ?? []).map(\.action))
            for second in content.guides[(index + 1)...] {
                let b = Set((second.texts["en"]?.steps ?? []).map(\.action))
                #expect(a.intersection(b).count * 2 <= min(a.count, b.count), "\(first.id) ~ \(second.id)")
            }
        }
    }

    @Test("sites cover every province and island with valid codes")
    func sites() throws {
        let content = try CommittedContent.content.get()
        let regions = Set(content.sites.map(\.region))
        for region in [
            "Groningen", "Friesland", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht", "Noord-Holland",
            "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg", "Aruba", "Bonaire", "Curaçao", "Saba",
            "Sint Eustatius", "Sint Maarten",
        ] {
            #expect(regions.contains(region), "\(region)")
        }
        #expect(content.sites.contains { $0.code == "AMS-ZO-01" } && content.sites.contains { $0.code == "CUR-02" })
    }

    @Test("the inventory is the same every time and has a realistic mix")
    func inventory() throws {
        let sources = try CommittedContent.sources.get()
        let first = try InventoryGenerator.generate(
            settings: sources.inventory, types: sources.instrumentTypes, sites: sources.sites, created: sources.created)
        let second = try InventoryGenerator.generate(
            settings: sources.inventory, types: sources.instrumentTypes, sites: sources.sites, created: sources.created)
        #expect(first == second)
        let counts = Dictionary(grouping: first, by: \.type).mapValues(\.count)
        #expect((counts["violin"] ?? 0) > 10 * (counts["bassoon"] ?? 0))
        #expect((counts["harp"] ?? 0) > 0 && (counts["harp"] ?? 0) < (counts["flute"] ?? 0))
        #expect(Set(first.compactMap { $0.type == "violin" ? $0.size : nil }) == ["1/4", "1/2", "3/4", "4/4"])
        #expect(first.allSatisfy { $0.tag.wholeMatch(of: /LO-[A-Z]{2}-\d{6}/) != nil })
        #expect(Set(first.map(\.tag)).count == first.count)
        #expect(Set(first.map(\.status)) == ["in-use", "at-depot", "in-repair", "retired"])
    }
}

import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("fieldkit guide, instrument and checklist on the built-in bundle")
struct GuideCommandTests {
    let fieldkit = CLIHarness()

    func device(_ folder: TemporaryFolder) -> String {
        let data = folder.appending("device")
        precondition(fieldkit("init", "--data-dir", data, "--device", "x").status == 0)
        return data
    }

    @Test("a fresh device lists the built-in guides, says it is the development bundle, and lists JSON with ids")
    func listBuiltIn() throws {
        let folder = TemporaryFolder("guides")
        let data = device(folder)
        let result = fieldkit("guide", "list", "--json", "--lang", "nl", "--data-dir", data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("installed the development bundle built into fieldkit"))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.count >= 24)
        #expect(list.allSatisfy { ($0["id"] as? String)?.isEmpty == false && $0["language"] as? String == "nl" })
        let brass = try #require(
            try JSONSerialization.jsonObject(
                with: Data(
                    fieldkit("guide", "list", "--json", "--instrument", "trumpet", "--data-dir", data).stdout.utf8))
                as? [[String: Any]])
        #expect(brass.contains { $0["id"] as? String == "brass-valve-oil" })
        #expect(!brass.contains { $0["id"] as? String == "violin-string-change" })
    }

    @Test("guide show falls back pap → nl → en and says which language it showed")
    func fallback() throws {
        let folder = TemporaryFolder("fallback")
        let data = device(folder)
        let pap = fieldkit("guide", "show", "brass-valve-oil", "--lang", "pap", "--data-dir", data)
        #expect(pap.status == 0)
        #expect(!pap.stderr.contains("note: no Papiamentu text"))
        let fallback = fieldkit("guide", "show", "peg-slipping", "--lang", "pap", "--json", "--data-dir", data)
        #expect(fallback.stderr.contains("note: no Papiamentu text; showing Dutch"))
        #expect(try fallback.json()["language"] as? String == "nl")
        let unknown = fieldkit("guide", "show", "brass-valve-oli", "--data-dir", data)
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("no guide \"brass-valve-oli\"; did you mean brass-valve-oil"))
    }

    @Test(
        "search prefix-matches each word and never breaks on what people type",
        arguments: [
            ("ventiel", "nl", "brass-valve-oil"), ("olien", "nl", "brass-valve-oil"),
            ("soundpost", "en", "soundpost-check"), ("c-snaar", "nl", nil), ("\"", "nl", nil), ("AND", "en", nil),
            ("valve OR NOT", "en", nil), ("stemstok*", "nl", "soundpost-check"),
        ] as [(String, String, String?)])
    func search(query: String, lang: String, expected: String?) throws {
        let folder = TemporaryFolder("search")
        let data = device(folder)
        let result = fieldkit("guide", "search", query, "--lang", lang, "--json", "--data-dir", data)
        #expect(result.status == 0, "\(result.stderr)")
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        if let expected {
            #expect(hits.prefix(5).contains { $0["id"] as? String == expected }, "\(hits.map { $0["id"] ?? "" })")
        }
    }

    @Test("instrument show forgives case, spaces and dashes, and suggests near tags for an unknown one")
    func instruments() throws {
        let folder = TemporaryFolder("instruments")
        let data = device(folder)
        let shown = try fieldkit("instrument", "show", "lo vn 4123", "--json", "--data-dir", data).json()
        #expect(shown["tag"] as? String == "LO-VN-004123")
        #expect(shown["type"] as? String == "violin")
        let unknown = fieldkit("instrument", "show", "LO-VN-904123", "--data-dir", data)
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("no instrument \"LO-VN-904123\"; did you mean LO-VN-"))
        let found = fieldkit("instrument", "find", "viool", "3/4", "--json", "--limit", "5", "--data-dir", data)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 5)
        #expect(
            items.allSatisfy { $0["type"] as? String == "violin" && $0["size"] as? String == "3/4" && $0["tag"] != nil }
        )
    }

    @Test("checklists list with ids and show every item")
    func checklists() throws {
        let folder = TemporaryFolder("checklists")
        let data = device(folder)
        let list = fieldkit("checklist", "list", "--json", "--data-dir", data)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count >= 5)
        #expect(entries.contains { $0["id"] as? String == "brass-valves-slides" })
        let shown = fieldkit("checklist", "show", "depot-intake", "--lang", "nl", "--data-dir", data)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("[ ] "))
    }
}

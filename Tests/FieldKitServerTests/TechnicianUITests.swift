import FieldKitCore
import Foundation
import Testing

@testable import FieldKitServer

@Suite("the technicians' interface: its words, its escaping and how it reads a command's refusal")
struct TechnicianUITests {
    @Test("every text is in English and Dutch, and each language takes the same placeholders")
    func textsComplete() {
        for (key, texts) in UIText.table {
            #expect(texts["en"] != nil, "\(key) has no English")
            #expect(texts["nl"] != nil, "\(key) has no Dutch")
            let placeholders = Set(texts.values.map { $0.components(separatedBy: "%@").count })
            #expect(placeholders.count == 1, "\(key) takes different placeholders in different languages")
        }
    }

    @Test(
        "a missing word falls back as content does",
        arguments: [("pap", "guides", "Guia"), ("pap", "loan", "Uitlenen of verplaatsen"), ("xx", "home", "Home")])
    func fallback(language: String, key: String, expected: String) {
        #expect(UIText(language)[key] == expected)
    }

    @Test("placeholders are filled in order")
    func format() {
        #expect(
            UIText("en").format("saved-loan", "LO-VN-000430", "CUR-02", "in-use")
                == "LO-VN-000430 is now at CUR-02 (in-use).")
    }

    @Test("markup in people's text is escaped, and only search marks become marks")
    func escaping() {
        #expect(UIHTML.escape(#"<b>"x" & 'y'</b>"#) == "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")
        #expect(TechnicianUI.marked("a [bow] <i>\nb") == "a <mark>bow</mark> &lt;i&gt; b")
        #expect(UIHTML.component("lo vn/4?&=") == "lo%20vn%2F4%3F%26%3D")
    }

    @Test(
        "a refusal is shown beside the field its words name",
        arguments: [
            ("error: --minutes must be between 0 and 1440, not 5000", "minutes"),
            ("error: missing --problem\nhint: pass --problem", "problem"),
            ("error: --condition-after must be one of good, fair, poor, unplayable, not \"x\"", "conditionAfter"),
            ("error: no instrument \"LO-XX-1\"; did you mean LO-SX-000001?\nhint: list what exists", "tag"),
            ("error: no instrument type \"harpsichord\"", "type"),
            ("error: no part \"nope\"", "parts"),
            ("error: invalid date \"2026-13-01\": write it as YYYY-MM-DD", "date"),
            ("error: the sync folder /x cannot be used", ""),
        ])
    func refusalField(errors: String, field: String) {
        let refusal = UIRefusal(UICommandResult(status: 65, output: "", errors: errors))
        #expect((refusal.field(TechnicianUI.fieldsByWords) ?? "") == field)
        let fields = TechnicianUI.RepairForm.fields.union(["type"])
        #expect(TechnicianUI.errors(refusal, fields: fields) == [field: refusal.message])
    }

    @Test("a refusal about a field the form does not have is shown above the form")
    func refusalElsewhere() {
        let refusal = UIRefusal(
            UICommandResult(status: 64, output: "", errors: "error: no site \"XX-01\"; did you mean AMS-01?"))
        #expect(TechnicianUI.errors(refusal, fields: ["tag", "what", "to"]) == ["to": refusal.message])
        #expect(TechnicianUI.errors(refusal, fields: TechnicianUI.RepairForm.fields) == ["": refusal.message])
    }

    @Test("line breaks from a text area become plain LF before the form is read")
    func lineBreaks() {
        #expect(TechnicianUI.unixLineBreaks("problem=a%0D%0Ab%0dc&x=%0A") == "problem=a%0Ab%0Ac&x=%0A")
    }

    @Test("a refusal keeps the command's message and hint, and drops warnings")
    func refusalWords() {
        let refusal = UIRefusal(
            UICommandResult(
                status: 66, output: "",
                errors: "warning: the clock looks wrong\nerror: no part \"nope\"\nhint: list the guide's parts"))
        #expect(refusal.message == "no part \"nope\"")
        #expect(refusal.text == "no part \"nope\" (list the guide's parts)")
        #expect(
            UIRefusal(UICommandResult(status: 70, output: "", errors: "")).message == "fieldkit stopped with status 70")
    }

    @Test("the interface listens on loopback only, with a key of at least 32 characters")
    func loopbackOnly() throws {
        struct Nothing: UICommandRunner {
            func run(_ line: UICommandLine) async -> UICommandResult {
                UICommandResult(status: 0, output: "", errors: "")
            }
        }
        let key = String(repeating: "a", count: 64)
        func make(_ host: String, _ token: String) throws(ServerFailure) {
            _ = try TechnicianUI(
                commands: Nothing(),
                configuration: .init(
                    listen: ListenAddress(host: host, port: 0), token: token, dataFolder: "/nowhere",
                    defaultLanguage: "en"),
                logger: .init(label: "test"))
        }
        try make("127.0.0.1", key)
        try make("::1", key)
        #expect(throws: ServerFailure.interfaceNotLoopback("0.0.0.0:0")) { try make("0.0.0.0", key) }
        #expect(throws: ServerFailure.interfaceKeyTooShort) { try make("127.0.0.1", "short") }
    }
}

@Suite("the code --open gives the browser it starts")
struct LaunchCodeTests {
    @Test("it is accepted once, and a wrong one never")
    func once() {
        let code = LaunchCode("abc123")
        #expect(!code.use("abc124"))
        #expect(code.use("abc123"))
        #expect(!code.use("abc123"))
        #expect(!LaunchCode(nil).use(""))
    }
}

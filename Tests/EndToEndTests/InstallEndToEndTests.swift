import FieldKitTestSupport
import Foundation
import Testing

/// What `make install` put under `PREFIX` (`make test` installs into a scratch DESTDIR first and
/// names it in `FIELDKIT_TEST_INSTALL`).
@Suite(
    "end to end: make install — the executable, the man page and the completions",
    .enabled(
        if: ProcessInfo.processInfo.environment["FIELDKIT_TEST_INSTALL"] != nil
            || ProcessInfo.processInfo.environment["CI"] != nil,
        "runs under 'make test', which installs first"))
struct InstallEndToEndTests {
    let prefix: String

    init() throws {
        prefix = try #require(
            ProcessInfo.processInfo.environment["FIELDKIT_TEST_INSTALL"],
            "FIELDKIT_TEST_INSTALL is not set: run the suite with 'make test'")
    }

    var installed: String { prefix + "/bin/fieldkit" }

    /// Every command path (`hub conflicts resolve`) the installed executable defines.
    func commandPaths() throws -> [[String]] {
        let dumped = try Tools.run(installed, ["--experimental-dump-help"])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(dumped.stdout.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                // Hidden commands (fault-points) are not in the man page.
                guard let name = sub["commandName"] as? String, name != "help", sub["shouldDisplay"] as? Bool != false
                else { continue }
                paths.append(path + [name])
                walk(sub, path + [name])
            }
        }
        walk(try #require(document["command"] as? [String: Any]), [])
        return paths
    }

    @Test("the installed executable runs and knows the tour and completions")
    func executable() throws {
        let version = try Tools.run(installed, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("fieldkit "))
        let paths = try commandPaths()
        for expected in [["tour"], ["completions"], ["hub", "serve"], ["hub", "conflicts", "resolve"]] {
            #expect(paths.contains(expected), "\(expected)")
        }
    }

    @Test("the man page renders without warnings and documents every command")
    func manPage() throws {
        let page = prefix + "/share/man/man1/fieldkit.1"
        let rendered = try Tools.run("groff", ["-mandoc", "-Tutf8", "-ww", page])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(rendered.stderr.isEmpty, "\(rendered.stderr)")
        let source = try String(contentsOfFile: page, encoding: .utf8)
        #expect(source.contains(".Dt FIELDKIT 1"))
        // Each command has an entry of its own (several commands share a last word: 'status', 'show').
        let lines = source.split(separator: "\n").map(String.init)
        for (name, paths) in Dictionary(grouping: try commandPaths(), by: { $0.last ?? "" }) {
            #expect(
                lines.filter { $0 == ".It Em \(name)" }.count == paths.count,
                "the man page has an entry for each of \(paths.map { $0.joined(separator: " ") })")
        }
        #expect(rendered.stdout.contains("The Leerorkest field toolkit"))
    }

    @Test("bash, zsh and fish completions are in place, parse, and complete subcommands")
    func completions() throws {
        let bash = prefix + "/share/bash-completion/completions/fieldkit"
        let zsh = prefix + "/share/zsh/site-functions/_fieldkit"
        let fish = prefix + "/share/fish/vendor_completions.d/fieldkit.fish"
        for (shell, file) in [("bash", bash), ("zsh", zsh)] {
            let parsed = try Tools.run(shell, ["-n", file])
            #expect(parsed.status == 0, "\(shell): \(parsed.stderr)")
        }
        #expect(try Tools.run("fish", ["--no-execute", fish]).status == 0)

        func bashCompletes(_ words: [String]) throws -> [String] {
            let line = words.joined(separator: " ")
            let script = """
                shopt -s extglob; source "$0"
                COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(\(words.joined(separator: " "))); \
                COMP_CWORD=\(words.count - 1)
                _fieldkit fieldkit '\(words.last ?? "")' '\(words.dropLast().last ?? "")'
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let out = try Tools.run("bash", ["-c", script, bash])
            #expect(out.status == 0, "\(out.stderr)")
            return out.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try bashCompletes(["fieldkit", "to"]) == ["tour"])
        #expect(Set(try bashCompletes(["fieldkit", "hub", "rep"])) == ["report"])
        #expect(try bashCompletes(["fieldkit", "completions", "z"]) == ["zsh"])

        let fishSays = try Tools.run(
            "fish", ["--no-config", "-c", "source $argv[1]; complete -C'fieldkit hub conf'", fish])
        #expect(fishSays.status == 0, "\(fishSays.stderr)")
        #expect(fishSays.stdout.split(separator: "\n").contains { $0.hasPrefix("conflicts") }, "\(fishSays.stdout)")
    }
}
